/**
 * How a `security` block becomes container settings. The defaults are checked on a real container by
 * docker.e2e.test.ts; here, the mapping of the values a user may set.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { hardening, tmpfsPaths } from './docker-hardening.js';

const security = (yaml: string) =>
  parseConfig(`agents: { a: { security: ${yaml} } }`, { env: {}, source: 'praktor.yaml', cwd: '/srv' }).config
    .agents.a?.security ?? expect.fail('no security block');

describe('hardening', () => {
  it('turns limits into Docker units: MiB to bytes with no swap beyond, CPUs to nano-CPUs', () => {
    expect(hardening(security('{ memory_mb: 512, cpus: 1.5, pids_limit: 64 }'))).toMatchObject({
      Memory: 512 * 1024 * 1024,
      MemorySwap: 512 * 1024 * 1024,
      NanoCpus: 1_500_000_000,
      PidsLimit: 64,
    });
  });

  it('leaves a limit of 0 unlimited', () => {
    expect(hardening(security('{ memory_mb: 0, cpus: 0, pids_limit: 0 }'))).toMatchObject({
      Memory: 0,
      MemorySwap: 0,
      NanoCpus: 0,
      PidsLimit: 0,
    });
  });

  it('keeps the capabilities asked for, and drops none when told not to', () => {
    expect(hardening(security('{ add_capabilities: [NET_RAW] }'))).toMatchObject({
      CapDrop: ['ALL'],
      CapAdd: ['NET_RAW'],
    });
    expect(hardening(security('{ drop_capabilities: false }')).CapDrop).toEqual([]);
  });

  it('can give a writable root filesystem, privileges and no in-memory folders', () => {
    const settings = security('{ readonly_rootfs: false, no_new_privileges: false, tmpfs: false }');
    expect(hardening(settings)).toMatchObject({ ReadonlyRootfs: false, SecurityOpt: [], Tmpfs: {} });
    expect(tmpfsPaths(settings)).toEqual([]);
  });
});
