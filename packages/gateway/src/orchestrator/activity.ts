/**
 * An agent's activity as people see it: a tool call becomes one short line (the tool and the gist of its input) and
 * the full input for whoever expands it; a retried API error becomes a line with the attempt and the reason. Secret
 * values are masked in every string of the input before any of it is shown or stored.
 */
import type { Activity } from '@praktor/protocol';
import type { NewActivity } from '../store/index.js';

/** A summary is one line of at most this many characters, so a long command does not flood the conversation. */
const SUMMARY_CHARS = 120;
/** The expanded input is cut here: a tool writing a whole file should not make one activity line megabytes long. */
const DETAIL_CHARS = 20_000;

/** The input field that says best what a call of each of Claude Code's tools does. */
const GIST_FIELD: Record<string, string> = {
  Bash: 'command',
  Read: 'file_path',
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
  Glob: 'pattern',
  Grep: 'pattern',
  WebFetch: 'url',
  WebSearch: 'query',
  Task: 'description',
  Agent: 'description',
  Skill: 'skill',
};

/**
 * The line to store and show for `activity` of `agentId` while answering `messageId`; `mask` hides the agent's
 * secret values in a string.
 */
export function activityLine(
  agentId: string,
  messageId: number,
  activity: Activity,
  mask: (text: string) => string,
): NewActivity {
  if (activity.kind === 'retry') {
    return {
      agentId,
      messageId,
      kind: 'retry',
      tool: null,
      summary: retrySummary(activity),
      detail: null,
    };
  }
  const input = maskStrings(activity.input, mask);
  const detail = JSON.stringify(input, null, 2) ?? '';
  return {
    agentId,
    messageId,
    kind: 'tool',
    tool: mask(activity.tool),
    summary: oneLine(gist(activity.tool, input)),
    detail: detail.length > DETAIL_CHARS ? `${detail.slice(0, DETAIL_CHARS)}\n… (cut)` : detail,
  };
}

function retrySummary(retry: Extract<Activity, { kind: 'retry' }>): string {
  const reason = retry.status === null ? retry.error : `${retry.error}, HTTP ${retry.status}`;
  const wait = Math.max(1, Math.round(retry.delayMs / 1000));
  return `The model API failed (${reason}); retrying in ${wait} s, attempt ${retry.attempt} of ${retry.maxRetries}`;
}

/**
 * `value` with `mask` applied to every string in it. Masking the strings one by one, rather than the JSON text,
 * finds a value even where JSON would escape it (a quote, a newline).
 */
function maskStrings(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskStrings(item, mask));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [mask(key), maskStrings(item, mask)]),
    );
  }
  return value;
}

/** What a call is about: its tool's telling field, else its first string field, else nothing. */
function gist(tool: string, input: unknown): string {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return '';
  const fields = input as Record<string, unknown>;
  const named = GIST_FIELD[tool];
  const telling = named === undefined ? undefined : fields[named];
  if (typeof telling === 'string') return telling;
  const first = Object.values(fields).find((v): v is string => typeof v === 'string');
  return first ?? '';
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS - 1)}…` : flat;
}
