/**
 * Swarms from Telegram: `@swarm a,b,c: task` launches one (the original's syntax and messages), a progress message
 * is edited as its members start and finish, and the result goes back to the chat that asked.
 */
import { messageOf, type SwarmMemberStatus, type SwarmRunView } from '@praktor/protocol';
import type { Api } from 'grammy';
import type { Config } from '../../config/index.js';
import type { EventBus } from '../../events/bus.js';
import type { Logger } from '../../log.js';
import type { SwarmRuns } from '../../swarms/runs.js';
import { parseSwarmSpec, SwarmSpecError } from '../../swarms/spec.js';
import { formatForTelegram } from './format.js';

/** The prefix that makes a message a swarm. */
const PREFIX = '@swarm ';

/** What the swarm handling works with. */
export interface TelegramSwarmsDeps {
  api: Api;
  config: () => Config;
  bus: EventBus;
  swarms: SwarmRuns;
  log: Logger;
}

/** The progress message of a run launched from a chat. */
interface Progress {
  chatId: string;
  messageId: number;
  /** The text last shown, so an unchanged state is not sent again. */
  shown: string;
  /** Edits go out one after another. */
  queue: Promise<void>;
}

const MARK: Record<SwarmMemberStatus, string> = {
  waiting: '·',
  running: '⏳',
  completed: '✅',
  failed: '❌',
  cancelled: '⏹',
  interrupted: '⏹',
  skipped: '·',
};

/** Launches swarms from chat messages and reports on them. */
export class TelegramSwarms {
  private readonly progress = new Map<string, Progress>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: TelegramSwarmsDeps) {
    this.unsubscribe = deps.bus.onType('swarm_run', ({ run }) => this.onRun(run));
  }

  /** Whether `text` asks for a swarm. */
  static matches(text: string): boolean {
    return text.startsWith(PREFIX);
  }

  /** Launches the swarm `text` describes, answering in `chatId`. */
  async launch(chatId: string, text: string): Promise<void> {
    const { api, swarms } = this.deps;
    let request: ReturnType<typeof parseSwarmSpec>;
    try {
      request = parseSwarmSpec(text.slice(PREFIX.length), Object.keys(this.deps.config().agents));
    } catch (err) {
      if (err instanceof SwarmSpecError) {
        await this.send(chatId, err.message);
        return;
      }
      throw err;
    }
    const sent = await api.sendMessage(chatId, `Launching swarm with ${request.agents.length} agents...`);
    try {
      const run = swarms.launch(request, { channel: 'telegram', chatId });
      const progress: Progress = { chatId, messageId: sent.message_id, shown: '', queue: Promise.resolve() };
      this.progress.set(run.id, progress);
      this.onRun(run);
    } catch (err) {
      await this.send(chatId, `Failed to launch swarm: ${messageOf(err)}`);
    }
  }

  /** Stops listening. */
  stop(): void {
    this.unsubscribe();
  }

  private onRun(run: SwarmRunView): void {
    const progress = this.progress.get(run.id);
    if (!progress) return;
    const text = progressText(run);
    if (text !== progress.shown) {
      progress.shown = text;
      progress.queue = progress.queue.then(() =>
        this.deps.api.editMessageText(progress.chatId, progress.messageId, text).then(
          () => undefined,
          (err: unknown) =>
            this.deps.log.warn({ swarm: run.id, err: messageOf(err) }, 'swarm progress not updated'),
        ),
      );
    }
    if (run.status === 'running') return;
    this.progress.delete(run.id);
    // Not behind the progress edits: the result must not wait for an edit Telegram is slow to answer.
    void this.send(progress.chatId, resultText(run));
  }

  private async send(chatId: string, markdown: string): Promise<void> {
    for (const chunk of formatForTelegram(markdown)) {
      try {
        await this.deps.api.sendMessage(chatId, chunk.html, { parse_mode: 'HTML' });
      } catch (err) {
        this.deps.log.warn({ chat: chatId, err: messageOf(err) }, 'swarm message not sent');
        return;
      }
    }
  }
}

/** Each member's state, one line each. */
function progressText(run: SwarmRunView): string {
  const done = run.members.filter((m) => m.status === 'completed').length;
  const lines = run.members.map((m) => `${MARK[m.status]} ${m.role}`);
  return [`Swarm ${run.name}: ${done}/${run.members.length} done`, '', ...lines].join('\n');
}

/** What the chat is told when a run ends, as the original words it where it had words. */
function resultText(run: SwarmRunView): string {
  switch (run.status) {
    case 'completed': {
      const lead = run.members.find((m) => m.role === run.lead_agent);
      if (lead && lead.output.trim() !== '') return `*Swarm Result* (${run.name}):\n\n${lead.output}`;
      const entries = run.members.map((m) => {
        const output = m.output.length > 500 ? `${m.output.slice(0, 500)}...` : m.output;
        return `*${m.role}* [${m.status}]${output ? `:\n${output}` : ''}`;
      });
      return [`*Swarm Complete* (${run.name}):`, ...entries].join('\n\n');
    }
    case 'failed':
      return `Swarm failed: ${run.error ?? 'no reason given'}`;
    case 'cancelled':
      return 'Swarm cancelled.';
    default:
      return 'Swarm interrupted: the gateway stopped while it ran.';
  }
}
