import { describe, expect, it } from 'vitest';
import { prefixName, route } from './router.js';

const ctx = { agents: ['general', 'coder', 'research_bot'], defaultAgent: 'general', repliedToAgent: null };

describe('route', () => {
  it('sends a message with an @name prefix to that agent without the prefix', () => {
    expect(route('@coder fix the bug', ctx)).toEqual({
      agentId: 'coder',
      text: 'fix the bug',
      via: 'prefix',
    });
  });

  it('matches the prefix regardless of case', () => {
    expect(route('@CoDeR hi', ctx).agentId).toBe('coder');
  });

  it('ends the prefix at a newline as well as a space', () => {
    expect(route('@coder\nline two', ctx)).toEqual({ agentId: 'coder', text: 'line two', via: 'prefix' });
  });

  it('keeps the text of a bare @name so the agent is not sent nothing', () => {
    expect(route('@coder', ctx)).toEqual({ agentId: 'coder', text: '@coder', via: 'prefix' });
  });

  it('sends an unknown @name to the default agent with the text intact', () => {
    expect(route('@nobody hello', ctx)).toEqual({
      agentId: 'general',
      text: '@nobody hello',
      via: 'default',
    });
  });

  it('accepts agent ids with underscores and dashes', () => {
    expect(route('@research_bot go', ctx).agentId).toBe('research_bot');
  });

  it('sends a reply to an agent back to that agent, even when it starts with another @name', () => {
    expect(route('@coder what about this?', { ...ctx, repliedToAgent: 'research_bot' })).toEqual({
      agentId: 'research_bot',
      text: '@coder what about this?',
      via: 'reply',
    });
  });

  it('ignores a reply to an agent that is no longer configured', () => {
    expect(route('hello', { ...ctx, repliedToAgent: 'removed' }).agentId).toBe('general');
  });

  it('sends plain text to the default agent', () => {
    expect(route('what is the weather?', ctx)).toEqual({
      agentId: 'general',
      text: 'what is the weather?',
      via: 'default',
    });
  });

  it('does not treat an email address inside the text as a prefix', () => {
    expect(route('mail me@coder.dev', ctx).agentId).toBe('general');
  });
});

describe('prefixName', () => {
  it('gives the name of an @name prefix, whether or not an agent has it', () => {
    expect(prefixName('@nobody hi')).toBe('nobody');
    expect(prefixName('@Coder')).toBe('Coder');
  });

  it('gives nothing for text without a prefix', () => {
    expect(prefixName('mail me@coder.dev')).toBeNull();
    expect(prefixName('@ spaced')).toBeNull();
  });
});
