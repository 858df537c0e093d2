/**
 * The agent's memory as it crosses process boundaries: the runner telling the gateway that its memory changed (so
 * Mission Control can follow live).
 */
import { z } from 'zod';

/** The agent's tools stored, deleted or recalled memories; the gateway tells Mission Control. */
export const MemoryChangedMessage = z.object({ type: z.literal('memory_changed') });
export type MemoryChangedMessage = z.infer<typeof MemoryChangedMessage>;
