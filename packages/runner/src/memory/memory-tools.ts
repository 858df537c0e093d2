/**
 * The `praktor-memory` MCP server: the agent's tools over its own memory database, with the original's names and
 * answers (reference §11.3, §12). They run inside the sandbox against the store the runner opened in the agent's
 * workspace, so there is no way to name another agent's memories.
 */
import {
  createSdkMcpServer,
  type McpSdkServerConfigWithInstance,
  tool,
} from '@anthropic-ai/claude-agent-sdk';
import { messageOf, praktorToolNames } from '@praktor/protocol';
import { z } from 'zod';
import type { Memory, MemoryStore } from './memory-store.js';

/** The MCP server's name; the model sees the tools as `mcp__praktor-memory__<tool>`. */
export const MEMORY_SERVER = 'praktor-memory';

/** Every tool name as the model and `allowedTools` spell it. */
export const MEMORY_TOOL_NAMES = praktorToolNames(MEMORY_SERVER);

const iso = (ms: number) => new Date(ms).toISOString();
const heading = (memory: Memory) => (memory.tags ? `${memory.key} [${memory.tags}]` : memory.key);

/** A recall's answer: each memory as a heading, its content and when it changed and how often it was recalled. */
export function formatRecall(memories: Memory[]): string {
  if (memories.length === 0) return 'No memories found matching that query.';
  return memories
    .map(
      (m) => `## ${heading(m)}\n${m.content}\n_(updated: ${iso(m.updatedAt)}, accessed: ${m.accessCount}x)_`,
    )
    .join('\n\n');
}

/** A listing: one line per memory, most recently changed first. */
export function formatList(memories: Memory[]): string {
  if (memories.length === 0) return 'No memories stored yet.';
  return memories
    .map((m) => `- ${heading(m)} (updated: ${iso(m.updatedAt)}, accessed: ${m.accessCount}x)`)
    .join('\n');
}

function text(body: string, isError = false) {
  return { content: [{ type: 'text' as const, text: body }], isError };
}

/** Runs a tool's work; a refusal (bad input) or a database failure becomes an error result the model can read. */
async function attempt(work: () => string | Promise<string>) {
  try {
    return text(await work());
  } catch (err) {
    return text(`Error: ${messageOf(err)}`, true);
  }
}

/** The `praktor-memory` server over `store`; `changed` is told of every change, so Mission Control can follow. */
export function memoryTools(store: MemoryStore, changed: () => void): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: MEMORY_SERVER,
    version: '1.0.0',
    tools: [
      tool(
        'memory_store',
        'Remember something for later conversations: a fact about the user, a preference, a decision, a result. ' +
          'Storing under an existing key replaces that memory. Relevant memories are offered to you with each ' +
          'message; use memory_recall to search further.',
        {
          key: z.string().describe('A short, stable name for the memory, e.g. "favourite-coffee".'),
          content: z.string().describe('What to remember, complete in itself.'),
          tags: z.string().optional().describe('Comma-separated tags, e.g. "preferences, food".'),
        },
        (args) =>
          attempt(() => {
            store.store(args.key, args.content, args.tags ?? '');
            changed();
            return `Memory stored: ${args.key.trim()}`;
          }),
        { alwaysLoad: true },
      ),
      tool(
        'memory_recall',
        'Search your memories: the best matches for the query, best first. Words match by stem and prefix, so ' +
          '"running" finds "runs"; write plain words, no search syntax is needed.',
        { query: z.string().describe('What you are looking for, in plain words.') },
        (args) =>
          attempt(async () => {
            const found = await store.recall(args.query);
            if (found.length > 0) changed();
            return formatRecall(found);
          }),
        { alwaysLoad: true },
      ),
      tool(
        'memory_list',
        'List the keys of all your memories, most recently changed first.',
        {},
        () => attempt(() => formatList(store.list())),
        { alwaysLoad: true },
      ),
      tool(
        'memory_delete',
        'Delete the memory stored under exactly this key.',
        { key: z.string().describe('The key, as memory_list shows it.') },
        (args) =>
          attempt(() => {
            if (!store.delete(args.key)) return `No memory found with key: ${args.key}`;
            changed();
            return `Memory deleted: ${args.key}`;
          }),
        { alwaysLoad: true },
      ),
      tool(
        'memory_forget',
        'Delete every memory that contains all the words of the query. Check with memory_recall first.',
        { query: z.string().describe('Words every memory to delete contains.') },
        (args) =>
          attempt(() => {
            const n = store.forget(args.query);
            if (n === 0) return `No memories found matching "${args.query}".`;
            changed();
            return `Deleted ${n} memory(ies) matching "${args.query}".`;
          }),
        { alwaysLoad: true },
      ),
    ],
  });
}
