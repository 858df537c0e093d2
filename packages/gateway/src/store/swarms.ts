/**
 * Swarm runs, their members and outputs, the collaborative chat, and saved templates. A member's output is written
 * as it streams, so a run cut short by a crash keeps what its members had produced.
 */
import {
  type SwarmChatMessage,
  type SwarmMemberStatus,
  type SwarmMemberView,
  SwarmRequest,
  type SwarmRunStatus,
  type SwarmRunView,
  type SwarmTemplate,
} from '@praktor/protocol';
import type { Db } from './database.js';

/** A run as it is created: who is in it and in which tier. */
export interface NewSwarmRun {
  id: string;
  request: SwarmRequest;
  /** Each member's tier, by role. */
  tiers: Readonly<Record<string, number>>;
  /** The chat that asked for it, to deliver the result to; null for runs started from Mission Control or the API. */
  origin: { channel: string; chatId: string } | null;
  createdAt: number;
}

/** Where a run's result goes. */
export interface SwarmOrigin {
  channel: string;
  chatId: string;
}

interface RunRow {
  id: string;
  name: string;
  task: string;
  lead_agent: string;
  request: string;
  status: SwarmRunStatus;
  error: string | null;
  result: string | null;
  origin_channel: string | null;
  origin_chat_id: string | null;
  created_at: number;
  completed_at: number | null;
}

interface MemberRow {
  role: string;
  agent_id: string;
  tier: number;
  status: SwarmMemberStatus;
  output: string;
  error: string | null;
  cost_usd: number | null;
  started_at: number | null;
  completed_at: number | null;
}

interface ChatRow {
  id: number;
  group_index: number;
  sender: string;
  content: string;
  created_at: number;
}

interface TemplateRow {
  id: string;
  name: string;
  request: string;
  created_at: number;
  updated_at: number;
}

/** Reads and writes `swarm_runs`, `swarm_members`, `swarm_chat` and `swarm_templates`. */
export class SwarmStore {
  constructor(private readonly db: Db) {}

  /** Stores a new running run with every member waiting. */
  create(run: NewSwarmRun): SwarmRunView {
    const { request } = run;
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO swarm_runs (id, name, task, lead_agent, request, status, origin_channel, origin_chat_id,
             created_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
        )
        .run(
          run.id,
          request.name,
          request.task,
          request.lead_agent,
          JSON.stringify(request),
          run.origin?.channel ?? null,
          run.origin?.chatId ?? null,
          run.createdAt,
        );
      const insert = this.db.prepare(
        `INSERT INTO swarm_members (run_id, role, position, agent_id, tier, status) VALUES (?, ?, ?, ?, ?, 'waiting')`,
      );
      request.agents.forEach((agent, i) => {
        insert.run(run.id, agent.role, i, agent.agent_id, run.tiers[agent.role] ?? 0);
      });
    })();
    return this.get(run.id) as SwarmRunView;
  }

  /** A run with its members, or null. */
  get(id: string): SwarmRunView | null {
    const row = this.db.prepare<[string], RunRow>('SELECT * FROM swarm_runs WHERE id = ?').get(id);
    return row ? this.view(row) : null;
  }

  /** The most recent runs first. */
  list(limit = 100): SwarmRunView[] {
    return this.db
      .prepare<[number], RunRow>('SELECT * FROM swarm_runs ORDER BY created_at DESC, id LIMIT ?')
      .all(limit)
      .map((row) => this.view(row));
  }

  /** The ids of runs stored as running. */
  running(): string[] {
    return this.db
      .prepare<[], { id: string }>("SELECT id FROM swarm_runs WHERE status = 'running'")
      .all()
      .map((row) => row.id);
  }

  /** Where the run's result goes, or null. */
  origin(id: string): SwarmOrigin | null {
    const row = this.db
      .prepare<[string], Pick<RunRow, 'origin_channel' | 'origin_chat_id'>>(
        'SELECT origin_channel, origin_chat_id FROM swarm_runs WHERE id = ?',
      )
      .get(id);
    return row?.origin_channel && row.origin_chat_id
      ? { channel: row.origin_channel, chatId: row.origin_chat_id }
      : null;
  }

  /** A member starts. */
  memberStarted(id: string, role: string, at: number): void {
    this.db
      .prepare(
        "UPDATE swarm_members SET status = 'running', started_at = ?, output = '' WHERE run_id = ? AND role = ?",
      )
      .run(at, id, role);
  }

  /** What a member has written so far. */
  memberOutput(id: string, role: string, output: string): void {
    this.db
      .prepare('UPDATE swarm_members SET output = ? WHERE run_id = ? AND role = ?')
      .run(output, id, role);
  }

  /** A member ended. */
  memberEnded(
    id: string,
    role: string,
    end: {
      status: SwarmMemberStatus;
      output: string;
      error: string | null;
      costUsd: number | null;
      at: number;
    },
  ): void {
    this.db
      .prepare(
        // A member the run's end already marked (cancelled, interrupted) keeps that status.
        `UPDATE swarm_members SET status = CASE status WHEN 'running' THEN ? ELSE status END, output = ?, error = ?,
           cost_usd = ?, completed_at = ? WHERE run_id = ? AND role = ?`,
      )
      .run(end.status, end.output, end.error, end.costUsd, end.at, id, role);
  }

  /**
   * Ends a run that is still running: its members still waiting become `skipped`, and those running `memberStatus`
   * (they are being stopped). Returns false when it had already ended.
   */
  finish(
    id: string,
    end: {
      status: Exclude<SwarmRunStatus, 'running'>;
      error: string | null;
      result: string | null;
      at: number;
      memberStatus: SwarmMemberStatus;
    },
  ): boolean {
    return this.db.transaction(() => {
      const changed = this.db
        .prepare(
          `UPDATE swarm_runs SET status = ?, error = ?, result = ?, completed_at = ?
             WHERE id = ? AND status = 'running'`,
        )
        .run(end.status, end.error, end.result, end.at, id).changes;
      if (changed === 0) return false;
      this.db
        .prepare("UPDATE swarm_members SET status = 'skipped' WHERE run_id = ? AND status = 'waiting'")
        .run(id);
      this.db
        .prepare(
          "UPDATE swarm_members SET status = ?, completed_at = ? WHERE run_id = ? AND status = 'running'",
        )
        .run(end.memberStatus, end.at, id);
      return true;
    })();
  }

  /** Removes a run, its members and its chat; returns whether it existed. */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM swarm_runs WHERE id = ?').run(id).changes > 0;
  }

  /** Stores a message of a collaborative group. */
  addChat(id: string, message: Omit<SwarmChatMessage, 'id'>): SwarmChatMessage {
    const row = this.db
      .prepare<unknown[], ChatRow>(
        `INSERT INTO swarm_chat (run_id, group_index, sender, content, created_at) VALUES (?, ?, ?, ?, ?)
           RETURNING *`,
      )
      .get(id, message.group, message.from, message.content, message.created_at) as ChatRow;
    return chatView(row);
  }

  /** A run's collaborative chat, oldest first. */
  chat(id: string): SwarmChatMessage[] {
    return this.db
      .prepare<[string], ChatRow>('SELECT * FROM swarm_chat WHERE run_id = ? ORDER BY id')
      .all(id)
      .map(chatView);
  }

  /** Saved templates by name. */
  templates(): SwarmTemplate[] {
    return this.db
      .prepare<[], TemplateRow>('SELECT * FROM swarm_templates ORDER BY name')
      .all()
      .map(templateView);
  }

  /** One template, or null. */
  template(id: string): SwarmTemplate | null {
    const row = this.db.prepare<[string], TemplateRow>('SELECT * FROM swarm_templates WHERE id = ?').get(id);
    return row ? templateView(row) : null;
  }

  /** Whether another template than `exceptId` has this name. */
  templateNameTaken(name: string, exceptId: string | null): boolean {
    return (
      this.db
        .prepare<[string, string], { id: string }>(
          'SELECT id FROM swarm_templates WHERE name = ? AND id != ?',
        )
        .get(name, exceptId ?? '') !== undefined
    );
  }

  /** Creates or replaces a template. */
  saveTemplate(template: Omit<SwarmTemplate, 'created_at'> & { created_at?: number }): SwarmTemplate {
    const row = this.db
      .prepare<unknown[], TemplateRow>(
        `INSERT INTO swarm_templates (id, name, request, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, request = excluded.request,
             updated_at = excluded.updated_at
           RETURNING *`,
      )
      .get(
        template.id,
        template.name,
        JSON.stringify(template.request),
        template.created_at ?? template.updated_at,
        template.updated_at,
      ) as TemplateRow;
    return templateView(row);
  }

  /** Removes a template; returns whether it existed. */
  deleteTemplate(id: string): boolean {
    return this.db.prepare('DELETE FROM swarm_templates WHERE id = ?').run(id).changes > 0;
  }

  private view(row: RunRow): SwarmRunView {
    const members = this.db
      .prepare<[string], MemberRow>('SELECT * FROM swarm_members WHERE run_id = ? ORDER BY position')
      .all(row.id)
      .map(
        (m): SwarmMemberView => ({
          role: m.role,
          agent_id: m.agent_id,
          tier: m.tier,
          status: m.status,
          output: m.output,
          error: m.error,
          cost_usd: m.cost_usd,
          started_at: m.started_at,
          completed_at: m.completed_at,
        }),
      );
    return {
      id: row.id,
      name: row.name,
      task: row.task,
      lead_agent: row.lead_agent,
      status: row.status,
      error: row.error,
      request: SwarmRequest.parse(JSON.parse(row.request)),
      members,
      result: row.result,
      cost_usd: members.reduce((sum, m) => sum + (m.cost_usd ?? 0), 0),
      created_at: row.created_at,
      completed_at: row.completed_at,
    };
  }
}

function chatView(row: ChatRow): SwarmChatMessage {
  return {
    id: row.id,
    group: row.group_index,
    from: row.sender,
    content: row.content,
    created_at: row.created_at,
  };
}

function templateView(row: TemplateRow): SwarmTemplate {
  return {
    id: row.id,
    name: row.name,
    request: SwarmRequest.parse(JSON.parse(row.request)),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
