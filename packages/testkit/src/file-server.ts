/**
 * A folder served over HTTP on loopback, read-only: a binary cache `nix copy --to file://…` made, for the nix
 * suites' substituter.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/** A running file server. */
export interface FileServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the files under `root` (404 for anything else, paths outside it included). */
export async function serveFolder(root: string): Promise<FileServer> {
  const server = createServer((req, res) => {
    const file = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
