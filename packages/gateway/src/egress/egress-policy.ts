/**
 * Where one agent's internet traffic may go: its `egress.deny` patterns are refused, and when it has an
 * `egress.allow` list only what that names is let through. This machine (see local-addresses.ts) is refused
 * whatever the lists say, except for a destination that an allow pattern names exactly — one host or address and
 * one port — so reaching a local service is always a deliberate, visible choice and never the side effect of a
 * wildcard.
 */
import { type Destination, type HostPattern, hostMatches } from '@praktor/protocol';

/** An agent's egress lists, parsed. */
export interface EgressRules {
  allow: readonly HostPattern[];
  deny: readonly HostPattern[];
}

/** Decides on one destination; each method returns why it is refused, or null. */
export interface EgressPolicy {
  /** Judged on the name alone, before anything is resolved: a denied name is never looked up. */
  byName(destination: Destination): string | null;
  /** Judged on every address the destination resolved to. */
  byAddresses(destination: Destination, addresses: readonly string[]): string | null;
}

/** Whether `pattern` names one destination exactly: a single host or address, and a port. */
function exact(pattern: HostPattern): boolean {
  return (pattern.kind === 'name' || pattern.kind === 'address') && pattern.port !== null;
}

/** The policy for `rules`; `isLocal` tells which addresses are this machine. */
export function egressPolicy(rules: EgressRules, isLocal: (address: string) => boolean): EgressPolicy {
  const denied = (destination: Destination, addresses: readonly string[]) =>
    rules.deny.find((pattern) => hostMatches(pattern, destination, addresses));
  return {
    byName(destination) {
      const pattern = denied(destination, []);
      return pattern ? `is denied by egress.deny "${pattern.text}"` : null;
    },
    byAddresses(destination, addresses) {
      const deny = denied(destination, addresses);
      if (deny) return `is denied by egress.deny "${deny.text}"`;
      const allowed = rules.allow.filter((pattern) => hostMatches(pattern, destination, addresses));
      if (rules.allow.length > 0 && allowed.length === 0) return 'is not in egress.allow';
      const local = addresses.find(isLocal);
      if (local !== undefined && !allowed.some(exact)) {
        return `is on this machine (${local}), and agents may not reach local services unless egress.allow names the host and port exactly`;
      }
      return null;
    },
  };
}
