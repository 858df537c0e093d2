/**
 * The connections the internet proxy refused, kept for Mission Control: each is announced on the event bus (the
 * live feed) and the most recent are listed on request. Kept in memory: the log holds the full history.
 */
import type { EgressRefusal } from '@praktor/protocol';
import type { EventBus } from '../events/bus.js';
import type { Refusal } from './internet-proxy.js';

/** How many refusals are kept, across all agents. */
const KEPT = 200;

/** The most recent refusals since the gateway started. */
export class RecentRefusals {
  private readonly kept: EgressRefusal[] = [];

  constructor(private readonly bus: EventBus) {}

  /** Keeps `refusal` and announces it. */
  record(refusal: Refusal, at = Date.now()): void {
    const item: EgressRefusal = {
      agent_id: refusal.agentId,
      target: refusal.target,
      reason: refusal.reason,
      at,
    };
    this.kept.push(item);
    if (this.kept.length > KEPT) this.kept.shift();
    this.bus.emit({ type: 'egress_refused', refusal: item });
  }

  /** The kept refusals, newest first; only `agentId`'s when given. */
  list(agentId?: string): EgressRefusal[] {
    return this.kept.filter((item) => agentId === undefined || item.agent_id === agentId).reverse();
  }
}
