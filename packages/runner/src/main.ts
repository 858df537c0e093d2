#!/usr/bin/env node
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  type GatewayToRunner,
  GatewayToRunner as GatewayToRunnerSchema,
  type InitMessage,
  LINK_PROTOCOL_VERSION,
  messageOf,
  type ResultMessage,
  type RunnerToGateway,
  readLines,
  type ToolRequest,
  type TurnMessage,
  writeLine,
} from '@praktor/protocol';
/**
 * The runner's entry point: speaks the link on stdin/stdout and drives one Claude session.
 * Stdout carries only link messages; everything meant for people goes to stderr.
 */
import { LinkStreams } from '@praktor/protocol/link-streams';
import type { AgentSetup } from './agent-setup.js';
import { Approvals } from './approvals.js';
import { browserSetup } from './browser.js';
import { applyExtensions, withConnections } from './extensions.js';
import type { OpenFileStream } from './file-tools.js';
import { type GatewayRoutes, openGatewayRoutes } from './gateway-routes.js';
import { buildSystemPrompt, ensureAgentMd } from './identity.js';
import { httpEmbedder } from './memory/embeddings.js';
import { localEmbedder } from './memory/local-embedder.js';
import { answerMemoryRequest } from './memory/memory-requests.js';
import { openAgentMemory } from './memory/open-memory.js';
import { withRecalledMemories } from './memory/turn-recall.js';
import { AgentNix } from './nix.js';
import { NIX_SECTION } from './nix-tools.js';
import { PromptLedger } from './prompt-ledger.js';
import { ClaudeSession } from './session.js';
import { type RunnerPaths, readPaths } from './settings.js';
import { runTask } from './task.js';
import { imageBlocks } from './turn-images.js';

const runnerVersion: string = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
).version;

function send(message: RunnerToGateway): void {
  writeLine(process.stdout, message);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function fatal(message: string): never {
  send({ type: 'fatal', message });
  log(`fatal: ${message}`);
  process.exit(1);
}

/** Byte streams to the gateway: the model API's connections. */
/** The longest the runner waits for Claude Code to initialise before saying it is ready (within the gateway's 60 s). */
const WARM_LIMIT_MS = 20_000;

const streams = new LinkStreams(send);
let setup: AgentSetup | null = null;
let session: ClaudeSession | null = null;
let initialised = false;
/** Problems with the agent's extensions that the user has not been told of yet: said with the next answer. */
const unsaid: string[] = [];
const turns: TurnMessage[] = [];
let working = false;
/** Tool calls waiting for the gateway's reply, by call id. */
const calls = new Map<string, (reply: { ok: boolean; text: string }) => void>();
let nextCallId = 1;
const approvals = new Approvals(send);
/** Task runs in progress: an approval asked for one of them is remembered for that run only. */
const runningTasks = new Set<string>();
/** The scope "Always for this session" applies to in the conversation. */
const CONVERSATION = 'conversation';

function callGateway(turnId: string | null, request: ToolRequest): Promise<{ ok: boolean; text: string }> {
  const callId = String(nextCallId++);
  return new Promise((resolve) => {
    calls.set(callId, resolve);
    send({ type: 'call', callId, turnId, request });
  });
}

/**
 * A stream for the bytes of a file the agent sends, announced to the gateway before the call that names it. Its id
 * is random, unlike the routes' counted ones, so it can never be taken for another stream of this agent's.
 */
const openFileStream: OpenFileStream = () => {
  const streamId = `file-${randomUUID()}`;
  const stream = streams.create(streamId);
  send({ type: 'stream_open', streamId, service: 'file' });
  return { streamId, stream };
};

async function start(init: InitMessage, paths: RunnerPaths, routes: GatewayRoutes): Promise<void> {
  if (init.protocol !== LINK_PROTOCOL_VERSION) {
    fatal(`the gateway speaks link protocol ${init.protocol}, this runner speaks ${LINK_PROTOCOL_VERSION}`);
  }
  ensureAgentMd(paths);
  let memory: AgentSetup['memory'];
  try {
    const embedder = init.embeddingModelDir
      ? localEmbedder(init.embeddingModelDir)
      : init.embeddingModel
        ? httpEmbedder(routes.embeddingsUrl, init.embeddingModel)
        : null;
    memory = openAgentMemory(paths.workspace, embedder, log);
  } catch (err) {
    fatal(messageOf(err));
  }
  const browser = browserSetup({ ...process.env, ...init.env }, join(homedir(), '.praktor', 'bin'));
  const env = {
    ...process.env,
    ...init.env,
    ...browser.env,
    // The gateway's routes win over anything passed on: the model API is reached only through the link.
    ...routes.env,
    // The runner is the sandbox's only tenant; Claude Code needs to be told so to run tools unprompted as root.
    IS_SANDBOX: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  const workbench = init.nixEnabled ? [NIX_SECTION, browser.section] : [browser.section];
  const nix = new AgentNix(init.nixEnabled ? env : null, init.nixUnavailable);
  const applied = await applyExtensions(
    init.extensions,
    process.env.CLAUDE_CONFIG_DIR ?? join(homedir(), '.claude'),
    env,
    nix,
  );
  send({ type: 'extension_status', status: applied.status });
  setup = {
    agentId: init.agentId,
    model: init.model,
    cwd: paths.workspace,
    tools: init.tools,
    env,
    systemPrompt: () => buildSystemPrompt(paths, init.agentId, workbench),
    call: callGateway,
    openFileStream,
    approvals: init.approvals,
    approve: (turnId, toolName, input) =>
      approvals.request(
        turnId !== null && runningTasks.has(turnId) ? turnId : CONVERSATION,
        turnId,
        toolName,
        input,
      ),
    log,
    memory,
    memoryChanged: () => send({ type: 'memory_changed' }),
    nix,
    mcpServers: applied.mcpServers,
    loadsUserSettings: applied.loadsUserSettings,
  };
  session = new ClaudeSession({
    ...setup,
    resumeSessionId: init.resumeSessionId,
    ledger: new PromptLedger(join(homedir(), '.praktor', 'instructions')),
    onSession: (sessionId) => send({ type: 'session', sessionId }),
    onDelta: (turnId, text) => send({ type: 'delta', turnId, text }),
    onActivity: (turnId, activity) => send({ type: 'activity', turnId, activity }),
  });
  void memory.backfill();
  // Ready once Claude Code is up: a warm agent is then answered as fast as a running one, and a cold start's
  // first turn would have waited for it anyway.
  const started = session;
  await started.warm(WARM_LIMIT_MS, init.startedAhead);
  send({ type: 'ready', protocol: LINK_PROTOCOL_VERSION, runnerVersion, browser: browser.chromium });
  // Known before any server connects, so told with the first answer however fast it comes.
  unsaid.push(...applied.status.errors);
  if (Object.keys(applied.mcpServers).length === 0) return;
  try {
    const status = await withConnections(applied.status, applied.mcpServers, () => started.mcpServerStatus());
    send({ type: 'extension_status', status });
    unsaid.push(...status.errors.filter((error) => !applied.status.errors.includes(error)));
  } catch (err) {
    log(`the MCP servers' status could not be read: ${messageOf(err)}`);
  }
}

/** The answer, told first of the extension problems the user has not heard of yet. */
function withUnsaid(result: ResultMessage): ResultMessage {
  if (unsaid.length === 0) return result;
  const notice = `Some of this agent's extensions did not load:\n${unsaid.map((e) => `- ${e}`).join('\n')}`;
  unsaid.length = 0;
  return { ...result, text: `${notice}\n\n${result.text}` };
}

/** The message with the memories that bear on it; the message alone if the memory cannot be searched. */
async function withMemories(text: string): Promise<string> {
  if (!setup) return text;
  try {
    return await withRecalledMemories(setup.memory, text);
  } catch (err) {
    log(`memory: could not recall for this message, so it goes on without: ${messageOf(err)}`);
    return text;
  }
}

async function drain(): Promise<void> {
  if (working || !session) return;
  working = true;
  for (let turn = turns.shift(); turn; turn = turns.shift()) {
    const images = setup ? await imageBlocks(setup.cwd, turn.images, log) : [];
    send(withUnsaid(await session.runTurn(turn.turnId, await withMemories(turn.text), images)));
  }
  working = false;
}

function shutdown(code: number): void {
  session?.close();
  setup?.memory.close();
  process.exit(code);
}

function onMessage(message: GatewayToRunner, paths: RunnerPaths, routes: GatewayRoutes): void {
  if (message.type === 'init') {
    if (initialised) fatal('init received twice');
    initialised = true;
    void start(message, paths, routes);
    return;
  }
  if (
    message.type === 'stream_data' ||
    message.type === 'stream_ack' ||
    message.type === 'stream_drop' ||
    message.type === 'stream_end'
  ) {
    streams.receive(message);
    return;
  }
  if (!session || !setup) fatal(`"${message.type}" received before init`);
  switch (message.type) {
    case 'turn':
      turns.push(message);
      void drain();
      return;
    case 'task': {
      const { turnId, text } = message;
      runningTasks.add(turnId);
      const taskSetup = setup;
      void withMemories(text)
        .then((prompt) =>
          runTask(
            taskSetup,
            turnId,
            prompt,
            (delta) => send({ type: 'delta', turnId, text: delta }),
            (activity) => send({ type: 'activity', turnId, activity }),
          ),
        )
        .then((result) => {
          runningTasks.delete(turnId);
          approvals.forget(turnId);
          send(result);
        });
      return;
    }
    case 'reply': {
      const resolve = calls.get(message.callId);
      calls.delete(message.callId);
      if (resolve) resolve(message);
      else log(`reply to unknown call ${message.callId} ignored`);
      return;
    }
    case 'abort':
      turns.length = 0;
      void session.abort();
      return;
    case 'reset':
      session.reset();
      approvals.forget(CONVERSATION);
      return;
    case 'approval_decision':
      if (!approvals.decided(message)) log(`decision on unknown approval ${message.approvalId} ignored`);
      return;
    case 'memory_request': {
      const { requestId, op } = message;
      void answerMemoryRequest(setup.memory, op).then((result) =>
        send({ type: 'memory_response', requestId, result }),
      );
      return;
    }
    case 'nix_request': {
      const { requestId, action, args } = message;
      void setup.nix
        .run(action, args)
        .then((outcome) => send({ type: 'nix_response', requestId, ...outcome }));
      return;
    }
    case 'shutdown':
      shutdown(0);
  }
}

async function main(): Promise<void> {
  let paths: RunnerPaths;
  let routes: GatewayRoutes;
  try {
    paths = readPaths(process.env);
    routes = await openGatewayRoutes(process.env, streams, send);
  } catch (err) {
    fatal(messageOf(err));
  }
  readLines(process.stdin, GatewayToRunnerSchema, {
    onMessage: (message) => onMessage(message, paths, routes),
    onError: (err) => log(`ignored a line from the gateway (${err.message}): ${err.line}`),
    // The gateway is gone: nobody is left to answer to.
    onEnd: () => shutdown(0),
  });
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
}

void main();
