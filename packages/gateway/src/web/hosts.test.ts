import { networkInterfaces } from 'node:os';
import { describe, expect, test } from 'vitest';
import { AllowedHosts, hostName, isLoopback } from './hosts.js';

describe('isLoopback', () => {
  test.each(['127.0.0.1', '127.255.0.9', '::1', 'localhost', 'LocalHost'])('%s is loopback', (name) => {
    expect(isLoopback(name)).toBe(true);
  });

  test.each([
    '127.attacker.example',
    '127.0.0.1.evil.example',
    '127.1',
    '0.0.0.0',
    '::',
    '10.0.0.1',
    'localhost.evil.example',
  ])('%s is not', (name) => {
    expect(isLoopback(name)).toBe(false);
  });
});

describe('hostName', () => {
  test.each([
    ['127.0.0.1:8080', '127.0.0.1'],
    ['[::1]:8080', '::1'],
    ['[::1]', '::1'],
    ['Praktor.Example.com', 'praktor.example.com'],
    ['praktor.example.com:443', 'praktor.example.com'],
  ])('reads %s as %s', (header, name) => {
    expect(hostName(header)).toBe(name);
  });

  test.each(['', ':8080', 'a:b:c', 'user@host', 'host/path', '[::1', 'host:port'])('refuses %j', (header) => {
    expect(hostName(header)).toBeNull();
  });
});

describe('AllowedHosts', () => {
  test('answers to loopback names with any port', () => {
    const hosts = new AllowedHosts('127.0.0.1', []);
    for (const header of ['127.0.0.1:8080', '127.0.0.2', 'localhost:1', '[::1]:8080']) {
      expect(hosts.allows(header)).toBe(true);
    }
  });

  test('refuses names that only start like a loopback address', () => {
    const hosts = new AllowedHosts('127.0.0.1', []);
    for (const header of ['127.attacker.example', '127.0.0.1.evil.example:8080', 'attacker.example']) {
      expect(hosts.allows(header)).toBe(false);
    }
  });

  test('refuses a request without a Host', () => {
    expect(new AllowedHosts('127.0.0.1', []).allows(undefined)).toBe(false);
  });

  test('answers to the names in web.allowed_hosts, in any case', () => {
    const hosts = new AllowedHosts('0.0.0.0', ['praktor.example.com']);
    expect(hosts.allows('Praktor.Example.COM:443')).toBe(true);
    expect(hosts.allows('other.example.com')).toBe(false);
  });

  test('answers to web.host when it is a specific address, not to a wildcard', () => {
    expect(new AllowedHosts('192.0.2.10', []).allows('192.0.2.10:8080')).toBe(true);
    expect(new AllowedHosts('0.0.0.0', []).allows('0.0.0.0:8080')).toBe(false);
    expect(new AllowedHosts('::', []).allows('[::]:8080')).toBe(false);
  });

  test("answers to each of this machine's interface addresses", () => {
    const hosts = new AllowedHosts('0.0.0.0', []);
    const addresses = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
    expect(addresses.length).toBeGreaterThan(0);
    for (const { address, family } of addresses) {
      expect({
        address,
        allowed: hosts.allows(family === 'IPv6' ? `[${address}]:8080` : `${address}:8080`),
      }).toEqual({
        address,
        allowed: true,
      });
    }
  });
});
