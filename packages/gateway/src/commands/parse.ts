/**
 * What counts as a chat command. The rule, the same in every channel: a command is `/word` at the very start of the
 * message, where word is a letter followed by letters, digits or underscores (`[a-z][a-z0-9_]*`, any case), optionally
 * followed by `@botname`, and then the end of the message or whitespace and its arguments. Anything else — `/usr/bin
 * is full`, `see /help`, `/ cost` — is ordinary text for the agent.
 */

/** A command as typed: its name in lower case, the bot it names (Telegram's `/stop@my_bot`), and the rest. */
export interface ParsedCommand {
  name: string;
  bot: string | null;
  args: string;
}

const COMMAND = /^\/([A-Za-z][A-Za-z0-9_]*)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/;

/** The command `text` is, or null when it is ordinary text. */
export function parseCommand(text: string): ParsedCommand | null {
  const match = COMMAND.exec(text.trimEnd());
  if (!match) return null;
  return {
    name: (match[1] as string).toLowerCase(),
    bot: match[2] ?? null,
    args: (match[3] ?? '').trim(),
  };
}
