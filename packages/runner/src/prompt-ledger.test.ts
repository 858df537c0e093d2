import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PromptLedger, withNewInstructions } from './prompt-ledger.js';

const ledger = () => new PromptLedger(join(mkdtempSync(join(tmpdir(), 'ledger-')), 'instructions'));

describe('PromptLedger', () => {
  it('knows nothing of a session it was never told about', () => {
    expect(ledger().held('0b5f3a52-8c1e-4c8e-9a51-3f1f2b0c9d11')).toBeNull();
  });

  it('remembers the instructions a session was last given', () => {
    const book = ledger();
    book.record('s-1', 'first');
    book.record('s-1', 'second');
    expect(book.held('s-1')).toBe('second');
  });

  it('never turns a session id with path characters into a file', () => {
    const book = ledger();
    book.record('../escape', 'x');
    expect(book.held('../escape')).toBeNull();
  });
});

describe('withNewInstructions', () => {
  it('puts the new instructions before the message, which stays last', () => {
    const text = withNewInstructions('Name: Zephyr', 'who are you?');
    expect(text).toContain('Name: Zephyr');
    expect(text.endsWith('\n\nwho are you?')).toBe(true);
  });
});

describe('PromptLedger across runs', () => {
  it('finds what an earlier run recorded, as a restarted runner would', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'instructions');
    new PromptLedger(dir).record('s-2', 'kept');
    expect(new PromptLedger(dir).held('s-2')).toBe('kept');
  });
});
