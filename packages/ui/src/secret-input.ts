/**
 * What the Secrets page needs besides React: files turned into base64 byte for byte, and sizes in words.
 */

/** The most bytes a secret may hold; the gateway refuses more. */
export const MAX_SECRET_BYTES = 1024 * 1024;

/** Bytes handed to `String.fromCharCode` at once: far below any engine's limit on arguments. */
const CHUNK = 0x8000;

/** Standard base64 (with padding) of any bytes: every value 0–255 survives, unlike reading a file as text. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(start, start + CHUNK));
  }
  return btoa(binary);
}

/** How many bytes `text` takes as UTF-8, the way the gateway counts a text value. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** "1 byte", "512 bytes", "1.5 KB", "1 MB" (1 KB = 1024 bytes, as the 1 MB limit is meant). */
export function formatBytes(bytes: number): string {
  if (bytes === 1) return '1 byte';
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KB'] : [bytes / (1024 * 1024), 'MB'];
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${shown} ${unit}`;
}
