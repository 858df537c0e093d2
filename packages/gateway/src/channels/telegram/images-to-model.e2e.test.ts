/**
 * A photo sent to the bot reaches the model as an image, not only as a note naming the saved file: the model's
 * request carries an image block with exactly the photo's bytes, beside the caption and the note. On either runtime,
 * since the runner reads the image from the workspace inside the sandbox.
 */
import {
  defaultStackConfig,
  type ModelRequest,
  reply,
  type Stack,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEachRuntime, type WithRuntime } from '../../runtimes/each-runtime.test-support.js';

/** An 8×8 red JPEG. */
const PHOTO = Buffer.from(
  '/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgEBAQEBAUFBQUFBQYGBgYGBgYGBgYGBgYHBwcICAgHBwcGBgcHCAgICAkJCQgICAgJCQoKCgwMCwsODg4RERT/xABMAAEBAAAAAAAAAAAAAAAAAAAABgEBAQAAAAAAAAAAAAAAAAAABgcQAQAAAAAAAAAAAAAAAAAAAAARAQAAAAAAAAAAAAAAAAAAAAD/wAARCAAIAAgDASIAAhEAAxEA/9oADAMBAAIRAxEAPwCLAFF/f//Z',
  'base64',
);

function handler(req: ModelRequest) {
  return req.kind === 'main' ? reply.text('a red square') : reply.text('side call');
}

function describeImages(name: string, config: WithRuntime) {
  describe(`a photo shown to the model, ${name} runtime`, () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack({ config: (urls) => config(defaultStackConfig(urls)), handler });
      const fileId = stack.telegram.addFile(PHOTO, 'red.jpg', 'image/jpeg');
      stack.telegram.injectUpdate({
        message: {
          message_id: 10,
          date: Math.floor(Date.now() / 1000),
          chat: { id: TEST_USER_ID, type: 'private', first_name: 'Ann' },
          from: { id: TEST_USER_ID, is_bot: false, first_name: 'Ann' },
          caption: 'what is in this photo?',
          photo: [{ file_id: fileId, file_unique_id: 'r', width: 8, height: 8, file_size: PHOTO.length }],
        },
      });
      await stack.telegram.waitFor(() => stack.telegram.messagesIn(TEST_USER_ID)[0], 120_000);
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.close();
    });

    const asked = () =>
      stack.anthropic.requests.find((r) => r.lastUserText.startsWith('what is in this photo?'));

    it('sends the photo to the model as an image block with its exact bytes', () => {
      expect(asked()?.images).toEqual([{ mediaType: 'image/jpeg', data: PHOTO.toString('base64') }]);
    });

    // Claude Code adds a line of its own naming where it cached the image; what we sent comes first.
    it('keeps the caption and the note naming the saved file beside the image', () => {
      expect(asked()?.lastUserText).toMatch(
        /^what is in this photo\?\n\n\[The user sent a photo \(image\/jpeg, 225 bytes\): it is saved in your workspace at uploads\/photo\.jpg\](\n|$)/,
      );
    });

    it('answers in the chat', () => {
      expect(stack.telegram.messagesIn(TEST_USER_ID)[0]?.text).toBe('a red square');
    });
  });
}

describeOnEachRuntime('the images suite', (runtime, withRuntime) => describeImages(runtime, withRuntime));
