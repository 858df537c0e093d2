/**
 * The agent's `file_send` tool: a file from its workspace or /tmp goes to the user's chat. The runner reads the file
 * (the gateway cannot see the sandbox's /tmp) and streams its bytes over the link on a `file` stream, which its call
 * to the gateway names; the gateway records and delivers it.
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createSdkMcpServer,
  type McpSdkServerConfigWithInstance,
  tool,
} from '@anthropic-ai/claude-agent-sdk';
import {
  formatBytes,
  MAX_SENT_FILE_BYTES,
  mediaTypeOfName,
  messageOf,
  praktorToolNames,
} from '@praktor/protocol';
import { z } from 'zod';
import type { CallGateway } from './tools.js';

/** The MCP server's name; the model sees the tool as `mcp__praktor-files__file_send`. */
export const FILES_SERVER = 'praktor-files';

/** The tool's name as the model and `allowedTools` spell it. */
export const FILE_TOOL_NAMES = praktorToolNames(FILES_SERVER);

/** The media type of a file, by its name. */
export function mimeTypeOf(name: string): string {
  return mediaTypeOfName(name) ?? 'application/octet-stream';
}

/**
 * The real path of `path` (absolute, or relative to `workspace`) when it is a regular file inside `workspace` or
 * the temporary folder; otherwise throws an error saying why, for the model.
 */
export function sendablePath(path: string, workspace: string, tmp = '/tmp'): string {
  const wanted = isAbsolute(path) ? path : resolve(workspace, path);
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    throw new Error(`${path} does not exist`);
  }
  const inside = (folder: string) => {
    const root = realpathSync(folder);
    return real === root || real.startsWith(root + sep);
  };
  if (!inside(workspace) && !inside(tmp)) throw new Error(`${path} is outside your workspace and ${tmp}`);
  if (!statSync(real).isFile()) throw new Error(`${path} is not a file`);
  return real;
}

/** A new `file` stream to the gateway, already announced, and its id for the `file_send` call to name. */
export type OpenFileStream = () => { streamId: string; stream: Duplex };

/**
 * The `praktor-files` server for one Claude Code process of the agent whose workspace is `workspace`; `openStream`
 * opens the stream each file's bytes travel on.
 */
export function fileTools(
  call: CallGateway,
  openStream: OpenFileStream,
  workspace: string,
): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: FILES_SERVER,
    version: '1.0.0',
    tools: [
      tool(
        'file_send',
        'Send a file to the user, in the chat they wrote from: a chart, a document, a screenshot, a spreadsheet. ' +
          'Images (PNG, JPEG, WebP) show as photos; anything else arrives as a file to download. Write the file ' +
          `first (in your workspace or /tmp); at most ${formatBytes(MAX_SENT_FILE_BYTES)}.`,
        {
          path: z.string().min(1).describe('The file: absolute, or relative to your workspace.'),
          caption: z.string().max(4000).optional().describe('A short text to go with the file.'),
        },
        async ({ path, caption }) => {
          try {
            const real = sendablePath(path, workspace);
            const size = statSync(real).size;
            if (size > MAX_SENT_FILE_BYTES)
              throw new Error(
                `${path} is ${formatBytes(size)}; a file may be at most ${formatBytes(MAX_SENT_FILE_BYTES)}`,
              );
            const name = basename(real);
            const { streamId, stream } = openStream();
            // The gateway may end the stream with an error at any time (too large, no chat): its reply says so.
            stream.on('error', () => {});
            const reply = call({
              tool: 'file_send',
              name,
              mime_type: mimeTypeOf(name),
              stream: streamId,
              ...(caption ? { caption } : {}),
            });
            // A read error here reaches the gateway as the stream's end, and comes back in its reply.
            void pipeline(createReadStream(real), stream).catch(() => {});
            const outcome = await reply;
            // The gateway has read what it wanted; whatever is left of the stream here goes.
            stream.destroy();
            return { content: [{ type: 'text' as const, text: outcome.text }], isError: !outcome.ok };
          } catch (err) {
            return { content: [{ type: 'text' as const, text: `Error: ${messageOf(err)}` }], isError: true };
          }
        },
        { alwaysLoad: true },
      ),
    ],
  });
}
