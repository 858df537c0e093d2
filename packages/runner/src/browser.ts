/**
 * The agent's browser: playwright-cli (a dependency of the runner) driving the Chromium of the sandbox, headless.
 * Finds the browser, puts the CLI on Claude Code's PATH with its settings, and writes the prompt section that teaches
 * the agent to use it — or tells it plainly that it has no browser.
 */
import { mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { findOnPath } from './path-search.js';

/** Names Chromium goes by on the PATH (Debian's package, Ubuntu's, Google's build). */
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** playwright-cli's package folder, as the runner resolves it. */
const CLI_DIR = dirname(createRequire(import.meta.url).resolve('@playwright/cli/package.json'));

/** What the runner gives Claude Code for browsing. */
export interface BrowserSetup {
  /** The Chromium executable, or null when the sandbox has none. */
  chromium: string | null;
  /** Variables for Claude Code's environment (PATH included). */
  env: Record<string, string>;
  /** The system prompt's BROWSER section. */
  section: string;
}

/** The first Chromium on `path` (a PATH value), or null. */
export function findChromium(path: string): string | null {
  return findOnPath(CHROMIUM_NAMES, path);
}

/** Makes `link` point at `target`, replacing a link that points elsewhere. */
function ensureLink(target: string, link: string): void {
  try {
    if (readlinkSync(link) === target) return;
    rmSync(link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  symlinkSync(target, link);
}

/**
 * The browser for an agent whose Claude Code gets `env`: `binDir` (in the agent's home) receives a `playwright-cli`
 * link to the runner's copy, so the same CLI runs in the local sandbox and in Docker.
 */
export function browserSetup(env: Record<string, string | undefined>, binDir: string): BrowserSetup {
  const path = env.PATH ?? '';
  const chromium = findChromium(path);
  if (chromium === null) return { chromium, env: {}, section: NO_BROWSER };
  mkdirSync(binDir, { recursive: true });
  ensureLink(join(CLI_DIR, 'playwright-cli.js'), join(binDir, 'playwright-cli'));
  return {
    chromium,
    env: {
      PATH: [binDir, path].filter((p) => p !== '').join(delimiter),
      PLAYWRIGHT_MCP_EXECUTABLE_PATH: chromium,
      PLAYWRIGHT_MCP_HEADLESS: 'true',
      // Chromium's own sandbox needs user namespaces, which the agent's sandbox does not grant: the agent's
      // sandbox is the browser's.
      PLAYWRIGHT_MCP_SANDBOX: 'false',
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
      // No update check against the npm registry on every first call of the day.
      NO_UPDATE_NOTIFIER: '1',
    },
    section: browserSection(join(CLI_DIR, 'skills', 'playwright-cli', 'SKILL.md')),
  };
}

function browserSection(skill: string): string {
  return `BROWSER
playwright-cli drives a headless Chromium that is installed and configured already: never install a browser (no
\`npx playwright install\`, no browser from npm or nix). Open a page with \`playwright-cli open <url>\`, then use
\`snapshot\` (element refs such as e15), \`click <ref>\`, \`fill <ref> <text>\`, \`goto <url>\`, \`eval "<js expression>"\`,
and \`screenshot --filename=<name>.png\` (saved in your workspace; send it to the user with file_send).
The browser stays open across messages: reuse it, with \`tab-new\`, \`tab-list\` and \`tab-select\` for more pages; do not
close it. It closes when you stop. Every command: \`playwright-cli --help\`; the full guide: ${skill}.`;
}

const NO_BROWSER = `BROWSER
No browser is available where you run (no Chromium on this machine), so you cannot open pages in a browser. Fetch
pages that need no JavaScript with WebFetch or curl; if the user needs a real browser, tell them to install
Chromium on the machine running Praktor, or to run agents in Docker, whose image has one.`;
