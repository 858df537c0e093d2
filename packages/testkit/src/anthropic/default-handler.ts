import { reply } from './reply.js';
import type { ModelReply, ModelRequest } from './types.js';

/**
 * The script used when none is given: a main turn is answered `echo: <lastUserText>`; the CLI's
 * side calls get answers in the shape they ask for, so they succeed without disturbing the test.
 * Custom handlers can delegate to it for the kinds they do not script.
 */
export function defaultHandler(req: ModelRequest): ModelReply {
  switch (req.kind) {
    case 'title':
      return reply.text(JSON.stringify({ title: 'Fake session' }));
    case 'compact':
      return reply.text(
        '<analysis>Fake analysis.</analysis>\n<summary>Fake summary of the conversation.</summary>',
      );
    default:
      return reply.text(`echo: ${req.lastUserText}`);
  }
}
