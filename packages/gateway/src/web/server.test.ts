import { describe, expect, test } from 'vitest';
import { unsafeExposure } from './server.js';

describe('unsafeExposure', () => {
  test.each(['127.0.0.1', '127.0.0.2', '::1', 'localhost'])('lets %s listen without a password', (host) => {
    expect(unsafeExposure(host, '')).toBeNull();
  });

  test.each(['0.0.0.0', '::', '192.168.1.20', '127.attacker.example'])(
    'refuses %s without a password, naming web.auth',
    (host) => {
      expect(unsafeExposure(host, '')).toContain('Set web.auth (or PRAKTOR_WEB_PASSWORD)');
    },
  );

  test('lets any address listen with a password', () => {
    expect(unsafeExposure('0.0.0.0', 'a password')).toBeNull();
  });
});
