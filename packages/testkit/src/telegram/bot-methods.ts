import { badRequest } from './api-error.js';
import type { Params } from './params.js';
import type { MethodHandler } from './state.js';

/** getMe: the bot user plus the capability flags Telegram adds. */
export const getMe: MethodHandler = ({ state }) => ({
  ...state.botUser,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
});

/** deleteWebhook: there is never a webhook; drop_pending_updates empties the queue. */
export const deleteWebhook: MethodHandler = ({ params, state }) => {
  if (params.boolean('drop_pending_updates')) state.updates.dropPending();
  return true;
};

/** getUpdates: offset/limit/timeout/allowed_updates with long polling (see UpdateQueue). */
export const getUpdates: MethodHandler = ({ params, state, signal }) => {
  const allowed = params.array('allowed_updates');
  if (allowed?.some((type) => typeof type !== 'string')) throw badRequest("can't parse allowed updates");
  return state.updates.poll(
    {
      offset: params.integer('offset'),
      // Telegram clamps rather than rejects out-of-range limits.
      limit: Math.min(100, Math.max(1, params.integer('limit') ?? 100)),
      timeoutSeconds: Math.max(0, params.integer('timeout') ?? 0),
      allowedUpdates: allowed as string[] | undefined,
    },
    signal,
  );
};

// Command lists are kept per scope and language, like Telegram's.
function commandsKey(params: Params): string {
  const scope = params.object('scope') ?? { type: 'default' };
  return JSON.stringify([
    scope.type,
    scope.chat_id ?? null,
    scope.user_id ?? null,
    params.string('language_code') ?? '',
  ]);
}

/** setMyCommands: validates each command like Telegram and stores the list for its scope. */
export const setMyCommands: MethodHandler = ({ params, state }) => {
  const commands = params.array('commands');
  if (commands === undefined) throw badRequest('commands is empty');
  const normalized = commands.map((candidate) => {
    const { command, description } = (candidate ?? {}) as { command?: unknown; description?: unknown };
    if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command)) {
      throw badRequest('BOT_COMMAND_INVALID');
    }
    if (typeof description !== 'string' || description.length < 1 || description.length > 256) {
      throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    }
    return { command, description };
  });
  state.commands.set(commandsKey(params), normalized);
  return true;
};

/** getMyCommands: the list stored for the scope and language, or []. */
export const getMyCommands: MethodHandler = ({ params, state }) =>
  state.commands.get(commandsKey(params)) ?? [];

/** deleteMyCommands: forgets the list for the scope and language. */
export const deleteMyCommands: MethodHandler = ({ params, state }) => {
  state.commands.delete(commandsKey(params));
  return true;
};

/** answerCallbackQuery: each injected callback query can be answered once. */
export const answerCallbackQuery: MethodHandler = ({ params, state }) => {
  const id = params.string('callback_query_id');
  if (id === undefined || !state.openCallbackQueries.has(id)) {
    throw badRequest('query is too old and response timeout expired or query ID is invalid');
  }
  state.openCallbackQueries.delete(id);
  return true;
};

/** close: succeeds; it only matters to a real server's session handling. */
export const close: MethodHandler = () => true;
/** logOut: succeeds; it only matters to a real server's session handling. */
export const logOut: MethodHandler = () => true;
