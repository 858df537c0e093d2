/**
 * The collaborative channel of one swarm run: members of a group post, and each reads what the others posted since
 * it last read, waiting for a first message at most a bounded time, so two members waiting for each other are both
 * released rather than stuck.
 */
import type { SwarmChatMessage } from '@praktor/protocol';

/** The longest one read waits for a message. */
export const MAX_CHAT_WAIT_MS = 60_000;

/** The chat of a run's groups. */
export class SwarmChannel {
  private readonly messages: SwarmChatMessage[] = [];
  /** How far each role has read, as an index into `messages`. */
  private readonly readUpTo = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(
    /** Each role's group index; roles without a group have none. */
    private readonly groupOf: ReadonlyMap<string, number>,
    /** Stores and announces a message; returns it with its id. */
    private readonly record: (message: Omit<SwarmChatMessage, 'id'>) => SwarmChatMessage,
  ) {}

  /** Whether a role has collaborators to talk to. */
  has(role: string): boolean {
    return this.groupOf.has(role);
  }

  /** Posts `content` from `role` to its group. Throws for a role without a group. */
  send(role: string, content: string, at: number): SwarmChatMessage {
    const group = this.requireGroup(role);
    const message = this.record({ group, from: role, content, created_at: at });
    this.messages.push(message);
    for (const wake of [...this.waiters]) wake();
    return message;
  }

  /**
   * The messages the others of `role`'s group posted since it last read; when there are none, waits up to `waitMs`
   * (at most {@link MAX_CHAT_WAIT_MS}) for one, or until `signal` aborts.
   */
  async read(role: string, waitMs: number, signal: AbortSignal): Promise<SwarmChatMessage[]> {
    this.requireGroup(role);
    const deadline = Date.now() + Math.min(Math.max(0, waitMs), MAX_CHAT_WAIT_MS);
    for (;;) {
      const unread = this.unread(role);
      const left = deadline - Date.now();
      if (unread.length > 0 || left <= 0 || signal.aborted) {
        this.readUpTo.set(role, this.messages.length);
        return unread;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
        signal.addEventListener('abort', done);
      });
    }
  }

  private unread(role: string): SwarmChatMessage[] {
    const group = this.groupOf.get(role);
    return this.messages
      .slice(this.readUpTo.get(role) ?? 0)
      .filter((m) => m.group === group && m.from !== role);
  }

  private requireGroup(role: string): number {
    const group = this.groupOf.get(role);
    if (group === undefined) throw new Error(`"${role}" works alone in this swarm: it has no one to talk to`);
    return group;
  }
}

/** Messages as the model reads them. */
export function describeMessages(messages: readonly SwarmChatMessage[]): string {
  if (messages.length === 0) return 'No new messages.';
  return messages.map((m) => `[${m.from}] ${m.content}`).join('\n\n');
}
