/**
 * Answers being written: the text of `delta` events, per inbound message, until the final message replaces it.
 * An immutable map behind a subscribe/snapshot pair, so React reads it with useSyncExternalStore.
 */

/** The partial answer to inbound message `messageId`. */
export interface Draft {
  agentId: string;
  messageId: number;
  text: string;
}

/** Holds every draft being streamed; each change replaces the snapshot, so unchanged readers are not re-rendered. */
export class DraftStore {
  private drafts: ReadonlyMap<number, Draft> = new Map();
  private readonly listeners = new Set<() => void>();

  /** Adds a piece of the answer to `messageId`. */
  append(agentId: string, messageId: number, text: string): void {
    const current = this.drafts.get(messageId);
    this.replace((next) => next.set(messageId, { agentId, messageId, text: (current?.text ?? '') + text }));
  }

  /** Drops the draft of `messageId`: its final answer (or failure) has arrived. */
  finish(messageId: number): void {
    if (this.drafts.has(messageId)) this.replace((next) => next.delete(messageId));
  }

  /** Drops every draft of an agent (it stopped, so nothing more will stream). */
  finishAgent(agentId: string): void {
    if ([...this.drafts.values()].some((d) => d.agentId === agentId)) {
      this.replace((next) => {
        for (const [id, d] of next) if (d.agentId === agentId) next.delete(id);
      });
    }
  }

  /** Drops everything, for when events may have been missed. */
  clear(): void {
    if (this.drafts.size > 0) this.replace((next) => next.clear());
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly snapshot = (): ReadonlyMap<number, Draft> => this.drafts;

  private replace(change: (next: Map<number, Draft>) => void): void {
    const next = new Map(this.drafts);
    change(next);
    this.drafts = next;
    for (const listener of this.listeners) listener();
  }
}
