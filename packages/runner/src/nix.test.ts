/**
 * How nix's answers become the text the agent and the chat read, as the original words them: the profile of nix
 * 2.8 (text) and of newer nix (JSON), and search results.
 */
import { describe, expect, it } from 'vitest';
import {
  AgentNix,
  formatProfile,
  formatSearch,
  NIX_NOT_ENABLED,
  parseProfileJson,
  parseProfileText,
} from './nix.js';

const HELLO = '/nix/store/0c8bqw1dms5k7mnlnf9lbi0ijzbw4k5x-hello-2.12.1';
const LOCAL = '/nix/store/7k1m3dyyq6ji4m6z3v7w5d8q2g0b3x9c-hello-praktor-1.0';

describe('the nix profile as the agent reads it', () => {
  it('names nix 2.8 elements by their attribute, or by their store path when installed from one', () => {
    const listed = parseProfileText(
      `0 flake:nixpkgs#legacyPackages.x86_64-linux.hello github:NixOS/nixpkgs/abc#legacyPackages.x86_64-linux.hello ${HELLO}\n` +
        `1 - - ${LOCAL}\n`,
    );
    expect(formatProfile(listed)).toBe('hello: 2.12.1\nhello-praktor: 1.0');
  });

  it('reads newer nix’s JSON, with elements keyed by name', () => {
    const listed = parseProfileJson(
      JSON.stringify({ version: 3, elements: { hello: { storePaths: [HELLO] } } }),
    );
    expect(formatProfile(listed ?? [])).toBe('hello: 2.12.1');
  });

  it('says "unknown" for an element without store paths, and when nothing is installed says so', () => {
    expect(formatProfile([{ name: 'ghost', storePaths: [] }])).toBe('ghost: unknown');
    expect(formatProfile(parseProfileText(''))).toBe('No packages installed.');
  });

  it('leaves output it cannot read as JSON to be shown as it is', () => {
    expect(parseProfileJson('not json')).toBeNull();
  });
});

describe('nix search results as the agent reads them', () => {
  it('shows each result once, name and version over its description', () => {
    const found = JSON.stringify({
      'legacyPackages.x86_64-linux.hello': { pname: 'hello', version: '2.12.1', description: 'Says hello' },
      'legacyPackages.x86_64-linux.hello-alias': {
        pname: 'hello',
        version: '2.12.1',
        description: 'Says hello',
      },
      'legacyPackages.x86_64-linux.jq': { pname: 'jq', version: '1.7', description: 'JSON processor' },
    });
    expect(formatSearch(found)).toBe('hello 2.12.1\nSays hello\n\njq 1.7\nJSON processor');
  });

  it('says when nothing was found', () => {
    expect(formatSearch('{}')).toBe('No results found.');
  });
});

describe('an agent without nix', () => {
  const actions = ['search', 'add', 'list', 'remove', 'upgrade', 'collect_garbage'] as const;

  it('is told by every action that nix_enabled is off', async () => {
    for (const action of actions) {
      expect(await new AgentNix(null).run(action, ['hello'])).toEqual({ ok: false, text: NIX_NOT_ENABLED });
    }
  });

  it('is told by every action why the machine it runs on gives it none, and how to enable it', async () => {
    const why = 'Nix is not available: this machine has no nix. To enable it, install nix.';
    for (const action of actions) {
      expect(await new AgentNix(null, why).run(action, ['hello'])).toEqual({ ok: false, text: why });
    }
  });
});
