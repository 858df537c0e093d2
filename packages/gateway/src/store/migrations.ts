/**
 * The database schema, one migration per version. A migration is never edited once released: add a new one.
 * Times are integer milliseconds since the epoch (UTC); order within a table is by id, never by time.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id TEXT,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    channel TEXT NOT NULL,
    chat_id TEXT,
    sender TEXT NOT NULL,
    content TEXT NOT NULL,
    state TEXT NOT NULL,
    error TEXT,
    in_reply_to INTEGER REFERENCES messages(id),
    external_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX messages_external ON messages(channel, external_id) WHERE external_id IS NOT NULL;
  CREATE INDEX messages_agent ON messages(agent_id, id);
  CREATE INDEX messages_open ON messages(state) WHERE state IN ('received', 'routed', 'processing', 'pending');

  CREATE TABLE deliveries (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    chat_id TEXT NOT NULL,
    external_id TEXT,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, seq)
  );
  CREATE INDEX deliveries_external ON deliveries(chat_id, external_id);

  CREATE TABLE agent_sessions (
    agent_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE chat_agents (
    channel TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (channel, chat_id)
  );
  `,
  `
  CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  `
  ALTER TABLE deliveries ADD COLUMN html TEXT NOT NULL DEFAULT '';
  ALTER TABLE deliveries ADD COLUMN plain TEXT NOT NULL DEFAULT '';
  ALTER TABLE deliveries ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE deliveries ADD COLUMN error TEXT;
  CREATE INDEX deliveries_open ON deliveries(state) WHERE state = 'pending';
  ALTER TABLE messages ADD COLUMN failure_reported INTEGER NOT NULL DEFAULT 0;
  `,
  `
  CREATE TABLE vault_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    format INTEGER NOT NULL,
    kdf TEXT NOT NULL,
    kdf_version INTEGER NOT NULL,
    kdf_salt BLOB NOT NULL,
    kdf_memory_kib INTEGER NOT NULL,
    kdf_iterations INTEGER NOT NULL,
    kdf_parallelism INTEGER NOT NULL,
    check_nonce BLOB NOT NULL,
    check_value BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('string', 'file')),
    filename TEXT,
    description TEXT NOT NULL DEFAULT '',
    global INTEGER NOT NULL DEFAULT 0,
    nonce BLOB NOT NULL,
    value BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE agent_secrets (
    agent_id TEXT NOT NULL,
    secret_name TEXT NOT NULL REFERENCES secrets(name) ON DELETE CASCADE,
    PRIMARY KEY (agent_id, secret_name)
  );
  CREATE INDEX agent_secrets_secret ON agent_secrets(secret_name);
  `,
  `
  CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    name TEXT NOT NULL,
    schedule TEXT NOT NULL,
    prompt TEXT NOT NULL,
    timezone TEXT,
    catch_up TEXT NOT NULL DEFAULT 'once' CHECK (catch_up IN ('skip', 'once', 'all')),
    channel TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed')),
    next_run_at INTEGER,
    run_requested_at INTEGER,
    last_run_at INTEGER,
    last_status TEXT,
    last_error TEXT,
    revision INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX tasks_due ON tasks(status, next_run_at);
  CREATE INDEX tasks_requested ON tasks(run_requested_at) WHERE run_requested_at IS NOT NULL;
  CREATE INDEX tasks_agent ON tasks(agent_id);

  CREATE TABLE task_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    scheduled_for INTEGER NOT NULL,
    triggered_by TEXT NOT NULL CHECK (triggered_by IN ('schedule', 'manual')),
    started_at INTEGER,
    ended_at INTEGER,
    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'error', 'interrupted', 'skipped')),
    error TEXT,
    answer TEXT,
    cost_usd REAL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cache_read_tokens INTEGER,
    cache_write_tokens INTEGER,
    message_id INTEGER REFERENCES messages(id),
    owner TEXT,
    UNIQUE (task_id, scheduled_for)
  );
  CREATE INDEX task_runs_running ON task_runs(status) WHERE status = 'running';

  CREATE TABLE scheduler_instances (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  `,
  // Why a failed message failed, as a value to count by rather than words to match (the error text is for
  // people). Failed deliveries stored before were told apart only by their text.
  `
  ALTER TABLE messages ADD COLUMN failure_kind TEXT;
  UPDATE messages SET failure_kind = 'delivery'
    WHERE direction = 'out' AND state = 'failed' AND error LIKE 'delivery failed:%';
  `,
  // Files agents send with file_send, kept with their message so a restart still delivers them (and backups
  // carry them): at most 10 MB each.
  `
  CREATE TABLE message_files (
    message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL
  );
  `,
  // A secret may be an HTTP credential the gateway's proxy adds on the way out (JSON: hosts and header); null for
  // secrets given to agents as env variables or files, which every secret stored before is.
  `
  ALTER TABLE secrets ADD COLUMN inject TEXT;
  `,
  // Full-text search over what was said, for agents' history_search and Mission Control's conversation search.
  // The index holds only the text; rows are filtered by agent through the messages table.
  `
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content = 'messages', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
  END;
  INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
  `,
  // What agents did while answering (tool calls, retried API errors), kept so a reloaded conversation still shows it.
  `
  CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages(id),
    agent_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('tool', 'retry')),
    tool TEXT,
    summary TEXT NOT NULL,
    detail TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX activities_agent_message ON activities(agent_id, message_id);
  `,
  // What agents spend, per model and turn or task run (the SDK's numbers); each session's running totals as last
  // reported, to tell a turn's share from them; approval requests and their decisions; budget notices already given.
  `
  CREATE TABLE spend (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('turn', 'task')),
    message_id INTEGER REFERENCES messages(id),
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX spend_time ON spend(created_at);
  CREATE INDEX spend_message ON spend(message_id);

  CREATE TABLE session_spend (
    session_id TEXT NOT NULL,
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    PRIMARY KEY (session_id, model)
  );

  CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    message_id INTEGER REFERENCES messages(id),
    channel TEXT NOT NULL,
    chat_id TEXT,
    tool_name TEXT NOT NULL,
    input TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'timed_out', 'expired')),
    always INTEGER NOT NULL DEFAULT 0,
    decided_by TEXT,
    decided_at INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX approvals_pending ON approvals(state) WHERE state = 'pending';

  CREATE TABLE budget_notices (
    budget TEXT NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('warning', 'refusal')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (budget, period, kind)
  );
  `,
  // Telegram users let in by their owner through a pairing code, beside telegram.allow_from; and the codes
  // waiting for the owner's approval (one per user at most).
  `
  CREATE TABLE paired_users (
    user_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    username TEXT,
    approved_at INTEGER NOT NULL,
    approved_by TEXT NOT NULL
  );
  CREATE TABLE pairing_requests (
    code TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL UNIQUE,
    chat_id TEXT NOT NULL,
    name TEXT NOT NULL,
    username TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  // How each inbound message found its agent (an @prefix, a reply, the AI classifier and its reason, …).
  `
  ALTER TABLE messages ADD COLUMN route_via TEXT;
  ALTER TABLE messages ADD COLUMN route_reason TEXT;
  `,
  // The files an inbound message brought, as saved in its agent's workspace: images go to the model as images, and
  // a voice note is answered with a voice message too. A file sent as a voice message is marked so.
  `
  CREATE TABLE message_uploads (
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    mime_type TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL
  );
  CREATE INDEX message_uploads_message ON message_uploads(message_id);
  ALTER TABLE message_files ADD COLUMN voice INTEGER NOT NULL DEFAULT 0;
  `,
  // Each agent's extensions (MCP servers, marketplaces, plugins, skills) as saved in Mission Control, and what its
  // sandbox last reported of them.
  `
  CREATE TABLE agent_extensions (
    agent_id TEXT PRIMARY KEY,
    extensions TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE agent_extension_status (
    agent_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    reported_at INTEGER NOT NULL
  );
  `,
  // Swarms: each run with the request it was started with, its members and what each produced, the messages of its
  // collaborative groups, and saved graphs to launch again.
  `
  CREATE TABLE swarm_runs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    task TEXT NOT NULL,
    lead_agent TEXT NOT NULL,
    request TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
    error TEXT,
    result TEXT,
    origin_channel TEXT,
    origin_chat_id TEXT,
    created_at INTEGER NOT NULL,
    completed_at INTEGER
  );
  CREATE INDEX swarm_runs_running ON swarm_runs(status) WHERE status = 'running';
  CREATE TABLE swarm_members (
    run_id TEXT NOT NULL REFERENCES swarm_runs(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    position INTEGER NOT NULL,
    agent_id TEXT NOT NULL,
    tier INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'running', 'completed', 'failed', 'cancelled', 'interrupted',
      'skipped')),
    output TEXT NOT NULL DEFAULT '',
    error TEXT,
    cost_usd REAL,
    started_at INTEGER,
    completed_at INTEGER,
    PRIMARY KEY (run_id, role)
  );
  CREATE TABLE swarm_chat (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES swarm_runs(id) ON DELETE CASCADE,
    group_index INTEGER NOT NULL,
    sender TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX swarm_chat_run ON swarm_chat(run_id, id);
  CREATE TABLE swarm_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    request TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // Swarm members spend too: a third kind of spend row (SQLite changes a CHECK only by copying the table).
  `
  CREATE TABLE spend_with_swarms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('turn', 'task', 'swarm')),
    message_id INTEGER REFERENCES messages(id),
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    created_at INTEGER NOT NULL
  );
  INSERT INTO spend_with_swarms SELECT * FROM spend;
  DROP TABLE spend;
  ALTER TABLE spend_with_swarms RENAME TO spend;
  CREATE INDEX spend_time ON spend(created_at);
  CREATE INDEX spend_message ON spend(message_id);
  `,
  // A swarm member's approval request names its run and role, so the person asked knows which member asks.
  `
  ALTER TABLE approvals ADD COLUMN swarm_run_id TEXT;
  ALTER TABLE approvals ADD COLUMN swarm_name TEXT;
  ALTER TABLE approvals ADD COLUMN swarm_role TEXT;
  `,
  // A refusal is told once per period to each chat it refuses, not once in all: notices name their chat ('' for the
  // main chat's warnings). SQLite changes a primary key only by copying the table.
  `
  CREATE TABLE budget_notices_per_chat (
    budget TEXT NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('warning', 'refusal')),
    chat TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (budget, period, kind, chat)
  );
  INSERT INTO budget_notices_per_chat SELECT budget, period, kind, '', created_at FROM budget_notices;
  DROP TABLE budget_notices;
  ALTER TABLE budget_notices_per_chat RENAME TO budget_notices;
  `,
];
