/**
 * The Node.js versions package.json states (`engines`, which the README repeats) are versions every installed
 * package accepts too: `npm install` on a stated version must not warn that a dependency needs a newer Node.
 * A binary built for another operating system only (such as sharp's for 32-bit Windows) is never installed here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url);

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  /** The operating systems npm installs the package on (a platform's binary); all when absent. */
  os?: string[];
}

/** Where Praktor runs (the sandboxes need Linux: bubblewrap or a Docker engine); a package only for others is skipped. */
const PRAKTOR_OS = ['linux'];

const manifest = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(new URL('package-lock.json', ROOT), 'utf8')) as {
  packages: Record<string, LockEntry>;
};
const readme = readFileSync(fileURLToPath(new URL('README.md', ROOT)), 'utf8');

/** The oldest release of each Node line people run; those the stated range includes are checked. */
const RELEASE_LINES = [
  '20.0.0',
  '20.19.0',
  '21.0.0',
  '22.0.0',
  '22.13.0',
  '23.0.0',
  '24.0.0',
  '25.0.0',
  '26.0.0',
];
const stated = RELEASE_LINES.filter((version) => semver.satisfies(version, manifest.engines.node));

describe('the stated Node.js versions', () => {
  it('include the long-term-support lines 20, 22 and 24', () => {
    expect(stated).toEqual(expect.arrayContaining(['20.19.0', '22.13.0', '24.0.0']));
  });

  it('are accepted by every package in the lockfile', () => {
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || range === undefined) return [];
      if (entry.os !== undefined && !entry.os.some((os) => PRAKTOR_OS.includes(os))) return [];
      const refused = stated.filter((version) => !semver.satisfies(version, range));
      return refused.length === 0 ? [] : [`${path}@${entry.version} needs node ${range}, not ${refused}`];
    });
    expect(refusing).toEqual([]);
  });

  it('are the ones the README names', () => {
    expect(readme).toContain('Node.js 20.19 or newer in the 20 line, 22.13 or newer, or 24 and later');
  });
});
