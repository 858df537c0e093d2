/**
 * Where an archive's volumes go back to: each to the Docker host its manifest names, archives from before hosts to
 * `local`, and an archive naming a host the configuration lacks is refused before anything is written.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupManifest } from '@praktor/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse.js';
import { ArchiveWriter } from './archive-writer.js';
import { hostOfVolume } from './docker-part.js';
import { safeEntryName, volumeFolder } from './layout.js';
import { RestoreRefused, restoreBackup } from './restore.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function scratch(): string {
  const folder = mkdtempSync(join(tmpdir(), 'praktor-backup-hosts-'));
  folders.push(folder);
  return folder;
}

const VERSION_1 = {
  format: 'praktor-backup',
  version: 1,
  praktor: '0.9.0',
  created_at: '2026-11-01T10:00:00.000Z',
  docker_prefix: 'praktor',
  volumes: ['global', 'home-main', 'wk-main'],
  entries: 0,
  files: {},
};

describe('backup manifests and hosts', () => {
  it('reads a version 1 manifest’s volumes as coming from no named host, in their old folders, restored on local', () => {
    const manifest = BackupManifest.parse(VERSION_1);
    expect(manifest.volumes).toEqual([
      { name: 'global', host: null },
      { name: 'home-main', host: null },
      { name: 'wk-main', host: null },
    ]);
    expect(manifest.volumes.map(volumeFolder)).toEqual([
      'volumes/global/',
      'volumes/home-main/',
      'volumes/wk-main/',
    ]);
    expect(manifest.volumes.map((v) => hostOfVolume(v.host))).toEqual(['local', 'local', 'local']);
  });

  it('reads a version 2 manifest’s volumes with their hosts, each in a folder of its host', () => {
    const manifest = BackupManifest.parse({
      ...VERSION_1,
      version: 2,
      volumes: [
        { name: 'wk-main', host: 'local' },
        { name: 'wk-main', host: 'attic' },
      ],
    });
    expect(manifest.volumes.map(volumeFolder)).toEqual(['volumes/local/wk-main/', 'volumes/attic/wk-main/']);
  });

  it('keeps any host name one safe part of the path in the archive', () => {
    for (const host of ['..', '.', 'a/b', 'büro 2', '%2E']) {
      const folder = volumeFolder({ name: 'wk-main', host });
      expect(safeEntryName(`${folder}file`)).toBe(true);
      expect(folder.split('/')).toHaveLength(4);
    }
    expect(volumeFolder({ name: 'wk-main', host: '..' })).not.toBe(
      volumeFolder({ name: 'wk-main', host: '.' }),
    );
  });

  it('refuses to restore volumes of a host the configuration does not name, naming it and its volumes, and writes nothing', async () => {
    const file = join(scratch(), 'backup.tar.zst');
    const writer = new ArchiveWriter(file);
    const meta = { mode: 0o755, uid: 0, gid: 0, mtime: new Date() };
    await writer.dir({ ...meta, name: 'data/' });
    await writer.dir({ ...meta, name: 'volumes/attic/wk-main/' });
    await writer.dir({ ...meta, name: 'volumes/attic/home-main/' });
    await writer.finish({
      format: 'praktor-backup',
      version: 2,
      praktor: 'test',
      created_at: new Date().toISOString(),
      docker_prefix: 'praktor',
      volumes: [
        { name: 'wk-main', host: 'attic' },
        { name: 'home-main', host: 'attic' },
      ],
    });
    const dataDir = join(scratch(), 'data');
    const { config } = parseConfig('defaults: { runtime: docker }\n', {
      env: { PRAKTOR_DATA_DIR: dataDir },
      source: 'praktor.yaml',
      cwd: scratch(),
    });
    const restoring = restoreBackup({ config, file, overwrite: false });
    await expect(restoring).rejects.toThrow(RestoreRefused);
    await expect(restoring).rejects.toThrow(
      'the archive holds volumes of the Docker host "attic" (wk-main, home-main), which docker.hosts does not name',
    );
    expect(existsSync(dataDir)).toBe(false);
  });
});
