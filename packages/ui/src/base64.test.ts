import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from './base64';

describe('bytesToBase64', () => {
  it('encodes every byte value as the standard alphabet does', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytesToBase64(all)).toBe(Buffer.from(all).toString('base64'));
  });

  it('encodes nothing as nothing, and lengths needing one and two padding characters', () => {
    expect(bytesToBase64(new Uint8Array())).toBe('');
    expect(bytesToBase64(Uint8Array.of(0xff))).toBe('/w==');
    expect(bytesToBase64(Uint8Array.of(0xfb, 0xff))).toBe('+/8=');
  });

  it('encodes a whole megabyte, larger than one chunk, byte for byte', () => {
    const big = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => (i * 7919) % 256);
    const encoded = bytesToBase64(big);
    expect(Buffer.from(encoded, 'base64').equals(Buffer.from(big))).toBe(true);
  });
});
