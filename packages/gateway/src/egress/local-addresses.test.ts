import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isLocalAddress } from './local-addresses.js';

describe('isLocalAddress', () => {
  it('counts every loopback address as local, in both families and IPv4 written as IPv6', () => {
    for (const address of ['127.0.0.1', '127.255.0.7', '::1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3'])
      expect(isLocalAddress(address)).toBe(true);
  });

  it('counts the unspecified and link-local addresses (the cloud metadata service) as local', () => {
    for (const address of ['0.0.0.0', '::', '169.254.169.254', 'fe80::1'])
      expect(isLocalAddress(address)).toBe(true);
  });

  it('counts the addresses of this machine’s own interfaces as local', () => {
    const own = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
    for (const entry of own) expect(isLocalAddress(entry.address)).toBe(true);
  });

  it('lets other hosts through, on the internet and on the local network alike', () => {
    for (const address of ['1.1.1.1', '2606:4700:4700::1111', '93.184.216.34'])
      expect(isLocalAddress(address)).toBe(false);
  });

  it('refuses what is not an IP address', () => {
    expect(() => isLocalAddress('example.com')).toThrow('not an IP address: example.com');
  });
});
