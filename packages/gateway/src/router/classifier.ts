/**
 * AI routing: a small fast model picks the agent for a message from the agents' descriptions, in one request to
 * the model API with the gateway's own credentials, within a short timeout. Any failure is a value naming what
 * went wrong; the caller then uses the default agent.
 */
import { messageOf } from '@praktor/protocol';

/** Where the model API is and how the gateway signs in to it (the same as its agents' proxy). */
export interface ModelAccess {
  /** Base URL of the Messages API, as `ANTHROPIC_BASE_URL`. */
  modelApi: URL;
  apiKey: string | null;
  bearer: string | null;
}

/** An agent as the classifier sees it. */
export interface AgentChoice {
  id: string;
  description: string;
}

/** What the classifier is asked. */
export interface ClassifyRequest {
  text: string;
  agents: readonly AgentChoice[];
  /** The agent the chat talked to a moment ago: kept unless the message is clearly for another. */
  current: string | null;
  model: string;
  timeoutMs: number;
}

/** The agent picked and why, or what went wrong. */
export type Classification = { ok: true; agentId: string; reason: string } | { ok: false; problem: string };

const SYSTEM = [
  'You are the router of a personal assistant with several agents. Pick the one agent best suited to answer the',
  'user’s message, judging by the agents’ descriptions. Answer with JSON only, nothing else:',
  '{"agent": "<agent name>", "reason": "<why, in a few words>"}',
].join(' ');

/** The longest a message is shown to the classifier: enough to tell what it is about. */
const MAX_TEXT_CHARS = 4_000;

/** Builds the one user message the classifier reads. */
export function classifierPrompt(request: Omit<ClassifyRequest, 'model' | 'timeoutMs'>): string {
  const lines = [
    'Agents:',
    ...request.agents.map((a) => `- ${a.id}: ${a.description || '(no description)'}`),
  ];
  if (request.current) {
    lines.push(
      '',
      `The conversation is with ${request.current} at the moment: keep ${request.current} unless the message is ` +
        'clearly for another agent.',
    );
  }
  lines.push('', 'Message:', request.text.slice(0, MAX_TEXT_CHARS));
  return lines.join('\n');
}

/** Reads the classifier's answer: JSON naming an agent (or, leniently, just the name). */
export function readAnswer(answer: string, agents: readonly AgentChoice[]): Classification {
  const json = /\{[\s\S]*\}/.exec(answer)?.[0];
  let name = answer.trim();
  let reason = '';
  if (json) {
    try {
      const parsed = JSON.parse(json) as { agent?: unknown; reason?: unknown };
      if (typeof parsed.agent === 'string') name = parsed.agent;
      if (typeof parsed.reason === 'string') reason = parsed.reason;
    } catch (err) {
      return { ok: false, problem: `the classifier answered JSON that cannot be read (${messageOf(err)})` };
    }
  }
  const wanted = name.trim().replace(/^@/, '').toLowerCase();
  const agent = agents.find((a) => a.id.toLowerCase() === wanted);
  if (!agent)
    return { ok: false, problem: `the classifier answered ${JSON.stringify(answer.slice(0, 80))}, no agent` };
  return { ok: true, agentId: agent.id, reason: reason.slice(0, 200) || 'picked by the classifier' };
}

/** Asks the model which agent a message is for; never rejects. */
export async function classify(access: ModelAccess, request: ClassifyRequest): Promise<Classification> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': '2023-06-01',
  };
  if (access.apiKey) headers['x-api-key'] = access.apiKey;
  else if (access.bearer) headers.authorization = `Bearer ${access.bearer}`;
  else return { ok: false, problem: 'no model credentials' };
  const body = {
    model: request.model,
    max_tokens: 200,
    system: SYSTEM,
    messages: [{ role: 'user', content: classifierPrompt(request) }],
  };
  let response: Response;
  let payload: unknown;
  try {
    response = await fetch(new URL('v1/messages', withSlash(access.modelApi)), {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    payload = await response.json();
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    return { ok: false, problem: timedOut ? `no answer within ${request.timeoutMs} ms` : messageOf(err) };
  }
  if (!response.ok) return { ok: false, problem: `the model API answered ${response.status}` };
  const content = (payload as { content?: { type?: string; text?: string }[] }).content;
  const text = Array.isArray(content) ? content.map((block) => block.text ?? '').join('') : '';
  return readAnswer(text, request.agents);
}

/** The base URL as a folder, so that a path such as `/proxy/anthropic` keeps its last part. */
function withSlash(url: URL): URL {
  return url.pathname.endsWith('/') ? url : new URL(`${url.href}/`);
}
