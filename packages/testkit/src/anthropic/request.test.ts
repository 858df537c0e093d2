import { describe, expect, it } from 'vitest';
import { InvalidRequestError, parseModelRequest } from './request.js';

const arrival = { seq: 7, receivedAt: 1_700_000_000_000, headers: { 'x-api-key': 'test-key' } };

function parse(body: Record<string, unknown>) {
  return parseModelRequest(JSON.stringify({ model: 'claude-test', ...body }), arrival);
}

const reminder = '<system-reminder>\nAttribution for git commits…\n</system-reminder>\n';

describe('parsing a Messages API request', () => {
  it('takes seq, arrival time and headers from the arrival', () => {
    const req = parse({ messages: [] });

    expect(req).toMatchObject({
      seq: 7,
      receivedAt: 1_700_000_000_000,
      headers: { 'x-api-key': 'test-key' },
    });
  });

  it('keeps a string system prompt as it is', () => {
    expect(parse({ system: 'Be brief.', messages: [] }).system).toBe('Be brief.');
  });

  it('leaves the CLI system-reminder blocks out of lastUserText', () => {
    const req = parse({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: reminder },
            { type: 'text', text: 'Say hi' },
          ],
        },
      ],
    });

    expect(req.lastUserText).toBe('Say hi');
    expect(req.transcript).toBe(`${reminder}\nSay hi`);
  });

  it('lists the base64 images of the last user turn', () => {
    const req = parse({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/x.png' } },
          ],
        },
      ],
    });

    expect(req.images).toEqual([{ mediaType: 'image/png', data: 'iVBORw0K' }]);
    expect(req.lastUserText).toBe('what is this?');
  });

  it('keeps text that merely mentions a system reminder in lastUserText', () => {
    const text = 'Why do I see <system-reminder> tags?';

    expect(parse({ messages: [{ role: 'user', content: text }] }).lastUserText).toBe(text);
  });

  it("leaves the CLI's mid-conversation system messages out of the transcript", () => {
    const req = parse({
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'system', content: [{ type: 'text', text: '# Environment' }] },
      ],
    });

    expect(req.transcript).toBe('hello');
    expect(req.lastUserText).toBe('hello');
  });

  it('reads tool results of the last user turn, with string or block content', () => {
    const req = parse({
      messages: [
        { role: 'user', content: 'run two things' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_a', name: 'Bash', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_a', content: 'hi', is_error: false },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_b',
              content: [
                { type: 'text', text: 'line 1' },
                { type: 'text', text: 'line 2' },
              ],
              is_error: true,
            },
            { type: 'text', text: reminder },
          ],
        },
      ],
    });

    expect(req.toolResults).toEqual([
      { toolUseId: 'toolu_a', content: 'hi', isError: false },
      { toolUseId: 'toolu_b', content: 'line 1\nline 2', isError: true },
    ]);
    expect(req.lastUserText).toBe('');
  });

  it('treats a missing stream flag as a non-streaming request', () => {
    expect(parse({ messages: [] }).stream).toBe(false);
  });

  it('rejects a body without a model', () => {
    expect(() => parseModelRequest(JSON.stringify({ messages: [] }), arrival)).toThrow(InvalidRequestError);
  });

  it('rejects a body that is JSON but not an object', () => {
    expect(() => parseModelRequest('[1, 2]', arrival)).toThrow('Request body must be a JSON object');
  });
});

describe('classifying a request by its purpose', () => {
  const agentLoop = { thinking: { type: 'adaptive' }, context_management: { edits: [] } };

  it('calls an agent-loop request main', () => {
    expect(parse({ ...agentLoop, messages: [{ role: 'user', content: 'hello' }] }).kind).toBe('main');
  });

  it('calls a structured-output request for a title, without agent-loop markers, title', () => {
    const req = parse({
      tools: [],
      output_config: {
        format: { type: 'json_schema', schema: { properties: { title: { type: 'string' } } } },
      },
      messages: [{ role: 'user', content: '<session>\nhello\n</session>' }],
    });

    expect(req.kind).toBe('title');
  });

  it('calls an agent-loop request asking for a conversation summary compact', () => {
    const prompt =
      'Your task is to create a detailed summary of the conversation so far … ' +
      'an <analysis> block followed by a <summary> block.';

    expect(parse({ ...agentLoop, messages: [{ role: 'user', content: prompt }] }).kind).toBe('compact');
  });

  it('calls anything else auxiliary', () => {
    expect(parse({ max_tokens: 1, messages: [{ role: 'user', content: 'quota' }] }).kind).toBe('auxiliary');
  });
});
