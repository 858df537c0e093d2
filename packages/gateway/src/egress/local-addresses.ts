/**
 * Which addresses count as "this machine": a sandbox may reach the internet through the gateway, but never the
 * gateway's own ports or any other service that listens on the machine (or the cloud metadata service beside it).
 */
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Ranges that always mean this machine or its link, whatever its interfaces are. */
const ALWAYS_LOCAL = new BlockList();
ALWAYS_LOCAL.addSubnet('127.0.0.0', 8, 'ipv4');
ALWAYS_LOCAL.addSubnet('0.0.0.0', 8, 'ipv4');
ALWAYS_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_LOCAL.addAddress('::1', 'ipv6');
ALWAYS_LOCAL.addAddress('::', 'ipv6');
ALWAYS_LOCAL.addSubnet('fe80::', 10, 'ipv6');

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is checked as the IPv4 address it is. */
function unmapped(address: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return match?.[1] ?? address;
}

/**
 * Whether `address` (an IP literal) belongs to this machine: loopback, unspecified, link-local, or an address of
 * one of its interfaces as they are now (interfaces come and go, Docker's bridges among them).
 */
export function isLocalAddress(address: string): boolean {
  const ip = unmapped(address);
  const family = isIP(ip);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (ALWAYS_LOCAL.check(ip, type)) return true;
  const own = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return own.some((entry) => unmapped(entry.address).toLowerCase() === ip.toLowerCase());
}
