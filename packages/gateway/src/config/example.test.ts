/**
 * The example configuration the compose deployment starts from (config/praktor.example.yaml) loads as it is,
 * without problems or warnings, sets what its comments promise, and shows every key of the schema (commented out
 * where the value is the user's own: a secret, another machine).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { loadConfig } from './load.js';
import { agentShape, configShape } from './schema.js';

const EXAMPLE = fileURLToPath(new URL('../../../../config/praktor.example.yaml', import.meta.url));

/** Keys accepted for compatibility with the original and not used: showing them would suggest they do something. */
const UNUSED = new Set(['nats', 'agentmail', 'claude_md', 'agentmail_inbox_id']);

test('config/praktor.example.yaml loads without warnings', () => {
  const { config, warnings } = loadConfig({
    env: { PRAKTOR_CONFIG: EXAMPLE, PRAKTOR_TELEGRAM_TOKEN: '123:abc', ANTHROPIC_API_KEY: 'sk-example' },
  });
  expect(warnings).toEqual([]);
  expect(config.defaults.runtime).toBe('docker');
  expect(Object.keys(config.agents)).toEqual(['general', 'coder', 'researcher', 'builder', 'offline']);
  expect(config.telegram.token).toBe('123:abc');
});

describe('config/praktor.example.yaml shows every key', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  /** Whether `key` is written (or commented out) at the start of a line indented by `indent`, in `within`. */
  const shows = (within: string, key: string, indent: string) =>
    new RegExp(`^${indent}(# )?${key}:`, 'm').test(within);

  test.each(Object.keys(configShape).filter((key) => !UNUSED.has(key)))('%s', (key) => {
    expect(shows(text, key, '')).toBe(true);
  });

  // From `agents:` to the next top-level key.
  const fromAgents = text.slice(text.indexOf('\nagents:\n') + 1);
  const agents = fromAgents.slice(0, fromAgents.search(/\n[a-z_]+:/) + 1);
  test.each(Object.keys(agentShape).filter((key) => !UNUSED.has(key)))('agents.<id>.%s', (key) => {
    expect(shows(agents, key, ' {4}')).toBe(true);
  });
});
