/**
 * Praktor's chat commands, the same in every channel: `/agents`, `/commands`, `/start`, `/stop`, `/reset`, `/cost`,
 * `/nix`.
 * A chat never reaches Claude Code's own slash commands (`/model`, `/login`, …): any other `/word` gets Praktor's
 * list. Replies are Markdown; each channel delivers them its own way.
 */
import type { Channel, MessageView, NixAction } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import type { Config } from '../config/index.js';
import { agentSpendNow, formatUsd } from '../costs.js';
import type { Inbox } from '../inbox.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { type Pairing, PairingError } from '../router/pairing.js';
import { prefixName, route } from '../router/router.js';
import type { Store } from '../store/index.js';
import { didYouMean } from '../suggest.js';
import { type ParsedCommand, parseCommand } from './parse.js';

/** A command a chat can use, as Telegram's command menu and `/commands` list it. */
export interface CommandInfo {
  command: string;
  /** Its arguments, for the list (`[agent]`). */
  usage: string;
  description: string;
}

/** Praktor's commands, in the order menus show them. */
export const COMMANDS: readonly CommandInfo[] = [
  { command: 'agents', usage: '', description: 'List the agents' },
  { command: 'commands', usage: '', description: 'Show the commands' },
  { command: 'start', usage: '[agent]', description: 'Say hello to an agent' },
  {
    command: 'stop',
    usage: '[agent]',
    description: 'Stop what an agent is doing and drop its waiting messages',
  },
  { command: 'reset', usage: '[agent]', description: 'Start a new conversation with an agent' },
  { command: 'cost', usage: '', description: 'Show what the agents spent today and this month' },
  { command: 'pair', usage: 'CODE', description: 'Let in the Telegram user who sent you this pairing code' },
  {
    command: 'nix',
    usage: 'search|add|list|remove|upgrade [package] [@agent]',
    description: 'Manage an agent’s nix packages',
  },
];

const NIX_USAGE = 'Usage: /nix <search|add|list|remove|upgrade> [package] [@agent]';

/** `/nix` actions as typed, with the nix action each means and the usage shown when its arguments are missing. */
const NIX_ACTIONS: Record<string, { action: NixAction; usage: string | null }> = {
  search: { action: 'search', usage: 'Usage: /nix search <query> [@agent]' },
  add: { action: 'add', usage: 'Usage: /nix add <package...> [@agent]' },
  install: { action: 'add', usage: 'Usage: /nix add <package...> [@agent]' },
  list: { action: 'list', usage: null },
  ls: { action: 'list', usage: null },
  remove: { action: 'remove', usage: 'Usage: /nix remove <package...> [@agent]' },
  rm: { action: 'remove', usage: 'Usage: /nix remove <package...> [@agent]' },
  upgrade: { action: 'upgrade', usage: null },
};

/** The most of a nix answer a chat reply carries, in bytes. */
const NIX_REPLY_BYTES = 3500;

/** The chat a command came from. */
export interface CommandChat {
  channel: Channel;
  chatId: string;
  sender: string;
  /** The agent a command means when it names none (the web chat's agent; Telegram's last or default agent). */
  agentId: string;
  /** The channel's id for the command message, so a redelivered one is not acted on twice. */
  externalId?: string;
  /** The name the channel itself answers to (the Telegram bot's username): `@` it is no agent. Null for the web. */
  ownName: string | null;
}

/** What became of a message: not a command (route it to an agent), or a command with Praktor's reply, if any. */
export type CommandOutcome =
  | { command: false }
  | {
      command: true;
      /** The agent the command acted on. */
      agentId: string;
      /** Praktor's answer, in Markdown. */
      reply: string;
    }
  | {
      command: true;
      agentId: string;
      /** No answer from Praktor: the agent answers the message handed to it instead (`/start`'s greeting). */
      reply: null;
      forwarded: MessageView;
    };

/** What the commands work with. */
export interface CommandDeps {
  config: () => Config;
  inbox: Inbox;
  orchestrator: Orchestrator;
  /** Where what the agents spent is recorded. */
  store: Store;
  /** The time now, in ms since the epoch. */
  now: () => number;
  /** Approves pairing codes (`/pair`). */
  pairing: Pairing;
  /** Cancels the swarms a chat launched that are still running (`/stop`); returns how many. */
  cancelSwarms: (chat: { channel: Channel; chatId: string }) => number;
}

/** Carries out chat commands. */
export class ChatCommands {
  constructor(private readonly deps: CommandDeps) {}

  /**
   * Carries out `text` if it is a command — also one after an `@agent` prefix, which then means that agent
   * (`@coder /stop`). An `@name` prefix no agent has is answered with the agents there are, rather than sent to the
   * default agent with the name still in it. Text that is not a command is left for the agent.
   */
  async run(text: string, chat: CommandChat): Promise<CommandOutcome> {
    const direct = parseCommand(text);
    if (direct) return this.execute(direct, chat);
    const config = this.deps.config();
    const agents = Object.keys(config.agents);
    const prefixed = route(text, { agents, defaultAgent: config.router.default_agent, repliedToAgent: null });
    const after = prefixed.via === 'prefix' ? parseCommand(prefixed.text) : null;
    if (after) return this.execute(after, { ...chat, agentId: prefixed.agentId });
    const named = prefixed.via === 'prefix' ? null : prefixName(text);
    if (named !== null && named.toLowerCase() !== chat.ownName?.toLowerCase()) {
      return { command: true, agentId: chat.agentId, reply: noSuchAgent(named, agents) };
    }
    return { command: false };
  }

  private async execute(parsed: ParsedCommand, chat: CommandChat): Promise<CommandOutcome> {
    const known = COMMANDS.some((c) => c.command === parsed.name);
    if (!known) return { command: true, agentId: chat.agentId, reply: unknownCommand(parsed.name) };
    if (parsed.name === 'pair')
      return { command: true, agentId: chat.agentId, reply: this.pair(parsed.args, chat) };
    if (parsed.name === 'nix') return this.nix(parsed.args);
    const target = this.agentNamed(parsed.args, chat.agentId);
    if ('error' in target) return { command: true, agentId: chat.agentId, reply: target.error };
    const { agentId } = target;
    switch (parsed.name) {
      case 'agents':
        return { command: true, agentId: chat.agentId, reply: this.agentList() };
      case 'commands':
        return { command: true, agentId: chat.agentId, reply: commandList() };
      case 'cost':
        return { command: true, agentId: chat.agentId, reply: this.costs() };
      case 'start':
        return { command: true, agentId, reply: null, forwarded: this.greet(chat, agentId) };
      case 'stop':
        return { command: true, agentId, reply: this.stop(agentId, chat) };
      default:
        this.deps.orchestrator.reset(agentId);
        return { command: true, agentId, reply: `New conversation started with **${agentId}**.` };
    }
  }

  /**
   * `/nix <action> [args] [@agent]`, as the original has it: any `@word` names the agent (the last one wins), else
   * the default agent; the action runs in the agent's sandbox, which is started for it.
   */
  private async nix(args: string): Promise<CommandOutcome> {
    const config = this.deps.config();
    const words = args.split(/\s+/).filter((w) => w !== '');
    const named = words
      .filter((w) => w.startsWith('@') && w.length > 1)
      .at(-1)
      ?.slice(1);
    const [typed, ...rest] = words.filter((w) => !w.startsWith('@'));
    const target =
      named === undefined ? { agentId: config.router.default_agent } : this.agentNamed(named, '');
    const replyTo = 'agentId' in target ? target.agentId : config.router.default_agent;
    const answer = (reply: string): CommandOutcome => ({ command: true, agentId: replyTo, reply });
    if ('error' in target) return answer(target.error);
    if (typed === undefined) return answer(NIX_USAGE);
    const known = NIX_ACTIONS[typed.toLowerCase()];
    if (known === undefined) return answer(`Unknown action: ${typed}\n${NIX_USAGE}`);
    if (known.usage !== null && rest.length === 0) return answer(known.usage);
    // Search takes one term, as the original's did.
    const actionArgs = known.action === 'search' ? rest.slice(0, 1) : rest;
    let outcome: { ok: boolean; text: string };
    try {
      outcome = await this.deps.orchestrator.nix(target.agentId, known.action, actionArgs);
    } catch (err) {
      return answer(`Failed to start agent **${target.agentId}**: ${messageOf(err)}`);
    }
    return answer(`**${target.agentId}** \`${typed.toLowerCase()}\`:\n${codeBlock(outcome.text)}`);
  }

  /** The agent a command's first argument names (an `@` is allowed), else `fallback`. */
  private agentNamed(args: string, fallback: string): { agentId: string } | { error: string } {
    const agents = Object.keys(this.deps.config().agents);
    const arg = (args.split(/\s+/)[0] ?? '').replace(/^@/, '');
    if (arg === '') return { agentId: fallback };
    const agentId = agents.find((id) => id.toLowerCase() === arg.toLowerCase());
    if (agentId) return { agentId };
    return { error: noSuchAgent(arg, agents) };
  }

  /** Hands the agent a greeting from the chat, as if the user had written it. */
  private greet(chat: CommandChat, agentId: string): MessageView {
    const { channel, chatId, sender, externalId } = chat;
    return this.deps.inbox.receive(
      { channel, chatId, sender, text: 'Hello!', externalId },
      { forceAgent: agentId },
    ).message;
  }

  /** Approves a pairing code from an allowed chat. */
  private pair(args: string, chat: CommandChat): string {
    const code = args.trim();
    if (code === '') return 'Send `/pair CODE` with the code the new user got from the bot.';
    try {
      const user = this.deps.pairing.approve(code, `${chat.channel} ${chat.sender}`);
      const handle = user.username ? ` (@${user.username})` : '';
      return `**${user.name || user.userId}**${handle} can talk to the agents now.`;
    } catch (err) {
      if (err instanceof PairingError) return `Not approved: ${err.message}.`;
      throw err;
    }
  }

  private stop(agentId: string, chat: CommandChat): string {
    const { dropped, interrupted } = this.deps.orchestrator.abort(agentId);
    const parts = [interrupted ? `Stopped **${agentId}**.` : `**${agentId}** was not working on anything.`];
    if (dropped > 0) parts.push(`Dropped ${dropped} waiting message${dropped === 1 ? '' : 's'}.`);
    const swarms = this.deps.cancelSwarms(chat);
    if (swarms > 0) parts.push(`Cancelled ${swarms} swarm${swarms === 1 ? '' : 's'}.`);
    return parts.join(' ');
  }

  /** Today's and this month's spend per agent and in all, in the configured time zone. */
  private costs(): string {
    const config = this.deps.config();
    const timeZone = config.scheduler.timezone;
    const rows = agentSpendNow(this.deps.store, Object.keys(config.agents), timeZone, this.deps.now());
    const today = rows.reduce((sum, r) => sum + r.today, 0);
    const month = rows.reduce((sum, r) => sum + r.month, 0);
    return [
      `**Costs** (${timeZone})`,
      '',
      ...rows.map(
        (r) => `- **${r.agentId}**: today ${formatUsd(r.today)} · this month ${formatUsd(r.month)}`,
      ),
      '',
      `All agents: today ${formatUsd(today)} · this month ${formatUsd(month)}`,
    ].join('\n');
  }

  private agentList(): string {
    const config = this.deps.config();
    const lines = ['**Agents**', ''];
    for (const [id, agent] of Object.entries(config.agents)) {
      const label = id === config.router.default_agent ? `${id} (default)` : id;
      const model = agent.model || config.defaults.model;
      const status = this.deps.orchestrator.status(id);
      const about = agent.description ? ` — ${agent.description}` : '';
      lines.push(`- **${label}**${about}\n  Status: \`${status}\` · Model: \`${model}\``);
    }
    return lines.join('\n');
  }
}

/** Praktor's commands and how messages find an agent. */
function commandList(): string {
  return [
    '**Commands**',
    '',
    ...COMMANDS.map((c) => `- /${c.command}${c.usage ? ` ${c.usage}` : ''} — ${lowerFirst(c.description)}`),
    '',
    'Start a message with `@agent` to talk to a particular agent; reply to an agent’s message to answer that ' +
      'agent. Anything else goes to the agent best suited to it (or the default agent).',
  ].join('\n');
}

function unknownCommand(name: string): string {
  return [
    `/${name} is not a Praktor command (Claude Code’s own commands are not available from a chat).`,
    '',
    commandList(),
  ].join('\n');
}

/** A nix answer as a fenced code block: `Done (no output).` for nothing, cut at {@link NIX_REPLY_BYTES}. */
function codeBlock(text: string): string {
  let body = text.trim() === '' ? 'Done (no output).' : text.trim();
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length > NIX_REPLY_BYTES) {
    // Cut on a character boundary: a split multi-byte character would show as a replacement sign.
    body = `${new TextDecoder().decode(bytes.subarray(0, NIX_REPLY_BYTES)).replace(/\uFFFD$/, '')}\n... (truncated)`;
  }
  return `\`\`\`\n${body.replaceAll('```', "'''")}\n\`\`\``;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** What a chat is told when it names an agent that does not exist: the one probably meant, and all there are. */
function noSuchAgent(name: string, agents: readonly string[]): string {
  return `There is no agent called “${name}”${didYouMean(name, agents)}. Agents: ${agents.join(', ')}.`;
}
