/**
 * Claude Code reads a user message that starts with `/` as one of its own commands (`/cost` prints its cost table,
 * `/model` switches models) and never asks the model. A scheduled task's prompt is written for the model, so it goes
 * to Claude Code in a form it takes as plain text: a leading space is enough, and the model reads the same words.
 */

/** `prompt` as Claude Code takes it for text to answer, never for one of its commands. */
export function literalPrompt(prompt: string): string {
  return prompt.startsWith('/') ? ` ${prompt}` : prompt;
}
