/**
 * Swarm runs: each member runs as its configured agent (model, tools, secrets, memory, workspace) in a sandbox of its
 * own, in a new session, tier after tier; the members of a tier run at the same time, within `max_running` shared with
 * the agents' own sandboxes. What each member writes is streamed on the bus and stored as it comes, so a run cut short
 * keeps its partial results.
 *
 * Failure policy: a member that fails (or runs out of time) fails the swarm. The other members of its tier finish,
 * so their work is kept, but no later tier starts: a pipeline's next member would miss the input it was promised,
 * and a lead would bring together an incomplete picture without knowing it.
 */
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import {
  type ApprovalRequestMessage,
  type CallMessage,
  messageOf,
  type ResultMessage,
  type StartExtensions,
  type StreamService,
  type SwarmMemberStatus,
  type SwarmRequest,
  type SwarmRunView,
} from '@praktor/protocol';
import { type Config, embeddingsOf, type ResolvedAgent, resolveAgent } from '../config/index.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import { AgentLink, type ApprovalVerdict } from '../orchestrator/link.js';
import type { Redactor } from '../orchestrator/redactor.js';
import { type AgentTools, answerToolCall, type ToolReply } from '../orchestrator/tool-calls.js';
import { nixFor, type Runtime, type SandboxFile, safeWorkspaceName } from '../runtimes/runtime.js';
import type { Store, SwarmOrigin } from '../store/index.js';
import { describeMessages, SwarmChannel } from './channel.js';
import { buildPlan, type SwarmPlan, SwarmPlanError } from './plan.js';
import { memberPrompt } from './prompt.js';

/** What swarm runs work with. */
export interface SwarmRunsDeps {
  config: () => Config;
  store: Store;
  bus: EventBus;
  runtimeFor: (agent: ResolvedAgent) => Runtime;
  agentEnv: (agent: ResolvedAgent) => Record<string, string>;
  agentFiles: (agent: ResolvedAgent) => SandboxFile[];
  /** The agent's extensions as its runner applies them at start (secrets resolved). */
  agentExtensions: (agent: ResolvedAgent) => StartExtensions;
  /**
   * Waits for one of the `max_running` slots the agents' own sandboxes use too; resolves with the function that gives
   * it back, or null when `signal` aborted first.
   */
  slot: (signal: AbortSignal) => Promise<(() => void) | null>;
  /** Why an agent may not spend more now (its budget is used up, in words for the user); null when it may. */
  budgetRefusal: (agentId: string) => string | null;
  /** After an agent spent: warns the main chat about each of its budgets that reached 80 % this period. */
  budgetWarnings: (agentId: string) => void;
  /** Carries out the agents' other built-in tools (tasks, files, profile, history). */
  agentTools: AgentTools;
  /** Asks a person about a member's tool call that matched one of its agent's approval rules. */
  onApproval: (
    agentId: string,
    member: { runId: string; role: string },
    request: ApprovalRequestMessage,
  ) => Promise<ApprovalVerdict>;
  serveStream: (agentId: string, service: StreamService, stream: Duplex, streamId: string) => void;
  redactor: Redactor;
  log: Logger;
  now: () => number;
  readyTimeoutMs?: number;
  stopGraceMs?: number;
}

/** A swarm that cannot start; the message says why, for the user. */
export class SwarmLaunchError extends Error {}

/** How often at most a member's streamed output is written to the store. */
const OUTPUT_WRITE_INTERVAL_MS = 500;

/** A run in progress. */
interface ActiveRun {
  id: string;
  request: SwarmRequest;
  plan: SwarmPlan;
  /** Aborted when the run is cancelled or the gateway stops: members stop and nothing more starts. */
  controller: AbortController;
  /** The links of members whose sandbox is up. */
  links: Set<AgentLink>;
  /** Outputs of members that completed, by role. */
  outputs: Map<string, string>;
  channel: SwarmChannel;
  /** `swarms.member_timeout` and `swarms.tier_timeout` when the run started: a reload does not change a run midway. */
  memberTimeoutMs: number;
  tierTimeoutMs: number;
  done: Promise<void>;
}

/** How a member ended. */
interface MemberEnd {
  status: Exclude<SwarmMemberStatus, 'waiting' | 'running' | 'skipped'>;
  output: string;
  error: string | null;
  costUsd: number | null;
}

/** Starts, runs, cancels and recovers swarm runs. */
export class SwarmRuns {
  private readonly active = new Map<string, ActiveRun>();
  private closing = false;

  constructor(private readonly deps: SwarmRunsDeps) {}

  /**
   * Checks a request, stores the run and starts it in the background; returns the run as stored. Throws a
   * SwarmLaunchError naming what is wrong.
   */
  launch(request: SwarmRequest, origin: SwarmOrigin | null = null): SwarmRunView {
    if (this.closing) throw new SwarmLaunchError('the gateway is stopping');
    const config = this.deps.config();
    for (const agent of request.agents) {
      if (!Object.hasOwn(config.agents, agent.agent_id)) {
        throw new SwarmLaunchError(
          `role "${agent.role}" names agent "${agent.agent_id}", which is not configured (agents: ${Object.keys(config.agents).join(', ')})`,
        );
      }
    }
    // Checked for every member before anything starts, so a swarm never stops half-way for a budget used up before it.
    for (const agentId of new Set(request.agents.map((agent) => agent.agent_id))) {
      const refusal = this.deps.budgetRefusal(agentId);
      if (refusal !== null) throw new SwarmLaunchError(refusal);
    }
    let plan: SwarmPlan;
    try {
      plan = buildPlan(request);
    } catch (err) {
      if (err instanceof SwarmPlanError) throw new SwarmLaunchError(`invalid swarm graph: ${err.message}`);
      throw err;
    }
    const id = randomUUID();
    const tiers: Record<string, number> = {};
    plan.tiers.forEach((roles, tier) => {
      for (const role of roles) tiers[role] = tier;
    });
    const view = this.deps.store.swarms.create({ id, request, tiers, origin, createdAt: this.deps.now() });
    const groupOf = new Map<string, number>();
    plan.groups.forEach((roles, i) => {
      for (const role of roles) groupOf.set(role, i);
    });
    const run: ActiveRun = {
      id,
      request,
      plan,
      controller: new AbortController(),
      links: new Set(),
      outputs: new Map(),
      channel: new SwarmChannel(groupOf, (message) => {
        const stored = this.deps.store.swarms.addChat(id, message);
        this.deps.bus.emit({ type: 'swarm_chat', runId: id, message: stored });
        return stored;
      }),
      memberTimeoutMs: config.swarms.member_timeout,
      tierTimeoutMs: config.swarms.tier_timeout,
      done: Promise.resolve(),
    };
    this.active.set(id, run);
    this.deps.log.info(
      { swarm: id, members: request.agents.length, tiers: plan.tiers.length },
      'swarm started',
    );
    this.announce(id);
    run.done = this.execute(run).finally(() => this.active.delete(id));
    return view;
  }

  /** Whether a run is in progress in this gateway. */
  isActive(id: string): boolean {
    return this.active.has(id);
  }

  /**
   * Cancels the runs in progress that a chat started (their sandboxes stop in the background, within seconds);
   * returns how many.
   */
  cancelFrom(origin: SwarmOrigin): number {
    const ids = [...this.active.keys()].filter((id) => {
      const o = this.deps.store.swarms.origin(id);
      return o?.channel === origin.channel && o.chatId === origin.chatId;
    });
    for (const id of ids) {
      this.cancel(id).catch((err: unknown) =>
        this.deps.log.error({ swarm: id, err: messageOf(err) }, 'swarm could not be cancelled'),
      );
    }
    return ids.length;
  }

  /**
   * Cancels a run in progress: its members' sandboxes are stopped and it ends as `cancelled` with what its members
   * had produced. Resolves once every sandbox is gone; false when the run was not in progress.
   */
  async cancel(id: string): Promise<boolean> {
    const run = this.active.get(id);
    if (!run) return false;
    this.end(run, 'cancelled', 'Cancelled.', 'cancelled');
    await this.stopMembers(run);
    await run.done;
    return true;
  }

  /**
   * Marks the runs a previous gateway left running as interrupted, keeping what their members had produced. Their
   * sandboxes did not outlive that gateway (a local sandbox dies with it; the Docker runtime removes leftover
   * containers when it opens). Returns how many there were.
   */
  recoverInterrupted(): number {
    const left = this.deps.store.swarms.running().filter((id) => !this.active.has(id));
    for (const id of left) {
      this.deps.store.swarms.finish(id, {
        status: 'interrupted',
        error: 'The gateway stopped while the swarm ran.',
        result: null,
        at: this.deps.now(),
        memberStatus: 'interrupted',
      });
      this.announce(id);
    }
    return left.length;
  }

  /** Stops every run in progress (marked interrupted, with its partial results) and waits for its sandboxes. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const runs = [...this.active.values()];
    for (const run of runs)
      this.end(run, 'interrupted', 'The gateway stopped while the swarm ran.', 'interrupted');
    await Promise.all(runs.map((run) => this.stopMembers(run)));
    await Promise.all(runs.map((run) => run.done));
  }

  private async execute(run: ActiveRun): Promise<void> {
    const { tierTimeoutMs } = run;
    try {
      for (const [tier, roles] of run.plan.tiers.entries()) {
        if (run.controller.signal.aborted) return;
        const tierController = new AbortController();
        const stopTier = () => tierController.abort();
        run.controller.signal.addEventListener('abort', stopTier);
        const timer = setTimeout(stopTier, tierTimeoutMs);
        const ends = await Promise.all(roles.map((role) => this.runMember(run, role, tierController.signal)));
        clearTimeout(timer);
        run.controller.signal.removeEventListener('abort', stopTier);
        if (run.controller.signal.aborted) return;
        const failed = ends
          .map((end, i) => ({ end, role: roles[i] as string }))
          .find((e) => e.end.status !== 'completed');
        if (failed) {
          const why = tierController.signal.aborted
            ? `tier ${tier + 1} did not finish within ${Math.round(tierTimeoutMs / 1000)} s`
            : `"${failed.role}" failed: ${failed.end.error ?? 'no reason given'}`;
          this.end(run, 'failed', why, 'cancelled');
          return;
        }
      }
      this.end(run, 'completed', null, 'completed');
    } catch (err) {
      this.deps.log.error({ swarm: run.id, err: messageOf(err) }, 'swarm run failed');
      this.end(run, 'failed', messageOf(err), 'cancelled');
    } finally {
      await this.stopMembers(run);
    }
  }

  /** Ends the run in the store (once) and announces it. */
  private end(
    run: ActiveRun,
    status: 'completed' | 'failed' | 'cancelled' | 'interrupted',
    error: string | null,
    memberStatus: SwarmMemberStatus,
  ): void {
    const result = status === 'completed' ? resultOf(run) : null;
    const ended = this.deps.store.swarms.finish(run.id, {
      status,
      error,
      result,
      at: this.deps.now(),
      memberStatus,
    });
    if (status !== 'completed') run.controller.abort();
    if (!ended) return;
    this.deps.log.info({ swarm: run.id, status, err: error }, 'swarm ended');
    this.announce(run.id);
  }

  private async stopMembers(run: ActiveRun): Promise<void> {
    const stops = await Promise.allSettled(
      [...run.links].map((link) => link.close(this.deps.stopGraceMs ?? 2_000)),
    );
    for (const stop of stops) {
      if (stop.status === 'rejected') {
        this.deps.log.error(
          { swarm: run.id, err: messageOf(stop.reason) },
          'swarm member’s sandbox could not be stopped',
        );
      }
    }
  }

  /** Runs one member to its end; never rejects. */
  private async runMember(run: ActiveRun, role: string, signal: AbortSignal): Promise<MemberEnd> {
    const { store, now } = this.deps;
    const member = run.request.agents.find((a) => a.role === role);
    if (!member) return { status: 'failed', output: '', error: `no member "${role}"`, costUsd: null };
    const release = await this.deps.slot(signal);
    if (release === null) return { status: 'cancelled', output: '', error: null, costUsd: null };
    let output = '';
    let link: AgentLink | null = null;
    try {
      store.swarms.memberStarted(run.id, role, now());
      this.announce(run.id);
      link = await this.open(run, role, member.agent_id);
      run.links.add(link);
      if (signal.aborted) return this.memberEnded(run, role, cancelledEnd(''));
      let written = 0;
      const masker = this.deps.redactor.stream(member.agent_id);
      const onDelta = (piece: string) => {
        const shown = masker.push(piece);
        if (shown === '') return;
        output += shown;
        this.deps.bus.emit({ type: 'swarm_output', runId: run.id, role, text: shown });
        if (now() - written >= OUTPUT_WRITE_INTERVAL_MS) {
          written = now();
          store.swarms.memberOutput(run.id, role, output);
        }
      };
      const result = await this.withTimeout(
        link.task(`swarm-${run.id}-${role}`, this.promptFor(run, role), onDelta, () => {}),
        signal,
        link,
        run.memberTimeoutMs,
      );
      if (result) {
        // Counted like the agent's own turns: in its budgets, /cost and the Costs page.
        store.spend.record({
          agentId: member.agent_id,
          kind: 'swarm',
          messageId: null,
          sessionId: result.sessionId,
          processSpend: result.processSpend,
          at: now(),
        });
        this.deps.budgetWarnings(member.agent_id);
      }
      const tail = masker.end();
      if (tail !== '') {
        output += tail;
        this.deps.bus.emit({ type: 'swarm_output', runId: run.id, role, text: tail });
      }
      const end = endOf(
        result,
        this.deps.redactor.text(member.agent_id, result?.text ?? output),
        signal,
        run.memberTimeoutMs,
      );
      if (end.status === 'completed') run.outputs.set(role, end.output);
      return this.memberEnded(run, role, end.status === 'completed' ? end : { ...end, output });
    } catch (err) {
      this.deps.log.warn({ swarm: run.id, role, err: messageOf(err) }, 'swarm member could not run');
      return this.memberEnded(
        run,
        role,
        signal.aborted
          ? cancelledEnd(output)
          : { status: 'failed', output, error: messageOf(err), costUsd: null },
      );
    } finally {
      try {
        if (link) {
          run.links.delete(link);
          await link.close(this.deps.stopGraceMs ?? 2_000);
        }
      } catch (err) {
        this.deps.log.error(
          { swarm: run.id, role, err: messageOf(err) },
          'swarm member’s sandbox could not be stopped',
        );
      } finally {
        release();
      }
    }
  }

  /** The member's task, or null when it ran out of time or the tier was stopped (its sandbox is then closed). */
  private async withTimeout(
    task: Promise<ResultMessage>,
    signal: AbortSignal,
    link: AgentLink,
    timeoutMs: number,
  ): Promise<ResultMessage | null> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    const stopped = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
      onAbort = () => resolve(null);
      signal.addEventListener('abort', onAbort);
    });
    try {
      const result = await Promise.race([task, stopped]);
      if (result === null) await link.close(0);
      return result;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private memberEnded(run: ActiveRun, role: string, end: MemberEnd): MemberEnd {
    this.deps.store.swarms.memberEnded(run.id, role, { ...end, at: this.deps.now() });
    this.announce(run.id);
    return end;
  }

  /** Starts a member's sandbox under a name of its own and opens its link, in a new session. */
  private async open(run: ActiveRun, role: string, agentId: string): Promise<AgentLink> {
    const { deps } = this;
    const config = deps.config();
    const agent = resolveAgent(config, agentId);
    const runtime = deps.runtimeFor(agent);
    const env: Record<string, string> = { ...deps.agentEnv(agent), PRAKTOR_SWARM_ID: run.id };
    if (run.channel.has(role)) env.PRAKTOR_SWARM_ROLE = role;
    const embeddings = embeddingsOf(config);
    const sandbox = await runtime.start({
      agentId: agent.id,
      workspace: safeWorkspaceName(agent.workspace),
      files: deps.agentFiles(agent),
      name: `swarm-${run.id.slice(0, 8)}-${safeWorkspaceName(role)}`,
      swarm: { runId: run.id, role },
      ...(embeddings.modelDir ? { embeddingModelDir: embeddings.modelDir } : {}),
    });
    const nix = nixFor(agent, runtime);
    return AgentLink.open(sandbox, {
      agentId: agent.id,
      model: agent.model,
      resumeSessionId: null,
      // As for the agent's own sandbox.
      nixEnabled: nix.enabled,
      nixUnavailable: nix.problem,
      extensions: deps.agentExtensions(agent),
      // What the member's sandbox reports of its extensions is the agent's too: the same servers, the same secrets.
      onExtensionStatus: (status) => {
        deps.store.extensions.setStatus(agent.id, status);
        deps.bus.emit({ type: 'extensions', agentId: agent.id });
      },
      tools: agent.allowedTools.length > 0 ? agent.allowedTools : null,
      env,
      embeddingModel: embeddings.model,
      embeddingModelDir: embeddings.modelDir ? runtime.embeddingModelDir(embeddings.modelDir) : null,
      readyTimeoutMs: deps.readyTimeoutMs ?? 60_000,
      // The member's task is sent as soon as it is ready.
      startedAhead: false,
      // A member's session is its own: the agent's conversation is not continued from it.
      onSession: () => {},
      onLog: (line) => deps.log.debug({ agent: agent.id, swarm: run.id, role }, line),
      onCall: (call) => this.answer(run, role, agent.id, call),
      onMemoryChanged: () => deps.bus.emit({ type: 'memory', agentId: agent.id }),
      approvals: agent.approvalRules,
      onApproval: (request) => deps.onApproval(agent.id, { runId: run.id, role }, request),
      serveStream: (service, stream, streamId) => deps.serveStream(agent.id, service, stream, streamId),
    });
  }

  /** A member's tool call: the swarm's chat here, everything else as for the agent's own turns. */
  private async answer(run: ActiveRun, role: string, agentId: string, call: CallMessage): Promise<ToolReply> {
    const request = call.request;
    try {
      if (request.tool === 'swarm_chat_send') {
        const content = this.deps.redactor.text(agentId, request.content);
        run.channel.send(role, content, this.deps.now());
        const unread = await run.channel.read(role, 0, run.controller.signal);
        return { ok: true, text: `Sent.${unread.length > 0 ? `\n\n${describeMessages(unread)}` : ''}` };
      }
      if (request.tool === 'swarm_chat_read') {
        const waitMs = (request.wait_seconds ?? 0) * 1000;
        return {
          ok: true,
          text: describeMessages(await run.channel.read(role, waitMs, run.controller.signal)),
        };
      }
    } catch (err) {
      return { ok: false, text: `Error: ${messageOf(err)}` };
    }
    return answerToolCall(this.deps.agentTools, this.deps.store, agentId, call);
  }

  private promptFor(run: ActiveRun, role: string): string {
    const { plan, request, outputs } = run;
    const member = request.agents.find((a) => a.role === role);
    const group = plan.groups.find((g) => g.includes(role)) ?? [];
    const outputOf = (r: string) => ({ role: r, output: outputs.get(r) ?? '' });
    return memberPrompt({
      task: request.task,
      role,
      instructions: member?.prompt ?? '',
      collaborators: group.filter((r) => r !== role),
      inputs: (plan.inputs[role] ?? []).map(outputOf),
      results:
        role === plan.lead
          ? request.agents.filter((a) => a.role !== role).map((a) => outputOf(a.role))
          : null,
    });
  }

  private announce(id: string): void {
    const run = this.deps.store.swarms.get(id);
    if (run) this.deps.bus.emit({ type: 'swarm_run', run });
  }
}

/** The answer of a run: the lead's, or without one every member's under its role. */
function resultOf(run: ActiveRun): string {
  if (run.plan.lead !== null) return run.outputs.get(run.plan.lead) ?? '';
  return run.request.agents
    .filter((a) => run.outputs.has(a.role))
    .map((a) => `**${a.role}**\n\n${run.outputs.get(a.role)}`)
    .join('\n\n');
}

function cancelledEnd(output: string): MemberEnd {
  return { status: 'cancelled', output, error: null, costUsd: null };
}

/** How a member ended, from its result (null: it was stopped or ran out of time). */
function endOf(
  result: ResultMessage | null,
  text: string,
  signal: AbortSignal,
  timeoutMs: number,
): MemberEnd {
  if (result === null) {
    return signal.aborted
      ? cancelledEnd(text)
      : {
          status: 'failed',
          output: text,
          error: `the agent did not finish within ${Math.round(timeoutMs / 1000)} s`,
          costUsd: null,
        };
  }
  if (result.status === 'ok')
    return { status: 'completed', output: text, error: null, costUsd: result.costUsd };
  if (result.status === 'aborted') return { ...cancelledEnd(''), costUsd: result.costUsd };
  return { status: 'failed', output: '', error: text, costUsd: result.costUsd };
}
