/**
 * Schemas for operating a gateway: the unauthenticated health probe that compose healthchecks and load balancers
 * read.
 */
import { z } from 'zod';

/** `GET /api/health`: whether the gateway process answers (live) and can take work (ready). Never carries data. */
export const HealthResponse = z.object({
  /** `ok` when ready; `unavailable` (HTTP 503) when the process answers but cannot take work. */
  status: z.enum(['ok', 'unavailable']),
  live: z.literal(true),
  ready: z.boolean(),
  /** Each part readiness depends on: `ok`, or a few words saying what is wrong. */
  checks: z.object({ database: z.string(), shutdown: z.string() }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

/** One regular file in a backup, as the manifest records it. */
export const BackupFile = z.object({
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupFile = z.infer<typeof BackupFile>;

/**
 * `manifest.json`, the last entry of a `praktor backup` archive: what the archive holds, with the size and SHA-256
 * of every regular file, so that `--verify` and `restore` can tell a complete archive from a damaged one.
 */
export const BackupManifest = z.object({
  format: z.literal('praktor-backup'),
  version: z.literal(1),
  /** The Praktor that wrote it. */
  praktor: z.string(),
  created_at: z.string(),
  /** `docker.prefix` of the installation backed up; null when it has no Docker volumes in the archive. */
  docker_prefix: z.string().nullable(),
  /** The Docker volumes in the archive, by their names without the prefix (`wk-main`, `home-main`, `global`). */
  volumes: z.array(z.string()),
  /** How many entries come before the manifest (files, folders and links). */
  entries: z.number().int().nonnegative(),
  /** Every regular file by its path in the archive. */
  files: z.record(z.string(), BackupFile),
});
export type BackupManifest = z.infer<typeof BackupManifest>;
