/**
 * The images of a turn as the model's image blocks: read from the workspace, where the gateway saved the upload, so
 * the bytes cross the link once. An image that cannot be read is left out (the turn's note still names its path).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { MAX_MODEL_IMAGE_BYTES, messageOf, type TurnImage } from '@praktor/protocol';

/** What a user message says: text alone, or blocks of text and images. */
export type UserContent = SDKUserMessage['message']['content'];

/** An image block of a user message. */
export type ImageBlock = Extract<Exclude<UserContent, string>[number], { type: 'image' }>;

/** The blocks showing `images`, read from `workspace`; those that cannot be shown are logged and left out. */
export async function imageBlocks(
  workspace: string,
  images: readonly TurnImage[],
  log: (line: string) => void,
): Promise<ImageBlock[]> {
  const blocks: ImageBlock[] = [];
  for (const image of images) {
    try {
      const bytes = await readFile(join(workspace, image.path));
      if (bytes.length > MAX_MODEL_IMAGE_BYTES) {
        log(`image ${image.path} is larger than the model accepts; only its note goes with the turn`);
        continue;
      }
      blocks.push({
        type: 'image',
        source: { type: 'base64', media_type: image.mediaType, data: bytes.toString('base64') },
      });
    } catch (err) {
      log(`image ${image.path} could not be read, so the model does not see it: ${messageOf(err)}`);
    }
  }
  return blocks;
}
