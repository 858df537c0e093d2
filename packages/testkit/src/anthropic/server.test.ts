import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultHandler, type FakeAnthropic, reply, startFakeAnthropic } from './index.js';

let fake: FakeAnthropic;

beforeEach(async () => {
  fake = await startFakeAnthropic();
});

afterEach(async () => {
  await fake.close();
});

function messagesBody(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude-test',
    max_tokens: 1024,
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    ...extra,
  };
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface Event {
  type: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): Event[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const type = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (type === undefined || data === undefined) throw new Error(`not an SSE frame: ${frame}`);
      return { type, data: JSON.parse(data) as Record<string, unknown> };
    });
}

function deltas(events: Event[]): Record<string, unknown>[] {
  return events
    .filter((e) => e.type === 'content_block_delta')
    .map((e) => e.data.delta as Record<string, unknown>);
}

describe('fake Anthropic server over plain HTTP', () => {
  it('listens on a free port of 127.0.0.1', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.url).not.toMatch(/:0$/);
  });

  it('answers an unknown path with 404 and an Anthropic error body, recording no model request', async () => {
    const res = await fetch(`${fake.url}/v1/models`);

    expect(res.status).toBe(404);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'Not found: GET /v1/models' },
    });
    expect(fake.requests).toEqual([]);
    expect(fake.otherRequests).toMatchObject([{ method: 'GET', url: '/v1/models' }]);
  });

  it('answers a malformed JSON body with 400 invalid_request_error and records nothing', async () => {
    const res = await post('/v1/messages', '{"model": "claude-test", ');

    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('not valid JSON');
    expect(fake.requests).toEqual([]);
  });

  it('answers a body without messages with 400 invalid_request_error', async () => {
    const res = await post('/v1/messages', { model: 'claude-test' });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('echoes the last user text by default', async () => {
    const res = await post('/v1/messages', messagesBody('ping?'));

    expect(await res.json()).toMatchObject({ content: [{ type: 'text', text: 'echo: ping?' }] });
  });

  it('serves a non-streaming request a complete Message JSON', async () => {
    fake.setHandler(() => reply.toolUse('Bash', { command: 'ls' }, { text: 'Listing.' }));

    const res = await post('/v1/messages', messagesBody('list files', { stream: false }));

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      id: expect.stringMatching(/^msg_01\w{22}$/),
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [
        { type: 'text', text: 'Listing.' },
        {
          type: 'tool_use',
          id: expect.stringMatching(/^toolu_01\w{22}$/),
          name: 'Bash',
          input: { command: 'ls' },
        },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        service_tier: 'standard',
      },
    });
  });

  it('streams a text reply as the Messages API event sequence', async () => {
    fake.setHandler(() => reply.text('Hello there'));

    const res = await post('/v1/messages', messagesBody('hi', { stream: true }));

    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await res.text());
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.every((e) => e.data.type === e.type)).toBe(true);
    expect(deltas(events)).toEqual([{ type: 'text_delta', text: 'Hello there' }]);
    expect(events.find((e) => e.type === 'message_delta')?.data.delta).toEqual({
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
  });

  it('streams tool input as input_json_delta chunks that join to the scripted input', async () => {
    const input = { command: 'echo hi', description: 'Say hi' };
    fake.setHandler(() => reply.toolUse('Bash', input, { chunkChars: 7 }));

    const res = await post('/v1/messages', messagesBody('run it', { stream: true }));

    const events = parseSse(await res.text());
    const start = events.find((e) => e.type === 'content_block_start')?.data.content_block;
    expect(start).toMatchObject({ type: 'tool_use', name: 'Bash', input: {} });
    const pieces = deltas(events).map((d) => d.partial_json as string);
    expect(pieces.length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(''))).toEqual(input);
    expect(events.find((e) => e.type === 'message_delta')?.data.delta).toMatchObject({
      stop_reason: 'tool_use',
    });
  });

  it('splits text into deltas of chunkChars characters', async () => {
    fake.setHandler(() => reply.text('abcdefg', { chunkChars: 3 }));

    const res = await post('/v1/messages', messagesBody('hi', { stream: true }));

    expect(deltas(parseSse(await res.text())).map((d) => d.text)).toEqual(['abc', 'def', 'g']);
  });

  it('reports scripted usage in message_start and message_delta', async () => {
    fake.setHandler(() => reply.text('ok', { usage: { input_tokens: 1234, output_tokens: 56 } }));

    const events = parseSse(await (await post('/v1/messages', messagesBody('hi', { stream: true }))).text());

    const start = events.find((e) => e.type === 'message_start')?.data.message as Record<string, unknown>;
    expect(start.usage).toMatchObject({ input_tokens: 1234, output_tokens: 1 });
    expect(events.find((e) => e.type === 'message_delta')?.data.usage).toMatchObject({
      input_tokens: 1234,
      output_tokens: 56,
    });
  });

  it('estimates usage from the request and reply sizes when none is scripted', async () => {
    fake.setHandler(() => reply.text('x'.repeat(400)));

    const res = await post('/v1/messages', messagesBody('y'.repeat(4000)));

    const { usage } = (await res.json()) as { usage: { input_tokens: number; output_tokens: number } };
    expect(usage.input_tokens).toBeGreaterThanOrEqual(1000);
    expect(usage.input_tokens).toBeLessThan(1100);
    expect(usage.output_tokens).toBe(100);
  });

  it('paces a slow stream: deltas arrive chunkDelayMs apart', async () => {
    fake.setHandler(() => reply.text('aabbcc', { chunkChars: 2, chunkDelayMs: 80 }));
    const res = await post('/v1/messages', messagesBody('hi', { stream: true }));

    const arrivals: { at: number; text: string }[] = [];
    const decoder = new TextDecoder();
    for await (const bytes of res.body as AsyncIterable<Uint8Array>) {
      arrivals.push({ at: Date.now(), text: decoder.decode(bytes) });
    }

    const deltaArrivals = arrivals.filter((a) => a.text.includes('text_delta'));
    expect(deltaArrivals).toHaveLength(3);
    const [first, , last] = deltaArrivals;
    expect((last?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(150);
  });

  it('waits delayMs before the first byte', async () => {
    fake.setHandler(() => reply.text('late', { delayMs: 200 }));
    const started = Date.now();

    await post('/v1/messages', messagesBody('hi', { stream: true }));

    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('answers a scripted error with its status, error body, request-id and retry-after', async () => {
    fake.setHandler(() => reply.error(429, 'Slow down', { retryAfterSeconds: 3 }));

    const res = await post('/v1/messages', messagesBody('hi', { stream: true }));

    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Slow down' },
    });
  });

  it('uses the error type the test names over the one implied by the status', async () => {
    fake.setHandler(() => reply.error(500, 'Busy', { type: 'overloaded_error' }));

    const res = await post('/v1/messages', messagesBody('hi'));

    expect(res.headers.get('retry-after')).toBeNull();
    expect(await res.json()).toMatchObject({ error: { type: 'overloaded_error', message: 'Busy' } });
  });

  it('turns a handler that throws into a 500 api_error naming the failure', async () => {
    fake.setHandler(() => {
      throw new Error('script bug');
    });

    const res = await post('/v1/messages', messagesBody('hi'));

    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({
      error: { type: 'api_error', message: 'fake-anthropic handler threw: script bug' },
    });
  });

  it('breaks a stream after its opening events when scripted to disconnect', async () => {
    fake.setHandler(() => reply.disconnect({ partialText: 'Half an ans' }));

    const res = await post('/v1/messages', messagesBody('hi', { stream: true }));

    const received: string[] = [];
    const decoder = new TextDecoder();
    const reading = (async () => {
      for await (const bytes of res.body as AsyncIterable<Uint8Array>) received.push(decoder.decode(bytes));
    })();
    await expect(reading).rejects.toThrow();
    const text = received.join('');
    expect(text).toContain('event: message_start');
    expect(text).toContain('Half an ans');
    expect(text).not.toContain('message_stop');
  });

  it('answers count_tokens with a plausible input_tokens count, not as a model request', async () => {
    const res = await post('/v1/messages/count_tokens?beta=true', messagesBody('z'.repeat(400)));

    const body = (await res.json()) as { input_tokens: number };
    expect(body.input_tokens).toBeGreaterThan(100);
    expect(fake.requests).toEqual([]);
    expect(fake.otherRequests).toMatchObject([
      { method: 'POST', url: '/v1/messages/count_tokens?beta=true' },
    ]);
  });

  it('records each model request with its parsed parts, numbered in arrival order', async () => {
    await post('/v1/messages?beta=true', messagesBody('first'));
    await post('/v1/messages?beta=true', {
      model: 'claude-test',
      max_tokens: 10,
      stream: true,
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in French.' },
      ],
      tools: [{ name: 'Bash', input_schema: {} }, { name: 'Read' }],
      messages: [
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: [{ type: 'text', text: 'Four.' }] },
        { role: 'user', content: [{ type: 'text', text: 'And 3+3?' }] },
      ],
    });

    expect(fake.requests.map((r) => r.seq)).toEqual([1, 2]);
    const second = fake.requests[1];
    expect(second).toMatchObject({
      model: 'claude-test',
      stream: true,
      system: 'You are terse.\nAnswer in French.',
      tools: ['Bash', 'Read'],
      lastUserText: 'And 3+3?',
      transcript: 'What is 2+2?\nFour.\nAnd 3+3?',
      toolResults: [],
    });
    expect(second?.body.max_tokens).toBe(10);
    expect(second?.headers['content-type']).toBe('application/json');
    expect(second?.receivedAt).toBeGreaterThanOrEqual(fake.requests[0]?.receivedAt ?? Infinity);
  });

  it('hands the handler the request it answers', async () => {
    const seen: string[] = [];
    fake.setHandler((req) => {
      seen.push(req.lastUserText);
      return defaultHandler(req);
    });

    await post('/v1/messages', messagesBody('for the handler'));

    expect(seen).toEqual(['for the handler']);
  });

  it('resolves waitForRequest with a request that arrives later', async () => {
    const waiting = fake.waitForRequest((r) => r.lastUserText === 'second');

    await post('/v1/messages', messagesBody('first'));
    await post('/v1/messages', messagesBody('second'));

    expect((await waiting).seq).toBe(2);
  });

  it('resolves waitForRequest with a request that already arrived', async () => {
    await post('/v1/messages', messagesBody('early'));

    expect((await fake.waitForRequest((r) => r.lastUserText === 'early')).seq).toBe(1);
  });

  it('rejects waitForRequest after its timeout, listing what did arrive', async () => {
    await post('/v1/messages', messagesBody('something else'));

    await expect(fake.waitForRequest((r) => r.lastUserText === 'never', 50)).rejects.toThrow(
      'No matching model request within 50 ms; received: #1 auxiliary "something else"',
    );
  });

  it('ends an open slow stream when closed', async () => {
    fake.setHandler(() => reply.text('a'.repeat(100), { chunkChars: 1, chunkDelayMs: 1000 }));
    const res = await post('/v1/messages', messagesBody('hi', { stream: true }));
    const reading = res.text();

    const started = Date.now();
    await fake.close();

    await expect(reading).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects pending waits when closed', async () => {
    const waiting = fake.waitForRequest(() => true);

    await fake.close();

    await expect(waiting).rejects.toThrow('fake-anthropic closed');
  });
});
