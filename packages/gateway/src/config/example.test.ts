/**
 * The example configuration the compose deployment starts from (config/praktor.example.yaml) loads as it is,
 * without problems or warnings, and sets what its comments promise.
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { loadConfig } from './load.js';

const EXAMPLE = fileURLToPath(new URL('../../../../config/praktor.example.yaml', import.meta.url));

test('config/praktor.example.yaml loads without warnings', () => {
  const { config, warnings } = loadConfig({
    env: { PRAKTOR_CONFIG: EXAMPLE, PRAKTOR_TELEGRAM_TOKEN: '123:abc', ANTHROPIC_API_KEY: 'sk-example' },
  });
  expect(warnings).toEqual([]);
  expect(config.defaults.runtime).toBe('docker');
  expect(Object.keys(config.agents)).toEqual(['general', 'coder', 'researcher', 'builder', 'offline']);
  expect(config.telegram.token).toBe('123:abc');
});
