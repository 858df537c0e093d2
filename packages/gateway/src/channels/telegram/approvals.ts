/**
 * Approval requests in Telegram: the question with Approve / Deny / Always buttons in the chat the work came from,
 * the press handed to the approval desk (the first answer counts), and the question edited to show the outcome
 * without its buttons.
 */
import type { ApprovalAnswer } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import type { Api, Context } from 'grammy';
import type { Logger } from '../../log.js';
import { type DecideOutcome, decisionNote } from '../../orchestrator/orchestrator.js';
import type { ApprovalRecord } from '../../store/index.js';
import { escapeHtml } from './html.js';

/** What the buttons do. */
export interface TelegramApprovalsDeps {
  api: Api;
  /** Hands an answer to the approval desk. */
  decide: (id: string, answer: ApprovalAnswer, by: string) => DecideOutcome;
  log: Logger;
}

/** The prefix of an approval button's callback data: `approval:<answer>:<id>`. */
const PREFIX = 'approval';
/** How much of a tool's input the question shows; Telegram allows 4096 characters in all. */
const INPUT_LIMIT = 3000;

const ANSWERS: readonly ApprovalAnswer[] = ['approve', 'deny', 'always'];

/** Asks approvals in Telegram chats and takes the answers. */
export class TelegramApprovals {
  /** Where each question was sent, to edit it once settled. */
  private readonly questions = new Map<string, { chatId: string; messageId: number }>();

  constructor(private readonly deps: TelegramApprovalsDeps) {}

  /** Sends the question for a new request, or shows the outcome of a settled one. */
  async onApproval(approval: ApprovalRecord): Promise<void> {
    if (approval.channel !== 'telegram' || approval.chatId === null) return;
    const { api, log } = this.deps;
    try {
      if (approval.state === 'pending') {
        const sent = await api.sendMessage(approval.chatId, questionHtml(approval), {
          parse_mode: 'HTML',
          reply_markup: {
            inline_keyboard: [
              [
                { text: 'Approve', callback_data: `${PREFIX}:approve:${approval.id}` },
                { text: 'Deny', callback_data: `${PREFIX}:deny:${approval.id}` },
              ],
              [{ text: 'Always for this session', callback_data: `${PREFIX}:always:${approval.id}` }],
            ],
          },
        });
        this.questions.set(approval.id, { chatId: approval.chatId, messageId: sent.message_id });
        return;
      }
      const question = this.questions.get(approval.id);
      if (!question) return;
      this.questions.delete(approval.id);
      await api.editMessageText(
        question.chatId,
        question.messageId,
        `${questionHtml(approval)}\n\n${escapeHtml(decisionNote(approval))}`,
        { parse_mode: 'HTML' },
      );
    } catch (err) {
      log.warn(
        { approval: approval.id, chat: approval.chatId, err: messageOf(err) },
        'approval question not shown in telegram',
      );
    }
  }

  /** Takes a button press from an allowed user (the channel's guard let it through); false for other buttons. */
  async onPress(ctx: Context): Promise<boolean> {
    const data = ctx.callbackQuery?.data ?? '';
    const [prefix, answer, id] = data.split(':');
    if (prefix !== PREFIX || !id || !ANSWERS.includes(answer as ApprovalAnswer) || !ctx.from) return false;
    const outcome = this.deps.decide(id, answer as ApprovalAnswer, `telegram:${ctx.from.id}`);
    const text = outcome.ok ? decisionNote(outcome.approval) : outcome.reason;
    await ctx.answerCallbackQuery({ text });
    return true;
  }
}

/**
 * The question: which agent (and for a swarm member, as which role in which swarm) wants to run which tool, with its
 * full input (secrets masked already).
 */
function questionHtml(approval: ApprovalRecord): string {
  const input =
    approval.input.length > INPUT_LIMIT
      ? `${approval.input.slice(0, INPUT_LIMIT)}\n… (cut short)`
      : approval.input;
  const { swarm } = approval;
  const as = swarm
    ? `, as <b>${escapeHtml(swarm.role)}</b> in the swarm <b>${escapeHtml(swarm.name)}</b>,`
    : '';
  return (
    `🔐 <b>${escapeHtml(approval.agentId)}</b>${as} asks to run <b>${escapeHtml(approval.toolName)}</b>:\n` +
    `<pre>${escapeHtml(input)}</pre>`
  );
}
