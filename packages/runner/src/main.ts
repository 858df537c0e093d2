#!/usr/bin/env node
/**
 * The runner's entry point: speaks the link on stdin/stdout and drives one Claude session.
 * Stdout carries only link messages; everything meant for people goes to stderr.
 */
import { readFileSync } from 'node:fs';
import {
  type GatewayToRunner,
  GatewayToRunner as GatewayToRunnerSchema,
  type InitMessage,
  LINK_PROTOCOL_VERSION,
  type RunnerToGateway,
  readLines,
  type TurnMessage,
  writeLine,
} from '@praktor/protocol';
import { buildSystemPrompt, ensureAgentMd } from './identity.js';
import { ClaudeSession } from './session.js';
import { type RunnerPaths, readPaths } from './settings.js';

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

let session: ClaudeSession | null = null;
const turns: TurnMessage[] = [];
let working = false;

function start(init: InitMessage, paths: RunnerPaths): void {
  if (init.protocol !== LINK_PROTOCOL_VERSION) {
    fatal(`the gateway speaks link protocol ${init.protocol}, this runner speaks ${LINK_PROTOCOL_VERSION}`);
  }
  ensureAgentMd(paths);
  session = new ClaudeSession({
    agentId: init.agentId,
    model: init.model,
    cwd: paths.workspace,
    resumeSessionId: init.resumeSessionId,
    tools: init.tools,
    env: {
      ...process.env,
      // The runner is the sandbox's only tenant; Claude Code needs to be told so to run tools unprompted as root.
      IS_SANDBOX: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    },
    systemPrompt: () => buildSystemPrompt(paths, init.agentId),
    onSession: (sessionId) => send({ type: 'session', sessionId }),
    onDelta: (turnId, text) => send({ type: 'delta', turnId, text }),
    log,
  });
  session.warm();
  send({ type: 'ready', protocol: LINK_PROTOCOL_VERSION, runnerVersion });
}

async function drain(): Promise<void> {
  if (working || !session) return;
  working = true;
  for (let turn = turns.shift(); turn; turn = turns.shift()) {
    send(await session.runTurn(turn.turnId, turn.text));
  }
  working = false;
}

function shutdown(code: number): void {
  session?.close();
  process.exit(code);
}

function onMessage(message: GatewayToRunner, paths: RunnerPaths): void {
  if (message.type === 'init') {
    if (session) fatal('init received twice');
    start(message, paths);
    return;
  }
  if (!session) fatal(`"${message.type}" received before init`);
  switch (message.type) {
    case 'turn':
      turns.push(message);
      void drain();
      return;
    case 'abort':
      turns.length = 0;
      void session.abort();
      return;
    case 'reset':
      session.reset();
      return;
    case 'shutdown':
      shutdown(0);
  }
}

function main(): void {
  let paths: RunnerPaths;
  try {
    paths = readPaths(process.env);
  } catch (err) {
    fatal((err as Error).message);
  }
  readLines(process.stdin, GatewayToRunnerSchema, {
    onMessage: (message) => onMessage(message, paths),
    onError: (err) => log(`ignored a line from the gateway (${err.message}): ${err.line}`),
    // The gateway is gone: nobody is left to answer to.
    onEnd: () => shutdown(0),
  });
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGINT', () => shutdown(0));
}

main();
