import { type HostPattern, parseHostPattern } from '@praktor/protocol';
import { describe, expect, it } from 'vitest';
import { egressPolicy } from './egress-policy.js';

const parse = (text: string): HostPattern => {
  const pattern = parseHostPattern(text);
  if (typeof pattern === 'string') throw new Error(pattern);
  return pattern;
};
const rules = (allow: string[], deny: string[] = []) => ({ allow: allow.map(parse), deny: deny.map(parse) });
const isLocal = (address: string) => address.startsWith('127.') || address === '::1';
const PUBLIC = ['203.0.113.7'];

describe('the egress policy', () => {
  it('lets every public destination through when it has no lists', () => {
    const policy = egressPolicy(rules([]), isLocal);
    expect(policy.byName({ host: 'example.com', port: 443 })).toBeNull();
    expect(policy.byAddresses({ host: 'example.com', port: 443 }, PUBLIC)).toBeNull();
  });

  it('refuses a denied name before it is resolved, naming the pattern', () => {
    const policy = egressPolicy(rules([], ['*.tracker.example']), isLocal);
    expect(policy.byName({ host: 'ads.tracker.example', port: 443 })).toBe(
      'is denied by egress.deny "*.tracker.example"',
    );
    expect(policy.byName({ host: 'tracker.example', port: 443 })).toBeNull();
  });

  it('refuses a name that resolves to a denied address', () => {
    const policy = egressPolicy(rules([], ['203.0.113.7']), isLocal);
    expect(policy.byAddresses({ host: 'innocent.example', port: 443 }, PUBLIC)).toBe(
      'is denied by egress.deny "203.0.113.7"',
    );
  });

  it('denies even what the allow list names', () => {
    const policy = egressPolicy(rules(['*.github.com'], ['gist.github.com']), isLocal);
    expect(policy.byName({ host: 'gist.github.com', port: 443 })).not.toBeNull();
    expect(policy.byAddresses({ host: 'api.github.com', port: 443 }, PUBLIC)).toBeNull();
  });

  it('with an allow list, refuses what it does not name, ports included', () => {
    const policy = egressPolicy(rules(['*.github.com', 'api.example.com:8443']), isLocal);
    expect(policy.byAddresses({ host: 'api.example.com', port: 8443 }, PUBLIC)).toBeNull();
    expect(policy.byAddresses({ host: 'api.example.com', port: 443 }, PUBLIC)).toBe('is not in egress.allow');
    expect(policy.byAddresses({ host: 'example.org', port: 443 }, PUBLIC)).toBe('is not in egress.allow');
  });

  it('refuses this machine by default, and through any wildcard', () => {
    for (const allow of [[], ['*'], ['*:8443'], ['*.localtest.example']]) {
      const policy = egressPolicy(rules(allow), isLocal);
      expect(policy.byAddresses({ host: 'app.localtest.example', port: 8443 }, ['127.0.0.1'])).toMatch(
        /^is on this machine \(127\.0\.0\.1\)/,
      );
    }
  });

  it('refuses this machine when the allow list names the host without a port', () => {
    const policy = egressPolicy(rules(['127.0.0.1', 'localhost']), isLocal);
    expect(policy.byAddresses({ host: '127.0.0.1', port: 8443 }, ['127.0.0.1'])).toMatch(
      /^is on this machine/,
    );
    expect(policy.byAddresses({ host: 'localhost', port: 8443 }, ['127.0.0.1'])).toMatch(
      /^is on this machine/,
    );
  });

  it('lets through a local destination that the allow list names exactly, and only that port', () => {
    const policy = egressPolicy(rules(['127.0.0.1:8443', 'localhost:9000']), isLocal);
    expect(policy.byAddresses({ host: '127.0.0.1', port: 8443 }, ['127.0.0.1'])).toBeNull();
    expect(policy.byAddresses({ host: 'localhost', port: 9000 }, ['127.0.0.1', '::1'])).toBeNull();
    expect(policy.byAddresses({ host: '127.0.0.1', port: 8444 }, ['127.0.0.1'])).toBe(
      'is not in egress.allow',
    );
  });
});
