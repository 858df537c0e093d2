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

/** How one check of `praktor doctor` came out: `fail` makes the command exit non-zero; `skip` did not apply. */
export const DoctorStatus = z.enum(['ok', 'warn', 'fail', 'skip']);
export type DoctorStatus = z.infer<typeof DoctorStatus>;

/** One check of `praktor doctor` and Mission Control's Health panel, with the step that fixes it. */
export const DoctorCheck = z.object({
  id: z.string(),
  label: z.string(),
  status: DoctorStatus,
  /** What was found, in a sentence. */
  detail: z.string(),
  /** The step that fixes it; null when nothing needs fixing. */
  fix: z.string().nullable(),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

/** `praktor doctor --json` and `GET /api/doctor`. */
export const DoctorReport = z.object({
  /** False when any check failed. */
  ok: z.boolean(),
  checks: z.array(DoctorCheck),
});
export type DoctorReport = z.infer<typeof DoctorReport>;
