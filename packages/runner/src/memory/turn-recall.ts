/**
 * Memories offered with each message: the agent sees what it knew that bears on the message without having to think
 * of searching. Kept small (a few hundred tokens) so that it never crowds out the conversation.
 */
import type { MemoryStore } from './memory-store.js';

/** At most this many memories are offered with a message. */
export const TURN_RECALL_LIMIT = 5;
/** At most this many characters of memories (about 300 tokens); a longer memory is cut. */
export const TURN_RECALL_CHARS = 1200;
const PER_MEMORY_CHARS = 400;

/**
 * The message as the model receives it: `text` after a block of the memories that best match it, or `text` alone
 * when none does.
 */
export async function withRecalledMemories(store: MemoryStore, text: string): Promise<string> {
  const found = await store.recall(text, { limit: TURN_RECALL_LIMIT, touch: false });
  const lines: string[] = [];
  let used = 0;
  for (const memory of found) {
    const content =
      memory.content.length > PER_MEMORY_CHARS
        ? `${memory.content.slice(0, PER_MEMORY_CHARS)}…`
        : memory.content;
    const line = `- ${memory.key}: ${content.replace(/\s+/g, ' ')}`;
    if (used + line.length > TURN_RECALL_CHARS) break;
    lines.push(line);
    used += line.length;
  }
  if (lines.length === 0) return text;
  return (
    '<recalled-memories>\nFrom your memory (found by memory_recall for this message; use what bears on it, ignore the rest):\n' +
    `${lines.join('\n')}\n</recalled-memories>\n\n${text}`
  );
}
