/** A fake Telegram Bot API server for tests: real HTTP, update injection, recording. */
export type { MessageEntity } from './entities.js';
export { type FakeTelegram, startFakeTelegram } from './fake-telegram.js';
export type {
  ApiFailure,
  ApiResponse,
  ApiSuccess,
  FakeTelegramOptions,
  InlineButton,
  PressButtonOptions,
  RecordedCall,
  SayOptions,
  SendTextOptions,
  SentFile,
  SentMessage,
  TelegramFailure,
  UploadedFile,
} from './types.js';
