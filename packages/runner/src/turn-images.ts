/**
 * The images of a turn as the model's image blocks: read from the workspace, where the gateway saved the upload, so
 * the bytes cross the link once. An image that cannot be read, or whose bytes are not an image the model takes
 * (whatever its name or sender said), is left out: the turn's note still names its path.
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
      const mediaType = imageTypeOf(bytes);
      if (mediaType === null) {
        log(
          `${image.path} is not a JPEG, PNG, GIF or WebP image after all; only its note goes with the turn`,
        );
        continue;
      }
      blocks.push({
        type: 'image',
        source: { type: 'base64', media_type: mediaType, data: bytes.toString('base64') },
      });
    } catch (err) {
      log(`image ${image.path} could not be read, so the model does not see it: ${messageOf(err)}`);
    }
  }
  return blocks;
}

/**
 * The image type `bytes` are, by their signature, or null when they are none the model takes: the sender's word
 * for the type is not enough, and the model API refuses a whole turn for one image that is not what it claims.
 */
export function imageTypeOf(bytes: Buffer): TurnImage['mediaType'] | null {
  const starts = (signature: number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}
