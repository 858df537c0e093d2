/**
 * What the browser tests share: Debian's Chromium started the way this closed network needs, the screen sizes
 * they check, and where their screenshots go.
 */
import { fileURLToPath } from 'node:url';
import { requireCommand } from '@praktor/testkit';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Null when Chromium is installed; otherwise the reason `suite` is skipped (printed), for `describe.skipIf`.
 * Under CI a missing Chromium fails the run instead (see requireCommand).
 */
export function requireChromium(suite: string): string | null {
  return requireCommand('chromium', suite, 'apt-get install chromium');
}

/** Screenshots land in the repository's test output folder. */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-results/screenshots/', import.meta.url));

/** The two screen sizes every page is checked at. */
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Starts headless Chromium; the flags keep it from reaching for the network it does not have. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
