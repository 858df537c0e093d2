import type { ChatStore } from './chats.js';
import type { FileStore } from './files.js';
import type { Params } from './params.js';
import type { Recorder } from './recorder.js';
import type { Stall } from './stall.js';
import type { TgUser, UploadedFile } from './types.js';
import type { UpdateQueue } from './update-queue.js';

/** The bot's identity as getMe reports it. */
export interface BotUser extends TgUser {
  is_bot: true;
  username: string;
}

/** Everything the fake server remembers. */
export interface FakeState {
  token: string;
  botUser: BotUser;
  updates: UpdateQueue;
  chats: ChatStore;
  files: FileStore;
  recorder: Recorder;
  /** setMyCommands lists by scope and language. */
  commands: Map<string, unknown[]>;
  /** Callback query ids injected and not answered yet. */
  openCallbackQueries: Set<string>;
  /** Holds requests unanswered while the fake plays a Bot API that hangs. */
  stall: Stall;
  /** Where getFile writes files when the fake plays a local Bot API server; null for the cloud API. */
  localFilesDir: string | null;
}

/** What a method handler gets for one call. */
export interface MethodContext {
  state: FakeState;
  params: Params;
  files: UploadedFile[];
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** A Bot API method: returns the `result`, or throws ApiError. */
export type MethodHandler = (context: MethodContext) => unknown;
