/**
 * The container settings that follow from an agent's `security` block (original §9.8, stricter defaults). The
 * rest of the confinement does not depend on configuration and is set by the runtime itself: the non-root user,
 * an init process, only the agent's own volumes mounted, no Docker socket, no logs kept by Docker.
 */
import type Docker from 'dockerode';
import type { SecuritySettings } from '../config/index.js';

/** In-memory /tmp (programs may run from it, as in the original) and /var/tmp (they may not). */
const TMPFS = {
  '/tmp': 'rw,exec,nosuid,nodev,size=512m',
  '/var/tmp': 'rw,noexec,nosuid,nodev,size=256m',
};

const MIB = 1024 * 1024;

/** The HostConfig fields that carry `security`; a zero limit means no limit. */
export function hardening(security: SecuritySettings): Docker.HostConfig {
  const memory = security.memory_mb * MIB;
  return {
    CapDrop: security.drop_capabilities ? ['ALL'] : [],
    CapAdd: security.add_capabilities,
    SecurityOpt: security.no_new_privileges ? ['no-new-privileges:true'] : [],
    ReadonlyRootfs: security.readonly_rootfs,
    Tmpfs: security.tmpfs ? { ...TMPFS } : {},
    Memory: memory,
    // Equal to the memory limit: no swap on top of it (0: neither is limited).
    MemorySwap: memory,
    PidsLimit: security.pids_limit,
    NanoCpus: Math.round(security.cpus * 1e9),
  };
}

/** The folders that are in-memory in a container with `security`. */
export function tmpfsPaths(security: SecuritySettings): string[] {
  return security.tmpfs ? Object.keys(TMPFS) : [];
}
