/**
 * The in-process event bus: components announce what happened, as their own values; channels, logs and Mission
 * Control listen, and turn them into what they send (web/views.ts makes the WebSocket's events).
 */
import type {
  ConfigChanges,
  ConfigStatus,
  GatewayEvent as MessageOrAgentEvent,
  SwarmChatMessage,
  SwarmRunView,
} from '@praktor/protocol';
import type { ApprovalRecord, TaskRecord, TaskRunRecord } from '../store/index.js';

/** A task was created or changed (`task`), or deleted (`task` null). */
export interface TaskEvent {
  type: 'task';
  taskId: string;
  task: TaskRecord | null;
}

/** A run started, ended, was skipped or was found interrupted. */
export interface TaskRunEvent {
  type: 'task_run';
  taskId: string;
  run: TaskRunRecord;
}

/** An approval request was made, or settled (decided, timed out, expired). */
export interface ApprovalEvent {
  type: 'approval';
  approval: ApprovalRecord;
}

/** The configuration was reloaded (`changes`), or a reload was refused (`changes` null; `config.error` says why). */
export interface ConfigReloadedEvent {
  type: 'config_reloaded';
  config: ConfigStatus;
  changes: ConfigChanges | null;
}

/** A swarm run started or changed: a member started or ended, or the run ended. */
export interface SwarmRunEvent {
  type: 'swarm_run';
  run: SwarmRunView;
}

/** A piece of a swarm member's answer, as it is written. */
export interface SwarmOutputEvent {
  type: 'swarm_output';
  runId: string;
  role: string;
  text: string;
}

/** A member of a swarm's collaborative group posted a message. */
export interface SwarmChatEvent {
  type: 'swarm_chat';
  runId: string;
  message: SwarmChatMessage;
}

/** Everything the gateway announces. */
export type GatewayEvent =
  | MessageOrAgentEvent
  | TaskEvent
  | TaskRunEvent
  | ApprovalEvent
  | ConfigReloadedEvent
  | SwarmRunEvent
  | SwarmOutputEvent
  | SwarmChatEvent;

/** A listener for one kind of event, or for all. */
type Listener<E extends GatewayEvent = GatewayEvent> = (event: E) => void;

/**
 * Delivers every event to its listeners in the order they subscribed. An event announced by a listener while
 * another is being delivered waits until that delivery is complete, so every listener sees events in the order
 * they happened.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly pending: GatewayEvent[] = [];
  private delivering = false;

  constructor(private readonly onListenerError: (err: Error, event: GatewayEvent) => void) {}

  /** Announces an event. A listener that throws is reported through `onListenerError`, never allowed to stop others. */
  emit(event: GatewayEvent): void {
    this.pending.push(event);
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) this.deliver(next);
    } finally {
      this.delivering = false;
    }
  }

  /** Listens to every event; returns the unsubscribe function. */
  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listens to events of one type. */
  onType<T extends GatewayEvent['type']>(
    type: T,
    listener: Listener<Extract<GatewayEvent, { type: T }>>,
  ): () => void {
    return this.on((event) => {
      if (event.type === type) listener(event as Extract<GatewayEvent, { type: T }>);
    });
  }

  private deliver(event: GatewayEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err as Error, event);
      }
    }
  }
}
