export { defaultHandler } from './default-handler.js';
export { reply } from './reply.js';
export { startFakeAnthropic } from './server.js';
export type {
  DisconnectReply,
  ErrorReply,
  FakeAnthropic,
  FakeAnthropicOptions,
  MessageReply,
  ModelHandler,
  ModelReply,
  ModelRequest,
  OtherRequest,
  ReplyBlock,
  ReplyTiming,
  ReplyUsage,
  RequestImage,
  RequestKind,
  StopReason,
  ToolResult,
} from './types.js';
