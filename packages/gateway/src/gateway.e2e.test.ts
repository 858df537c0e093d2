/**
 * The whole message loop, end to end, with agents in the local runtime (see conversation.test-support.ts).
 */
import { describeConversation } from './conversation.test-support.js';

describeConversation({
  name: 'local',
  config: (base) => base,
  leftovers: (stack) => stack.praktor.leftovers(),
  leftoverKind: 'runner or Claude Code process',
});
