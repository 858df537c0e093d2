/**
 * The gateway's one SQLite database and the stores over it.
 */
import { join } from 'node:path';
import { ensurePrivateDir, type Tightened } from '../private-files.js';
import { ChatStore } from './chats.js';
import { type Db, openDatabase } from './database.js';
import { MessageStore } from './messages.js';
import { PairingStore } from './pairings.js';
import { SessionStore } from './sessions.js';
import { TaskStore } from './tasks.js';
import { TelegramDeliveryStore } from './telegram-deliveries.js';
import { VaultStore } from './vault.js';
import { WebSessionStore } from './web-sessions.js';

export { DatabaseError } from './database.js';
export type { IncomingMessage } from './messages.js';
export type { PairedUserRecord, PairingRequestRecord, PairingUser } from './pairings.js';
export type {
  Claim,
  ClaimedRun,
  SchedulerInstance,
  TaskChanges,
  TaskChatRef,
  TaskRecord,
  TaskRunRecord,
} from './tasks.js';
export type { SecretInfo, SecretKind, VaultHeader, VaultStore } from './vault.js';

/** Everything the gateway persists. */
export class Store {
  readonly messages: MessageStore;
  readonly sessions: SessionStore;
  readonly chats: ChatStore;
  readonly webSessions: WebSessionStore;
  readonly vault: VaultStore;
  readonly tasks: TaskStore;
  readonly telegramDeliveries: TelegramDeliveryStore;
  readonly pairings: PairingStore;

  private constructor(
    private readonly db: Db,
    /** The data directory and database files whose permissions opening narrowed to the owner (to be told). */
    readonly tightened: readonly Tightened[],
  ) {
    this.messages = new MessageStore(db);
    this.sessions = new SessionStore(db);
    this.chats = new ChatStore(db);
    this.webSessions = new WebSessionStore(db);
    this.vault = new VaultStore(db);
    this.tasks = new TaskStore(db, this.messages);
    this.telegramDeliveries = new TelegramDeliveryStore(db, this.messages);
    this.pairings = new PairingStore(db);
  }

  /**
   * Opens `praktor.db` in the data directory, creating and migrating it as needed; the directory is created, or
   * narrowed, to be its owner's only. Throws {@link DatabaseError} for a database file it must not use.
   */
  static open(dataDir: string): Store {
    const dir = ensurePrivateDir(dataDir);
    const { db, tightened } = openDatabase(join(dataDir, 'praktor.db'));
    return new Store(db, dir ? [dir, ...tightened] : tightened);
  }

  /** Closes the database; call once, at shutdown. */
  close(): void {
    this.db.close();
  }
}
