/**
 * New files in an agent's workspace volume on the real Docker engine, as uploads are saved: never over a name that
 * is taken, whether it was taken before or while the file was being written.
 */
import { execFileSync } from 'node:child_process';
import {
  ensureTestImage,
  removeInstallation,
  requireDocker,
  TEST_IMAGE_TIMEOUT_MS,
  testPrefix,
} from '@praktor/testkit';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerNames, WORKSPACE_PATH } from './docker-names.js';
import { DockerVolumes } from './docker-volumes.js';
import { AGENT_UID } from './layout.js';
import { numberedName } from './upload-names.js';

const missing = requireDocker('the Docker volumes suite');

const owner = { uid: AGENT_UID, gid: AGENT_UID };
const CANDIDATES = Array.from({ length: 10 }, (_, i) => numberedName('x.txt', i + 1));

describe.skipIf(missing !== null)('new files in a Docker workspace volume', () => {
  const prefix = testPrefix('vols');
  const names = new DockerNames(prefix);
  const volumes = new DockerVolumes(new Docker(), names);
  let image = '';
  let workspaces = 0;

  beforeAll(() => {
    image = ensureTestImage();
  }, TEST_IMAGE_TIMEOUT_MS);

  afterAll(() => removeInstallation(prefix));

  /** A new, empty workspace volume. */
  async function newVolume(): Promise<string> {
    workspaces += 1;
    const volume = names.workspaceVolume(`w${workspaces}`);
    await volumes.ensure(volume);
    return volume;
  }

  const writeNew = (volume: string, content: string) =>
    volumes.writeNew(image, volume, WORKSPACE_PATH, 'uploads', CANDIDATES, {
      mode: 0o644,
      ...owner,
      content: Buffer.from(content),
    });

  const read = async (volume: string, file: string) =>
    (await volumes.read(image, volume, WORKSPACE_PATH, file))?.toString();

  /** The names in the volume's uploads folder, hidden ones too, sorted. */
  function listUploads(volume: string): string[] {
    const out = execFileSync(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'none',
        '--mount',
        `type=volume,src=${volume},dst=/w`,
        '--entrypoint',
        'ls',
        image,
        '-A',
        '/w/uploads',
      ],
      { encoding: 'utf8' },
    );
    return out.split('\n').filter(Boolean).sort();
  }

  it('gives files of one name written at the same time a name each, none over another', async () => {
    const volume = await newVolume();
    const contents = Array.from({ length: 6 }, (_, i) => `upload number ${i}`);
    const saved = await Promise.all(contents.map((content) => writeNew(volume, content)));
    expect(new Set(saved).size).toBe(contents.length);
    for (const [i, name] of saved.entries()) expect(await read(volume, `uploads/${name}`)).toBe(contents[i]);
    // No temporary name is left behind.
    expect(listUploads(volume)).toEqual(CANDIDATES.slice(0, contents.length).sort());
  });

  it('skips a name taken by a file, a folder or a symbolic link, and leaves each as it was', async () => {
    const volume = await newVolume();
    await volumes.write(image, volume, WORKSPACE_PATH, [
      { name: 'uploads/', type: 'dir', mode: 0o755, ...owner },
      { name: 'uploads/x.txt', type: 'file', mode: 0o644, ...owner, content: Buffer.from('the agent’s') },
      { name: 'uploads/x-2.txt/', type: 'dir', mode: 0o755, ...owner },
      { name: 'uploads/x-3.txt', type: 'symlink', mode: 0o777, ...owner, target: '../AGENT.md' },
    ]);
    expect(await writeNew(volume, 'the upload')).toBe('x-4.txt');
    expect(await read(volume, 'uploads/x-4.txt')).toBe('the upload');
    expect(await read(volume, 'uploads/x.txt')).toBe('the agent’s');
    expect(await read(volume, 'AGENT.md')).toBeUndefined();
    expect(listUploads(volume)).toEqual(['x-2.txt', 'x-3.txt', 'x-4.txt', 'x.txt']);
  });

  it('writes nothing when every name is taken', async () => {
    const volume = await newVolume();
    await volumes.write(image, volume, WORKSPACE_PATH, [
      { name: 'uploads/', type: 'dir', mode: 0o755, ...owner },
      ...CANDIDATES.map((name) => ({
        name: `uploads/${name}`,
        type: 'file' as const,
        mode: 0o644,
        ...owner,
        content: Buffer.from(name),
      })),
    ]);
    expect(await writeNew(volume, 'one too many')).toBeNull();
    expect(listUploads(volume)).toEqual([...CANDIDATES].sort());
    expect(await read(volume, 'uploads/x.txt')).toBe('x.txt');
  });
});
