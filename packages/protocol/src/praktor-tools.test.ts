import { describe, expect, it } from 'vitest';
import { expandPraktorToolRule, praktorToolNames } from './praktor-tools.js';

describe('approval rules naming Praktor’s own tools', () => {
  it('spells a bare tool name as its MCP name', () => {
    expect(expandPraktorToolRule('file_send')).toBe('mcp__praktor-files__file_send');
    expect(expandPraktorToolRule('scheduled_task_delete')).toBe('mcp__praktor-tasks__scheduled_task_delete');
  });

  it('keeps what follows the name', () => {
    expect(expandPraktorToolRule('memory_forget(x)')).toBe('mcp__praktor-memory__memory_forget(x)');
  });

  it('leaves other rules as they are', () => {
    for (const rule of [
      'Bash(rm:*)',
      'WebFetch',
      'mcp__praktor-files__file_send',
      'file_sender',
      'mcp__x__file_send',
    ]) {
      expect(expandPraktorToolRule(rule)).toBe(rule);
    }
  });

  it('lists a server’s tools by their MCP names', () => {
    expect(praktorToolNames('praktor-history')).toEqual(['mcp__praktor-history__history_search']);
  });
});
