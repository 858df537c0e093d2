/**
 * Host patterns: how the egress policy (`egress.allow`, `egress.deny`) and injected credentials (`inject.hosts`)
 * name the destinations they apply to. Shared by the configuration, the vault and the gateway's internet proxy, so
 * that what is validated is exactly what is matched.
 */
import { z } from 'zod';

const IPV4 = z.ipv4();
const IPV6 = z.ipv6();

/** 4 or 6 for an IP address of that family, else 0 (like node:net's isIP, which browsers do not have). */
function ipFamily(text: string): 0 | 4 | 6 {
  if (IPV4.safeParse(text).success) return 4;
  return IPV6.safeParse(text).success ? 6 : 0;
}

/** One parsed pattern: `*` (any host), `*.example.com`, `api.example.com`, an IP address; with an optional port. */
export interface HostPattern {
  /** As written, for messages and logs. */
  text: string;
  /** `any`: every host; `suffix`: every name below `host`; `name`: that name; `address`: that IP address. */
  kind: 'any' | 'suffix' | 'name' | 'address';
  /** Lower-case, without brackets; empty for `any`. */
  host: string;
  /** Null: every port. */
  port: number | null;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name in lower case with no trailing dot, or null when `text` is not one. */
function hostName(text: string): string | null {
  const name = text.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253) return null;
  return name.split('.').every((label) => LABEL.test(label)) ? name : null;
}

/** Parses `text` as a host pattern; returns the pattern, or why it is not one. */
export function parseHostPattern(text: string): HostPattern | string {
  const example =
    'write a host such as api.example.com, *.example.com, 10.1.2.3 or [::1], optionally with :port';
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(text.trim());
  if (!match) return `"${text}" is not a host pattern (${example})`;
  const [, rawHost = '', rawPort] = match;
  const port = rawPort === undefined ? null : Number(rawPort);
  if (port !== null && (port < 1 || port > 65535)) return `"${text}" has a port outside 1-65535`;
  if (rawHost === '*') return { text, kind: 'any', host: '', port };
  const bracketed = rawHost.startsWith('[');
  const literal = bracketed ? rawHost.slice(1, -1) : rawHost;
  const family = ipFamily(literal);
  if (family !== 0) {
    if (family === 6 && !bracketed) return `"${text}" is an IPv6 address: write it in brackets ([::1])`;
    return { text, kind: 'address', host: literal.toLowerCase(), port };
  }
  if (bracketed) return `"${text}" has brackets around something that is not an IPv6 address`;
  if (rawHost.startsWith('*.')) {
    const suffix = hostName(rawHost.slice(2));
    return suffix === null
      ? `"${text}" is not a host pattern (${example})`
      : { text, kind: 'suffix', host: suffix, port };
  }
  const name = hostName(rawHost);
  return name === null
    ? `"${text}" is not a host pattern (${example})`
    : { text, kind: 'name', host: name, port };
}

/** A destination as a client asked for it: the host as written (name or IP literal) and the port. */
export interface Destination {
  host: string;
  port: number;
}

/** The host of `destination` in the form patterns are written in: lower case, no brackets, no trailing dot. */
export function normalHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

/**
 * Whether `pattern` names `destination`. An address pattern also names every destination that resolved to that
 * address (`addresses`), so denying an address cannot be walked around with a name that points at it.
 */
export function hostMatches(
  pattern: HostPattern,
  destination: Destination,
  addresses: readonly string[] = [],
): boolean {
  if (pattern.port !== null && pattern.port !== destination.port) return false;
  const host = normalHost(destination.host);
  switch (pattern.kind) {
    case 'any':
      return true;
    case 'suffix':
      return host.endsWith(`.${pattern.host}`);
    case 'name':
      return host === pattern.host;
    case 'address':
      return host === pattern.host || addresses.some((address) => address.toLowerCase() === pattern.host);
  }
}
