/**
 * Images that go with a conversation turn: the model sees them as images, not only as a note naming a file. The
 * gateway names each by its path in the agent's workspace, where the upload was saved; the runner reads the bytes
 * there, so they cross the link once (as the upload) rather than twice.
 */
import { z } from 'zod';

/** Image types the Messages API accepts as image blocks. */
export const MODEL_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** The largest image the Messages API accepts, in bytes (before base64). */
export const MAX_MODEL_IMAGE_BYTES = 5 * 1024 * 1024;

/** An image of a turn: where it was saved and what it is. */
export const TurnImage = z.object({
  /** Relative to the agent's workspace, inside it (`uploads/photo.jpg`). */
  path: z
    .string()
    .min(1)
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must stay inside the workspace'),
  mediaType: z.enum(MODEL_IMAGE_TYPES),
});
export type TurnImage = z.infer<typeof TurnImage>;

/** Whether an upload of `mimeType` and `size` bytes goes to the model as an image. */
export function isModelImage(mimeType: string, size: number): mimeType is TurnImage['mediaType'] {
  return (MODEL_IMAGE_TYPES as readonly string[]).includes(mimeType) && size <= MAX_MODEL_IMAGE_BYTES;
}
