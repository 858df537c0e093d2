/**
 * How secret files reach a container: where each one's bytes live (always a tmpfs) and what may not be placed.
 * The Docker suite (docker.e2e.test.ts) checks the outcome inside a real container.
 */
import { describe, expect, it } from 'vitest';
import { planSecretFiles, SECRETS_PATH } from './docker-secrets.js';
import type { SandboxFile } from './runtime.js';

const file = (target: string, mode = 0o600, content = 'value'): SandboxFile => ({
  secret: 'key',
  target,
  mode,
  content: Buffer.from(content),
});

const TMPFS = ['/tmp', '/var/tmp'];

describe('planSecretFiles', () => {
  it('gives a file in the root filesystem a tmpfs of its own at its folder, owned by the agent', () => {
    const plan = planSecretFiles([file('/etc/gcp/sa.json', 0o640)], TMPFS);
    expect(plan.newFolders.map((entry) => entry.folder)).toEqual(['/etc/gcp']);
    expect(plan.tmpfs['/etc/gcp']).toMatch(/^rw,noexec,nosuid,nodev,size=\d+k,uid=10321,gid=10321,mode=750$/);
    expect(plan.contents).toEqual([
      expect.objectContaining({ name: 'etc/gcp/sa.json', mode: 0o640, uid: 10321 }),
    ]);
    expect(plan.links.size).toBe(0);
  });

  it('writes a file under an in-memory /tmp where it is, with no mount of its own', () => {
    const plan = planSecretFiles([file('/tmp/app/token')], TMPFS);
    expect(plan.tmpfs).toEqual({});
    expect(plan.contents.map((entry) => entry.name)).toEqual(['tmp/app/token']);
  });

  it('treats /tmp like any folder of the image when it is not in memory', () => {
    expect(planSecretFiles([file('/tmp/token')], []).newFolders.map((entry) => entry.folder)).toEqual([
      '/tmp',
    ]);
  });

  it('links a file in the home volume to the secrets tmpfs, so the volume holds no secret', () => {
    const plan = planSecretFiles([file('/home/praktor/.ssh/id_ed25519')], TMPFS);
    expect(plan.contents).toEqual([expect.objectContaining({ name: `${SECRETS_PATH.slice(1)}/0` })]);
    expect(plan.tmpfs[SECRETS_PATH]).toMatch(/mode=700$/);
    expect(plan.newFolders).toEqual([]);
    expect(plan.links.get('/home/praktor')).toEqual([
      expect.objectContaining({ name: '.ssh/', type: 'dir', mode: 0o700, uid: 10321 }),
      expect.objectContaining({ name: '.ssh/id_ed25519', type: 'symlink', target: `${SECRETS_PATH}/0` }),
    ]);
  });

  it('mounts one tmpfs for folders inside one another', () => {
    const plan = planSecretFiles([file('/etc/app/a.json'), file('/etc/app/keys/b.pem')], TMPFS);
    expect(Object.keys(plan.tmpfs)).toEqual(['/etc/app']);
    expect(plan.contents.map((entry) => entry.name)).toEqual(['etc/app/a.json', 'etc/app/keys/b.pem']);
  });

  it.each([
    ['/proc/self/x', 'that folder is not the agent’s to write'],
    ['/workspace/global/USER.md', 'that folder is not the agent’s to write'],
    ['/sa.json', 'a file needs a folder of its own'],
    ['/home/praktor', 'that is a folder'],
  ])('refuses %s, naming the secret and why', (target, why) => {
    expect(() => planSecretFiles([file(target)], TMPFS)).toThrow(
      `the file of secret "key" cannot be placed at ${target}: ${why}`,
    );
  });
});
