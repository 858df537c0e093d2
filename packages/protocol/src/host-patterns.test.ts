import { describe, expect, it } from 'vitest';
import { hostMatches, parseHostPattern } from './host-patterns.js';

const parse = (text: string) => {
  const pattern = parseHostPattern(text);
  if (typeof pattern === 'string') throw new Error(pattern);
  return pattern;
};

describe('host patterns', () => {
  it('reads names, wildcards, addresses and ports', () => {
    expect(parse('API.Example.com.')).toMatchObject({ kind: 'name', host: 'api.example.com', port: null });
    expect(parse('*.github.com')).toMatchObject({ kind: 'suffix', host: 'github.com', port: null });
    expect(parse('*')).toMatchObject({ kind: 'any', port: null });
    expect(parse('api.example.com:8443')).toMatchObject({ kind: 'name', port: 8443 });
    expect(parse('10.1.2.3')).toMatchObject({ kind: 'address', host: '10.1.2.3' });
    expect(parse('[::1]:9000')).toMatchObject({ kind: 'address', host: '::1', port: 9000 });
  });

  it('refuses what is not a pattern, saying what to write', () => {
    for (const text of [
      'https://example.com',
      'exa mple.com',
      'a.*.com',
      'host:0',
      'host:70000',
      '::1',
      '[nope]',
      '',
    ])
      expect(parseHostPattern(text)).toMatch(
        /^".*" (is not a host pattern|has a port|is an IPv6|has brackets)/,
      );
  });

  it('matches a wildcard below its domain only, not the domain itself', () => {
    const pattern = parse('*.github.com');
    expect(hostMatches(pattern, { host: 'api.github.com', port: 443 })).toBe(true);
    expect(hostMatches(pattern, { host: 'a.b.GITHUB.com', port: 443 })).toBe(true);
    expect(hostMatches(pattern, { host: 'github.com', port: 443 })).toBe(false);
    expect(hostMatches(pattern, { host: 'evilgithub.com', port: 443 })).toBe(false);
  });

  it('matches a port only when the pattern names it', () => {
    expect(hostMatches(parse('api.example.com:8443'), { host: 'api.example.com', port: 443 })).toBe(false);
    expect(hostMatches(parse('api.example.com'), { host: 'api.example.com', port: 8443 })).toBe(true);
  });

  it('matches an address written as the host or resolved from a name', () => {
    const pattern = parse('[::1]');
    expect(hostMatches(pattern, { host: '[::1]', port: 80 })).toBe(true);
    expect(hostMatches(pattern, { host: 'localhost', port: 80 }, ['127.0.0.1', '::1'])).toBe(true);
    expect(hostMatches(pattern, { host: 'localhost', port: 80 }, ['127.0.0.1'])).toBe(false);
  });
});
