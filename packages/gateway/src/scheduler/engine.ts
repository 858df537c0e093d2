/**
 * The scheduler's engine: runs each task's occurrences at their time, at most `scheduler.max_parallel` at once.
 *
 * Every run is claimed in the database before it starts (see TaskStore.claim), so an occurrence runs at most once,
 * across restarts and across gateways sharing the database. A timer wakes the engine when the next task falls due;
 * a slower poll (`scheduler.poll_interval`) notices tasks another gateway changed. Runs missed while no gateway ran
 * are caught up at start by each task's policy. A run whose gateway stopped before it ended is settled from its
 * message — answered, failed, or else interrupted, which the user is told — and never run again. Gateways see each
 * other through a heartbeat, so one never settles another's live runs.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { MessageView } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { Orchestrator, TaskOutcome } from '../orchestrator/orchestrator.js';
import type { ClaimedRun, Store, TaskChatRef, TaskRecord, TaskRunRecord } from '../store/index.js';
import { planCatchUp } from './catch-up.js';
import { instanceRunning } from './instances.js';
import { nextRun, readStoredSchedule, taskZone } from './schedule.js';

/** How often a scheduler tells the others it is alive, and looks for runs of gateways that stopped. */
const HEARTBEAT_MS = 5_000;
/** The longest the engine sleeps on one timer; the clock may have been changed meanwhile. */
const MAX_SLEEP_MS = 60 * 60_000;

/** What the engine works with. */
export interface SchedulerDeps {
  /** The configuration in force. */
  config: () => Config;
  store: Store;
  bus: EventBus;
  /** Runs a run's stored prompt in a fresh session of its agent and records the answer for the run's chat. */
  orchestrator: Pick<Orchestrator, 'runTask'>;
  log: Logger;
  /** Whether the Telegram bot is on; without it, results meant for Telegram go to the web chat. */
  telegram: boolean;
  /** The time now, in ms since the epoch: the gateway's one clock, which budgets count days by too. */
  now: () => number;
}

/** A planned claim: which occurrence, and where the task goes from there. */
interface Plan {
  triggeredBy: 'schedule' | 'manual';
  scheduledFor: number;
  nextRunAt: number | null;
  status: TaskRecord['status'];
}

/** Runs scheduled tasks. */
export class Scheduler {
  /** This gateway's scheduler among those sharing the database; owns the runs it starts. */
  private readonly instanceId = randomUUID();
  private readonly running = new Set<number>();
  private state: 'new' | 'running' | 'stopped' = 'new';
  private wakeTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  /**
   * Starts: settles runs left by gateways that stopped, catches up on missed runs (unless another gateway is
   * running on this database, and so did not miss them), then runs what is due and sleeps until the next.
   */
  start(): void {
    const { store, config } = this.deps;
    const now = this.deps.now();
    store.tasks.registerInstance({ id: this.instanceId, host: hostname(), pid: process.pid, startedAt: now });
    const othersAlive = this.settleOrphans(now);
    if (!othersAlive) this.catchUp(now);
    this.state = 'running';
    this.pollTimer = setInterval(() => this.wake(), config().scheduler.poll_interval);
    this.pollTimer.unref();
    this.heartbeatTimer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
    this.wake();
  }

  /** Polls at the interval now configured (`scheduler.poll_interval` was reloaded). */
  resetPolling(): void {
    if (this.state !== 'running') return;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = setInterval(() => this.wake(), this.deps.config().scheduler.poll_interval);
    this.pollTimer.unref();
  }

  /** Starts no run from now on. Runs in progress go on; one that has not ended by the next start is settled then. */
  stop(): void {
    this.state = 'stopped';
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
  }

  /** Looks for due runs now, then arms the timer for the next; call after a change to the tasks. */
  wake(): void {
    if (this.state !== 'running') return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    try {
      this.startDue(this.deps.now());
      this.armWakeTimer();
    } catch (err) {
      // The database may be busy for longer than its timeout; the poll tries again.
      this.deps.log.error({ err: messageOf(err) }, 'the scheduler could not look for due tasks');
    }
  }

  private get maxParallel(): number {
    return this.deps.config().scheduler.max_parallel;
  }

  private startDue(now: number): void {
    const free = this.maxParallel - this.running.size;
    if (free <= 0) return;
    for (const task of this.deps.store.tasks.due(now, free)) this.claimAndRun(task, now);
  }

  /** Arms the timer that wakes the engine at the next due run. */
  private armWakeTimer(): void {
    // With every slot taken, the end of a run wakes the engine.
    if (this.state !== 'running' || this.running.size >= this.maxParallel) return;
    const next = this.deps.store.tasks.nextDueAt();
    if (next === null) return;
    this.wakeTimer = setTimeout(
      () => this.wake(),
      Math.min(Math.max(0, next - this.deps.now()), MAX_SLEEP_MS),
    );
    this.wakeTimer.unref();
  }

  private claimAndRun(task: TaskRecord, now: number): void {
    const { store, log, bus } = this.deps;
    let plan: Plan;
    try {
      plan = this.plan(task, now);
    } catch (err) {
      const halted = store.tasks.halt(task, `paused: its schedule cannot be read (${messageOf(err)})`);
      if (halted) {
        log.error({ task: task.id, err: halted.lastError }, 'task paused');
        this.announceTask(halted);
      }
      return;
    }
    const claimed = store.tasks.claim({
      task,
      ...plan,
      chat: this.chatFor(task),
      owner: this.instanceId,
      now,
    });
    if (!claimed) return;
    for (const message of claimed.messages) bus.emit({ type: 'message', message });
    this.announceTask(claimed.task);
    this.announceRun(claimed.run);
    log.info(
      {
        task: task.id,
        run: claimed.run.id,
        agent: task.agentId,
        scheduledFor: plan.scheduledFor,
        triggeredBy: plan.triggeredBy,
      },
      'task run started',
    );
    const runId = claimed.run.id;
    this.running.add(runId);
    void this.execute(claimed).finally(() => {
      this.running.delete(runId);
      this.wake();
    });
  }

  /**
   * Which occurrence to claim: a requested run, or the scheduled one when it fell due first. A late scheduled run
   * is run once and the task moves on from now — except under catch-up policy `all`, where every occurrence runs.
   */
  private plan(task: TaskRecord, now: number): Plan {
    const scheduledDue = task.status === 'active' && task.nextRunAt !== null && task.nextRunAt <= now;
    if (task.runRequestedAt !== null && (!scheduledDue || task.runRequestedAt < (task.nextRunAt as number))) {
      return {
        triggeredBy: 'manual',
        scheduledFor: task.runRequestedAt,
        nextRunAt: task.nextRunAt,
        status: task.status,
      };
    }
    const schedule = readStoredSchedule(task.schedule);
    const zone = taskZone(task, this.deps.config());
    const at = task.nextRunAt as number;
    let next = nextRun(schedule, at, zone);
    if (task.catchUp !== 'all' && next !== null && next <= now) next = nextRun(schedule, now, zone);
    return {
      triggeredBy: 'schedule',
      scheduledFor: at,
      nextRunAt: next,
      status: next === null ? 'completed' : 'active',
    };
  }

  /** The task's chat, unless it is a Telegram chat and the bot is off: then the web chat, so the result is seen. */
  private chatFor(task: TaskRecord): TaskChatRef {
    if (task.chat.channel !== 'telegram' || this.deps.telegram) return task.chat;
    this.deps.log.warn(
      { task: task.id },
      'the task’s results go to Telegram, but the Telegram bot is off: this run’s go to the web chat',
    );
    return { channel: 'web', chatId: 'web' };
  }

  /** Runs a claimed run to its end and records how it went. Never rejects. */
  private async execute({ run, task }: ClaimedRun): Promise<void> {
    const { config, orchestrator, store, log } = this.deps;
    const messageId = run.messageId as number;
    let outcome: TaskOutcome;
    if (!Object.hasOwn(config().agents, task.agentId)) {
      const agents = Object.keys(config().agents).join(', ');
      outcome = this.fail(
        task,
        messageId,
        `its agent "${task.agentId}" is no longer configured (agents: ${agents}); give the task another agent`,
      );
    } else {
      try {
        outcome = await orchestrator.runTask(task.agentId, messageId);
      } catch (err) {
        outcome = this.fail(task, messageId, messageOf(err));
      }
    }
    // A run cut short by the shutdown stays running; the next start settles it from its message.
    if (this.state === 'stopped' && outcome.status !== 'ok') return;
    const failed = outcome.status !== 'ok';
    try {
      const finished = store.tasks.finishRun(run.id, {
        status: failed ? 'error' : 'ok',
        error: failed ? (outcome.error ?? outcome.text) : null,
        answer: failed ? null : outcome.text,
        costUsd: outcome.costUsd,
        usage: outcome.usage,
        endedAt: this.deps.now(),
      });
      if (finished) {
        this.announceRun(finished.run);
        this.announceTask(finished.task);
      }
      log.info(
        {
          task: task.id,
          run: run.id,
          status: outcome.status,
          ms: outcome.durationMs,
          costUsd: outcome.costUsd,
          err: outcome.error ?? undefined,
        },
        'task run recorded',
      );
    } catch (err) {
      log.error({ task: task.id, run: run.id, err: messageOf(err) }, 'a task run could not be recorded');
    }
  }

  /** Fails a run that could not be handed to its agent, telling its chat why. */
  private fail(task: TaskRecord, messageId: number, error: string): TaskOutcome {
    const { store } = this.deps;
    const answer = store.messages.answer(messageId, {
      agentId: task.agentId,
      sender: 'system',
      text: `⚠️ The scheduled task "${task.name}" could not run: ${error}`,
      error,
    });
    this.announce([store.messages.get(messageId) as MessageView, answer]);
    return {
      status: 'error',
      text: error,
      error,
      costUsd: null,
      usage: null,
      durationMs: 0,
      answerId: answer.id,
    };
  }

  /** Settles the runs of gateways that stopped; returns whether another gateway is running on this database. */
  private settleOrphans(now: number): boolean {
    const { store, log } = this.deps;
    const instances = store.tasks.instances();
    const alive = new Set(
      instances.filter((i) => i.id === this.instanceId || instanceRunning(i, now)).map((i) => i.id),
    );
    for (const orphan of store.tasks.runningRuns()) {
      if (orphan.owner !== null && alive.has(orphan.owner)) continue;
      const settled = store.tasks.settle(orphan.id, interruption, now);
      if (!settled) continue;
      this.announce(settled.messages);
      this.announceRun(settled.run);
      this.announceTask(settled.task);
      log.warn(
        { task: orphan.taskId, run: orphan.id, status: settled.run.status },
        'a task run was left by a gateway that stopped; it is not run again',
      );
    }
    for (const instance of instances) if (!alive.has(instance.id)) store.tasks.forgetInstance(instance.id);
    return [...alive].some((id) => id !== this.instanceId);
  }

  private beat(): void {
    const { store, log } = this.deps;
    const now = this.deps.now();
    try {
      // Taken for stopped by another gateway while this one was frozen: announce it again.
      if (!store.tasks.heartbeat(this.instanceId, now)) {
        store.tasks.registerInstance({
          id: this.instanceId,
          host: hostname(),
          pid: process.pid,
          startedAt: now,
        });
      }
      this.settleOrphans(now);
    } catch (err) {
      log.error({ err: messageOf(err) }, 'the scheduler heartbeat failed');
    }
  }

  /** Applies each task's catch-up policy to the runs it missed before `now`, when this gateway started. */
  private catchUp(now: number): void {
    const { store, config, log } = this.deps;
    for (const task of store.tasks.missed(now)) {
      const firstMissed = task.nextRunAt as number;
      let plan: ReturnType<typeof planCatchUp>;
      try {
        plan = planCatchUp(
          task.catchUp,
          readStoredSchedule(task.schedule),
          firstMissed,
          now,
          taskZone(task, config()),
        );
      } catch (err) {
        // Its first claim pauses it with the reason.
        log.error({ task: task.id, err: messageOf(err) }, 'a task’s missed runs cannot be planned');
        continue;
      }
      log.info(
        { task: task.id, catchUp: task.catchUp, missed: plan.missed, since: firstMissed },
        'catching up on runs missed while Praktor was not running',
      );
      if (!plan.skip) continue;
      const skipped = store.tasks.skip(
        task,
        {
          scheduledFor: firstMissed,
          nextRunAt: plan.skip.nextRunAt,
          status: plan.skip.nextRunAt === null ? 'completed' : 'active',
          reason: plan.skip.reason,
        },
        now,
      );
      if (!skipped) continue;
      this.announceRun(skipped.run);
      this.announceTask(skipped.task);
    }
  }

  private announce(messages: MessageView[]): void {
    for (const message of messages) this.deps.bus.emit({ type: 'message', message });
  }

  private announceTask(task: TaskRecord): void {
    this.deps.bus.emit({ type: 'task', taskId: task.id, task });
  }

  private announceRun(run: TaskRunRecord): void {
    this.deps.bus.emit({ type: 'task_run', taskId: run.taskId, run });
  }
}

/** What a run's chat is told when the gateway running it stopped first. */
function interruption(task: TaskRecord): { error: string; notice: string } {
  const next = task.nextRunAt === null ? '' : ' Its next run is at its usual time.';
  return {
    error: 'interrupted: Praktor stopped while the task was running',
    notice:
      `⚠️ The scheduled task "${task.name}" was interrupted: Praktor stopped while it was running. ` +
      `It is not run again.${next}`,
  };
}
