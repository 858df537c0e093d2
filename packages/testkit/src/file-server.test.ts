import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileServer, serveFolder } from './file-server.js';

describe('serveFolder', () => {
  const top = mkdtempSync(join(tmpdir(), 'praktor-files-'));
  const root = join(top, 'cache');
  let server: FileServer;

  beforeAll(async () => {
    mkdirSync(join(root, 'nar'), { recursive: true });
    writeFileSync(join(root, 'nar', 'a.nar'), 'contents');
    writeFileSync(join(top, 'outside.txt'), 'not served');
    server = await serveFolder(root);
  });

  afterAll(async () => {
    await server.close();
    rmSync(top, { recursive: true, force: true });
  });

  it('serves the files under its folder', async () => {
    const response = await fetch(`${server.url}/nar/a.nar`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('contents');
  });

  it('answers 404 for a missing file and for a path leading out of its folder', async () => {
    expect((await fetch(`${server.url}/nar/missing.nar`)).status).toBe(404);
    expect((await fetch(`${server.url}/%2e%2e/outside.txt`)).status).toBe(404);
  });
});
