/**
 * The names Mission Control answers to. A browser puts the name of the site it believes it is talking to in
 * `Host`; a page that re-points its own domain at this machine (DNS rebinding) still sends its own domain, so
 * a request is served only when `Host` is a name that can only mean this machine, or one the user listed.
 */
import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Listen addresses that mean "every interface" rather than one address a browser could name. */
const WILDCARD_ADDRESSES = new Set(['', '0.0.0.0', '::']);

/**
 * Whether `name` is a loopback address or `localhost`: exactly `localhost`, `::1`, or an IPv4 literal in
 * 127.0.0.0/8. A name that merely starts with `127.` (`127.attacker.example`) is a domain anyone can point anywhere.
 */
export function isLoopback(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'localhost' || lower === '::1' || (isIPv4(lower) && lower.startsWith('127.'));
}

/**
 * The name part of a `Host` header (`[::1]:8080` → `::1`, `Example.com:80` → `example.com`), or null when the
 * header is not a host with an optional port.
 */
export function hostName(header: string): string | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]/@\s]+))(?::\d{1,5})?$/.exec(header);
  const name = match?.[1] ?? match?.[2];
  return name === undefined ? null : name.toLowerCase();
}

/** The addresses this machine's interfaces have right now, as IP literals. */
function interfaceAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) addresses.add(entry.address.toLowerCase());
  }
  return addresses;
}

/** Decides which `Host` names are this Mission Control. */
export class AllowedHosts {
  private readonly listed: Set<string>;

  /**
   * @param listenHost `web.host`: allowed as a name too unless it is a wildcard address.
   * @param allowedHosts `web.allowed_hosts`: further names, such as a reverse proxy's domain.
   */
  constructor(listenHost: string, allowedHosts: readonly string[]) {
    this.listed = new Set(allowedHosts.map((name) => name.toLowerCase()));
    const listen = listenHost.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (!WILDCARD_ADDRESSES.has(listen)) this.listed.add(listen);
  }

  /** Whether a request with `Host: header` is for this Mission Control. */
  allows(header: string | undefined): boolean {
    const name = header === undefined ? null : hostName(header);
    if (name === null) return false;
    // Interfaces are asked last, and each time: they change (a new Wi-Fi network) while the gateway runs.
    return isLoopback(name) || this.listed.has(name) || interfaceAddresses().has(name);
  }
}
