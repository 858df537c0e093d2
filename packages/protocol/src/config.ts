/**
 * The configuration file as Mission Control sees it: where it is, when it was last loaded, why a reload was
 * refused, and what a reload changed.
 */
import { z } from 'zod';

/** One problem with the configuration: the key path a user looks for in their file, and what is wrong there. */
export const ConfigProblem = z.object({ path: z.string(), message: z.string() });
export type ConfigProblem = z.infer<typeof ConfigProblem>;

/**
 * The configuration in force: `file` (null on built-in defaults), `loaded_at` (when it was last loaded), and
 * `error`, why the last reload was refused — the gateway then still runs on the configuration loaded at `loaded_at`.
 */
export const ConfigStatus = z.object({
  file: z.string().nullable(),
  loaded_at: z.number().int(),
  error: ConfigProblem.nullable(),
});
export type ConfigStatus = z.infer<typeof ConfigStatus>;

/** What a reload changed that the running gateway took into use, and what waits for a restart. */
export const ConfigChanges = z.object({
  agents_added: z.array(z.string()),
  agents_removed: z.array(z.string()),
  /** Agents whose sandbox starts again (after its turn in progress) on its new settings. */
  agents_restarted: z.array(z.string()),
  /** Changed keys read only at start: they take effect at the next restart. */
  restart_required: z.array(z.string()),
});
export type ConfigChanges = z.infer<typeof ConfigChanges>;

/** `POST /api/config/reload`: the new configuration in force, or why the one in force was kept. */
export const ConfigReloadReply = z.discriminatedUnion('status', [
  z.object({ status: z.literal('reloaded'), config: ConfigStatus, changes: ConfigChanges }),
  z.object({ status: z.literal('kept'), config: ConfigStatus }),
]);
export type ConfigReloadReply = z.infer<typeof ConfigReloadReply>;
