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
 * One Docker volume in a backup: its name without the installation's prefix (`wk-main`, `home-main`, `global`) and
 * the Docker host (`docker.hosts`) it came from; `host` is null in archives written before hosts (version 1), whose
 * volumes all came from the local daemon.
 */
export const BackupVolume = z.object({ name: z.string(), host: z.string().nullable() });
export type BackupVolume = z.infer<typeof BackupVolume>;

/** A version 1 archive listed its volumes by name only. */
const volumeOfVersion1 = z.string().transform((name): BackupVolume => ({ name, host: null }));

/**
 * `manifest.json`, the last entry of a `praktor backup` archive: what the archive holds, with the size and SHA-256
 * of every regular file, so that `--verify` and `restore` can tell a complete archive from a damaged one. Version 2
 * records each volume's host; version 1 (one daemon) is read with `host: null`.
 */
export const BackupManifest = z.object({
  format: z.literal('praktor-backup'),
  version: z.union([z.literal(1), z.literal(2)]),
  /** The Praktor that wrote it. */
  praktor: z.string(),
  created_at: z.string(),
  /** `docker.prefix` of the installation backed up; null when it has no Docker volumes in the archive. */
  docker_prefix: z.string().nullable(),
  /** The Docker volumes in the archive, each with the host it came from. */
  volumes: z.array(z.union([volumeOfVersion1, BackupVolume.extend({ host: z.string() })])),
  /** How many entries come before the manifest (files, folders and links). */
  entries: z.number().int().nonnegative(),
  /** Every regular file by its path in the archive. */
  files: z.record(z.string(), BackupFile),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

/** How one check of `praktor doctor` came out: `fail` makes the command exit non-zero; `skip` did not apply. */
export const DoctorStatus = z.enum(['ok', 'warn', 'fail', 'skip']);
export type DoctorStatus = z.infer<typeof DoctorStatus>;

/**
 * What an installation's running containers on one Docker host use, from one reading of the Engine API's container
 * stats. A container whose stats did not come in time counts in `unread`, not in the sums.
 */
export const HostLoad = z.object({
  /** Running containers of the installation there. */
  containers: z.number().int().nonnegative(),
  /** Their memory in use (without the page cache Docker too leaves out), in bytes. */
  memory_bytes: z.number().int().nonnegative(),
  /** Their CPU use, in percent of one CPU (200 is two CPUs busy). */
  cpu_percent: z.number().nonnegative(),
  unread: z.number().int().nonnegative(),
});
export type HostLoad = z.infer<typeof HostLoad>;

/** An agent of the installation that a Docker host holds or runs, in Mission Control's hosts view. */
export const HostAgent = z.object({
  id: z.string(),
  /** `agents.<id>.host` names the host. */
  pinned: z.boolean(),
  /** Its state (workspace and home volumes) is recorded on the host, by the placement rule or `praktor agent move`. */
  placed: z.boolean(),
  /** A container of it runs there now (false when the host did not answer). */
  running: z.boolean(),
});
export type HostAgent = z.infer<typeof HostAgent>;

/**
 * What a Docker host's check found, as fields for Mission Control's hosts view (the check's `detail` says the same in
 * a sentence). The engine's facts are null when the host did not answer.
 */
export const DockerHostReading = z.object({
  name: z.string(),
  url: z.string(),
  /** Why the host cannot be used now (does not answer, a TLS file is unreadable), or null when it answered. */
  problem: z.string().nullable(),
  /** The Docker Engine's version. */
  version: z.string().nullable(),
  cpus: z.number().int().nonnegative().nullable(),
  memory_total_bytes: z.number().int().nonnegative().nullable(),
  /** Seconds the host's clock is behind this machine's (negative: ahead). */
  clock_skew_s: z.number().int().nullable(),
  /** The images of the agents that may run there, each with whether the host has it (null: not looked at). */
  images: z.array(z.object({ name: z.string(), present: z.boolean().nullable() })),
  /** Agents pinned or placed there, or running there, by id. */
  agents: z.array(HostAgent),
  /** When the gateway read the host, in ms since the epoch. */
  read_at: z.number().int(),
});
export type DockerHostReading = z.infer<typeof DockerHostReading>;

/** One check of `praktor doctor` and Mission Control's Health panel, with the step that fixes it. */
export const DoctorCheck = z.object({
  id: z.string(),
  label: z.string(),
  status: DoctorStatus,
  /** What was found, in a sentence. */
  detail: z.string(),
  /** The step that fixes it; null when nothing needs fixing. */
  fix: z.string().nullable(),
  /** A Docker host's check: what the installation's containers there use. */
  load: HostLoad.optional(),
  /** A Docker host's check: what was found there, field by field. */
  host: DockerHostReading.optional(),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

/** `praktor doctor --json` and `GET /api/doctor`. */
export const DoctorReport = z.object({
  /** False when any check failed. */
  ok: z.boolean(),
  checks: z.array(DoctorCheck),
});
export type DoctorReport = z.infer<typeof DoctorReport>;
