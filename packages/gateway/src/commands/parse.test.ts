import { describe, expect, it } from 'vitest';
import { parseCommand } from './parse.js';

describe('parseCommand', () => {
  it('reads a bare command', () => {
    expect(parseCommand('/stop')).toEqual({ name: 'stop', bot: null, args: '' });
  });

  it('reads the arguments after whitespace, trimmed', () => {
    expect(parseCommand('/reset   coder  ')).toEqual({ name: 'reset', bot: null, args: 'coder' });
  });

  it('keeps multi-line arguments whole', () => {
    expect(parseCommand('/start coder\nand more')?.args).toBe('coder\nand more');
  });

  it('reads the bot a command names', () => {
    expect(parseCommand('/agents@praktor_bot')).toEqual({ name: 'agents', bot: 'praktor_bot', args: '' });
  });

  it('lower-cases the name', () => {
    expect(parseCommand('/Cost')?.name).toBe('cost');
  });

  it('takes a name with digits and underscores after its first letter', () => {
    expect(parseCommand('/web_search2 now')?.name).toBe('web_search2');
  });

  it('treats a path at the start as text, not a command', () => {
    expect(parseCommand('/usr/bin is full')).toBeNull();
  });

  it('treats a slash inside a sentence as text', () => {
    expect(parseCommand('see /help for more')).toBeNull();
  });

  it('treats a slash followed by a space, a digit or nothing as text', () => {
    expect(parseCommand('/ cost')).toBeNull();
    expect(parseCommand('/2 apples')).toBeNull();
    expect(parseCommand('/')).toBeNull();
  });

  it('treats a command after leading whitespace as text', () => {
    expect(parseCommand(' /stop')).toBeNull();
  });

  it('treats a name glued to punctuation as text', () => {
    expect(parseCommand('/stop!')).toBeNull();
    expect(parseCommand('/stop.')).toBeNull();
  });
});
