/**
 * The gateway's one SQLite database and the stores over it.
 */
import { join } from 'node:path';
import { messageOf } from '@praktor/protocol';
import { ensurePrivateDir, type Tightened } from '../private-files.js';
import { ActivityStore } from './activities.js';
import { ApprovalStore } from './approvals.js';
import { BudgetNoticeStore } from './budget-notices.js';
import { ChatStore } from './chats.js';
import { type Db, openDatabase } from './database.js';
import { ExtensionStore } from './extensions.js';
import { MessageFileStore } from './message-files.js';
import { MessageUploadStore } from './message-uploads.js';
import { MessageStore } from './messages.js';
import { PairingStore } from './pairings.js';
import { SessionStore } from './sessions.js';
import { SpendStore } from './spend.js';
import { SwarmStore } from './swarms.js';
import { TaskStore } from './tasks.js';
import { TelegramDeliveryStore } from './telegram-deliveries.js';
import { VaultStore } from './vault.js';
import { WebSessionStore } from './web-sessions.js';

export type { NewActivity } from './activities.js';
export type { ApprovalRecord, ApprovalSwarm } from './approvals.js';
export { DatabaseError } from './database.js';
export type { StoredFile } from './message-files.js';
export type { SavedUpload } from './message-uploads.js';
export type { IncomingMessage } from './messages.js';
export type { PairedUserRecord, PairingRequestRecord, PairingUser } from './pairings.js';
export type { SpendKind, SpendRecord } from './spend.js';
export type { NewSwarmRun, SwarmOrigin } from './swarms.js';
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
  readonly messageFiles: MessageFileStore;
  readonly messageUploads: MessageUploadStore;
  readonly sessions: SessionStore;
  readonly chats: ChatStore;
  readonly webSessions: WebSessionStore;
  readonly vault: VaultStore;
  readonly tasks: TaskStore;
  readonly telegramDeliveries: TelegramDeliveryStore;
  readonly activities: ActivityStore;
  readonly spend: SpendStore;
  readonly approvals: ApprovalStore;
  readonly budgetNotices: BudgetNoticeStore;
  readonly pairings: PairingStore;
  readonly extensions: ExtensionStore;
  readonly swarms: SwarmStore;

  private constructor(
    private readonly db: Db,
    /** The data directory and database files whose permissions opening narrowed to the owner (to be told). */
    readonly tightened: readonly Tightened[],
  ) {
    this.messages = new MessageStore(db);
    this.messageFiles = new MessageFileStore(db, this.messages);
    this.messageUploads = new MessageUploadStore(db);
    this.sessions = new SessionStore(db);
    this.chats = new ChatStore(db);
    this.webSessions = new WebSessionStore(db);
    this.vault = new VaultStore(db);
    this.tasks = new TaskStore(db, this.messages);
    this.telegramDeliveries = new TelegramDeliveryStore(db, this.messages);
    this.activities = new ActivityStore(db);
    this.spend = new SpendStore(db);
    this.approvals = new ApprovalStore(db);
    this.budgetNotices = new BudgetNoticeStore(db);
    this.pairings = new PairingStore(db);
    this.extensions = new ExtensionStore(db);
    this.swarms = new SwarmStore(db);
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

  /** Why the database cannot be used now (closed, or not answering), or null when it answers. */
  problem(): string | null {
    if (!this.db.open) return 'the database is closed';
    try {
      this.db.prepare('SELECT 1').get();
      return null;
    } catch (err) {
      return `the database does not answer: ${messageOf(err)}`;
    }
  }

  /** Closes the database; call once, at shutdown. */
  close(): void {
    this.db.close();
  }
}
