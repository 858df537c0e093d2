/**
 * Nix on the link: the gateway asks the runner to manage the agent's nix profile (the `/nix` chat command, garbage
 * collection when the agent is idle), and the runner answers with the text a person reads.
 */
import { z } from 'zod';

/** What the gateway can ask of the agent's nix. */
export const NixAction = z.enum(['search', 'add', 'list', 'remove', 'upgrade', 'collect_garbage']);
export type NixAction = z.infer<typeof NixAction>;

/** Gateway → runner: run one nix action with its arguments (package names, a search term). */
export const NixRequestMessage = z.object({
  type: z.literal('nix_request'),
  requestId: z.string().min(1),
  action: NixAction,
  args: z.array(z.string().min(1)),
});
export type NixRequestMessage = z.infer<typeof NixRequestMessage>;

/** Runner → gateway: how it went, in the words the agent's nix tools use. */
export const NixResponseMessage = z.object({
  type: z.literal('nix_response'),
  requestId: z.string().min(1),
  ok: z.boolean(),
  text: z.string(),
});
export type NixResponseMessage = z.infer<typeof NixResponseMessage>;
