/**
 * The router's rules: which agent a message is for. A reply to an agent's message goes back to that agent; an
 * `@name` prefix names the agent; anything else goes to the default agent, unless AI routing (classifier.ts,
 * asked by the inbox) picks another.
 */

import type { Routing } from '@praktor/protocol';

/** Where a message goes, with the text the agent should see. */
export interface Route {
  agentId: string;
  text: string;
  /**
   * What chose the agent: a reply to its message, an `@name` prefix, the default, or the sender naming the agent
   * outside the text (the web chat's agent, Telegram's `/start coder`).
   */
  via: Routing['via'];
  /** Why: the classifier's reason for `ai`; for `default`, why the classifier did not pick one (when asked). */
  reason?: string;
}

/** What the router knows about the message besides its text. */
export interface RouteContext {
  /** Agent ids in configuration order. */
  agents: readonly string[];
  defaultAgent: string;
  /** The agent whose message this one replies to, if it replies to one. */
  repliedToAgent: string | null;
}

const PREFIX = /^@([A-Za-z0-9][A-Za-z0-9_-]*)(?:\s+|$)/;

/** The name an `@name` prefix at the start of `text` gives, whether or not an agent has it; null without one. */
export function prefixName(text: string): string | null {
  return PREFIX.exec(text)?.[1] ?? null;
}

/** Picks the agent for `text`. */
export function route(text: string, ctx: RouteContext): Route {
  if (ctx.repliedToAgent && ctx.agents.includes(ctx.repliedToAgent)) {
    return { agentId: ctx.repliedToAgent, text, via: 'reply' };
  }
  const prefixed = PREFIX.exec(text);
  if (prefixed) {
    const name = (prefixed[1] as string).toLowerCase();
    const agentId = ctx.agents.find((id) => id.toLowerCase() === name);
    if (agentId) {
      const rest = text.slice(prefixed[0].length).trim();
      // A bare "@coder" still says something: keep it rather than send the agent nothing.
      return { agentId, text: rest === '' ? text : rest, via: 'prefix' };
    }
  }
  return { agentId: ctx.defaultAgent, text, via: 'default' };
}
