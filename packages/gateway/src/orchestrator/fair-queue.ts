/**
 * A queue that takes turns between chats: each chat's items keep their order, and the next item comes from the
 * waiting chat served longest ago, so a chat that sends many messages makes another wait for one of them at most.
 */
export class FairQueue<T> {
  /** Waiting items by chat; a chat is here only while it has items, in the order it came to have them. */
  private readonly waiting = new Map<string, T[]>();
  /** When each chat last had a turn (a chat without an entry counts as served before every other). */
  private readonly lastServed = new Map<string, number>();
  private turns = 0;

  /** Adds `item` behind the items of the same chat. */
  push(chat: string, item: T): void {
    const items = this.waiting.get(chat);
    if (items) items.push(item);
    else this.waiting.set(chat, [item]);
  }

  /** Takes the next item: the first of the waiting chat served longest ago (ties: the one waiting longest). */
  shift(): T | undefined {
    let next: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const chat of this.waiting.keys()) {
      const served = this.lastServed.get(chat) ?? -1;
      if (served < oldest) {
        next = chat;
        oldest = served;
      }
    }
    if (next === undefined) return undefined;
    const items = this.waiting.get(next) as T[];
    const item = items.shift() as T;
    if (items.length === 0) this.waiting.delete(next);
    this.lastServed.set(next, ++this.turns);
    this.forgetOldTurns();
    return item;
  }

  /** Empties the queue; returns what was waiting. */
  clear(): T[] {
    const items = [...this.waiting.values()].flat();
    this.waiting.clear();
    return items;
  }

  /**
   * Forgets the turns older than every waiting chat's and the latest: a chat that comes back then counts as never
   * served, which puts it where its old entry would have, before the chats waiting now. The record stays as small
   * as the set of chats in play.
   */
  private forgetOldTurns(): void {
    let floor = this.turns;
    for (const chat of this.waiting.keys()) floor = Math.min(floor, this.lastServed.get(chat) ?? -1);
    for (const [chat, served] of this.lastServed) if (served < floor) this.lastServed.delete(chat);
  }
}
