import { describe, expect, it } from 'vitest';
import { findCommand } from './path-search.js';

describe('finding a command', () => {
  it('finds a program on the PATH and an executable path as given', () => {
    expect(findCommand('node', process.env.PATH)).toMatch(/\/node$/);
    expect(findCommand(process.execPath, '')).toBe(process.execPath);
  });

  it('answers null for a command that is nowhere', () => {
    expect(findCommand('no-such-mcp-command', process.env.PATH)).toBeNull();
  });
});
