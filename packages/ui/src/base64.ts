/** Files chosen in the browser, sent to the API as base64. */

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
