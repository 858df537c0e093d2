import { expect, test } from 'vitest';
import { timezoneProblem } from './timezone.js';

test('accepts IANA names and UTC', () => {
  for (const name of ['Europe/Berlin', 'America/Argentina/Buenos_Aires', 'UTC']) {
    expect(timezoneProblem(name)).toBeNull();
  }
});

test('names an unknown zone and says what to write instead', () => {
  expect(timezoneProblem('Mars/Olympus')).toBe(
    'unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin or UTC)',
  );
});
