import { describe, expect, it } from 'vitest';
import { literalPrompt } from './literal-prompt.js';

describe('literalPrompt', () => {
  it('keeps a prompt that starts with a slash from being read as a Claude Code command', () => {
    expect(literalPrompt('/cost')).toBe(' /cost');
    expect(literalPrompt('/model opus')).toBe(' /model opus');
  });

  it('leaves every other prompt as it is', () => {
    expect(literalPrompt('Summarise the news')).toBe('Summarise the news');
    expect(literalPrompt('what does /cost do?')).toBe('what does /cost do?');
  });
});
