/**
 * The agent's nix tools (`praktor-nix`): find, install, list, remove and upgrade packages in its own nix profile,
 * whose `bin` is on its PATH. For an agent without nix, every tool says so and how to enable it.
 */
import {
  createSdkMcpServer,
  type McpSdkServerConfigWithInstance,
  tool,
} from '@anthropic-ai/claude-agent-sdk';
import { praktorToolNames } from '@praktor/protocol';
import { z } from 'zod';
import type { AgentNix, NixOutcome } from './nix.js';

/** The MCP server's name; the model sees the tools as `mcp__praktor-nix__<tool>`. */
export const NIX_SERVER = 'praktor-nix';

/** Every tool name as the model and `allowedTools` spell it. */
export const NIX_TOOL_NAMES = praktorToolNames(NIX_SERVER);

const PACKAGES = z
  .string()
  .min(1)
  .describe('Package names separated by spaces, as nixpkgs names them (e.g. "python3 ffmpeg").');

const words = (text: string) => text.split(/\s+/).filter((w) => w !== '');

function answer(outcome: NixOutcome) {
  return { content: [{ type: 'text' as const, text: outcome.text }], isError: !outcome.ok };
}

/** The `praktor-nix` server for one Claude Code process. */
export function nixTools(nix: AgentNix): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: NIX_SERVER,
    version: '1.0.0',
    tools: [
      tool(
        'nix_search',
        'Search nixpkgs for packages.',
        { query: z.string().min(1).describe('What to look for, e.g. "imagemagick".') },
        async ({ query }) => answer(await nix.run('search', [query])),
      ),
      tool(
        'nix_add',
        'Install packages into your nix profile; their commands are on your PATH right after.',
        { packages: PACKAGES },
        async ({ packages }) => answer(await nix.run('add', words(packages))),
      ),
      tool(
        'nix_list_installed',
        'List the packages installed in your nix profile, with their versions.',
        {},
        async () => answer(await nix.run('list', [])),
      ),
      tool(
        'nix_remove',
        'Remove packages from your nix profile.',
        { packages: PACKAGES },
        async ({ packages }) => answer(await nix.run('remove', words(packages))),
      ),
      tool('nix_upgrade', 'Upgrade every package in your nix profile.', {}, async () =>
        answer(await nix.run('upgrade', [])),
      ),
    ],
  });
}

/** The system prompt's NIX section for an agent with nix. */
export const NIX_SECTION = `NIX PACKAGE MANAGER
You can install missing tools yourself with nix: find a package with nix_search, install it with nix_add (its
commands are on your PATH at once and stay installed across restarts), see what is installed with
nix_list_installed, and remove what you no longer need with nix_remove. Check with \`which <command>\` first: the
common tools are there already. Example: before running a script that needs python3 packages, nix_add "python3".`;
