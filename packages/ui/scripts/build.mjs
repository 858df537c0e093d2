// Builds Mission Control with Vite, unless dist/index.html is newer than every file the bundle is made from:
// `npm test` and `npm start` call this every time, and a Vite build takes seconds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const uiDir = fileURLToPath(new URL('..', import.meta.url));
const protocolDist = join(uiDir, '..', 'protocol', 'dist');
const output = join(uiDir, 'dist', 'index.html');

/** Newest modification time (ms) of `path`, a file or a folder searched through; tests are not bundle inputs. */
function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

if (!existsSync(protocolDist)) {
  console.error('ui: packages/protocol/dist is missing; run `npx tsc -b` first');
  process.exit(1);
}

const inputs = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package.json'].map((p) =>
  join(uiDir, p),
);
inputs.push(protocolDist);
const newestInput = Math.max(...inputs.map(newestMtime));

if (existsSync(output) && statSync(output).mtimeMs > newestInput) {
  console.log('ui: up to date');
} else {
  // What ships is the production build even when a test run (NODE_ENV=test) asks for it: React's development
  // build is larger and slower, and the result is served by every gateway afterwards.
  process.env.NODE_ENV = 'production';
  await build({ root: uiDir, mode: 'production', logLevel: 'warn' });
  console.log('ui: built packages/ui/dist');
}
