/**
 * The agent's memory end to end, on each runtime: the real gateway, runner and Claude Code, with the fake model
 * calling the memory tools as Claude would. A fact stored in one conversation survives `/reset` and a gateway
 * restart, comes back with the next message that bears on it (found by a word sharing its stem), and no other agent
 * can read or delete it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultStackConfig,
  ensureTestImageWithModel,
  eventually,
  type FakeEmbeddings,
  type ModelRequest,
  reply,
  type Stack,
  startFakeEmbeddings,
  startStack,
  TEST_IMAGE_TIMEOUT_MS,
  TEST_USER_ID,
  withDocker,
  writeEmbeddingModel,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEachRuntime, type WithRuntime } from './runtimes/each-runtime.test-support.js';

const TOOL = (name: string) => `mcp__praktor-memory__${name}`;
const FACT = 'The user runs five kilometres along the river every morning';

/** The typed message, without the memories the runner put before it. */
function typed(req: ModelRequest): string {
  return req.lastUserText.replace(/^<recalled-memories>[\s\S]*?<\/recalled-memories>\s*/, '');
}

/** The model: a memory tool call for the phrases below, the tool's answer echoed back, "heard: …" for the rest. */
function model(req: ModelRequest) {
  if (req.kind !== 'main') return reply.text('side call');
  const [result] = req.toolResults;
  if (result) return reply.text(`${result.isError ? 'tool refused' : 'tool said'}: ${result.content}`);
  const text = typed(req);
  if (text === 'remember where the car is') {
    return reply.toolUse(TOOL('memory_store'), { key: 'parking', content: 'automobile parked on level 3' });
  }
  if (text === 'remember my morning habit') {
    return reply.toolUse(TOOL('memory_store'), {
      key: 'morning-habit',
      content: FACT,
      tags: 'habits, sport',
    });
  }
  const recall = /^recall (.+)$/.exec(text);
  if (recall) return reply.toolUse(TOOL('memory_recall'), { query: recall[1] });
  const remove = /^delete memory (.+)$/.exec(text);
  if (remove) return reply.toolUse(TOOL('memory_delete'), { key: remove[1] });
  const forget = /^forget (.+)$/.exec(text);
  if (forget) return reply.toolUse(TOOL('memory_forget'), { query: forget[1] });
  if (text === 'list memories') return reply.toolUse(TOOL('memory_list'), {});
  return reply.text(`heard: ${text}`);
}

function describeMemory(runtime: string, withRuntime: WithRuntime) {
  describe(`agent memory in the ${runtime} runtime`, () => {
    let stack: Stack;

    /** Sends `text` to the bot and resolves with its answer. */
    async function ask(text: string): Promise<string> {
      const [answer] = await stack.telegram.say(TEST_USER_ID, text, { timeoutMs: 120_000 });
      return answer?.text ?? '';
    }

    beforeAll(async () => {
      stack = await startStack({ handler: model, config: (urls) => withRuntime(defaultStackConfig(urls)) });
    }, TEST_IMAGE_TIMEOUT_MS);

    afterAll(async () => {
      await stack?.close();
    });

    it('stores a fact through memory_store', async () => {
      expect(await ask('remember my morning habit')).toBe('tool said: Memory stored: morning-habit');
    }, 180_000);

    it('after /reset and a gateway restart, offers the fact with a message that shares a word stem', async () => {
      expect(await ask('/reset')).toMatch(/new conversation/i);
      await stack.restart();
      await stack.praktor.waitForLog('telegram connected', undefined, 30_000);
      const before = stack.anthropic.requests.length;
      expect(await ask('is running good for me?')).toBe('heard: is running good for me?');
      const request = stack.anthropic.requests.slice(before).find((r) => r.kind === 'main');
      expect(request?.transcript).not.toContain('remember my morning habit');
      expect(request?.lastUserText).toContain(`- morning-habit: ${FACT}`);
    }, 180_000);

    it('recalls it explicitly by a paraphrase, ranked, with its tags', async () => {
      const answer = await ask('recall how often do I go running');
      expect(answer).toMatch(/^tool said: ## morning-habit \[habits, sport\]\n/);
      expect(answer).toContain(FACT);
      // Telegram shows the underscores of the tool's Markdown as italics.
      expect(answer).toMatch(/\n\(updated: \d{4}-\d\d-\d\dT[\d:.]+Z, accessed: 1x\)$/);
    }, 180_000);

    it("does not let another agent recall, list or delete the agent's memories", async () => {
      const before = stack.anthropic.requests.length;
      expect(await ask('@coder recall running')).toBe(
        'coder: tool said: No memories found matching that query.',
      );
      expect(await ask('@coder list memories')).toBe('coder: tool said: No memories stored yet.');
      expect(await ask('@coder delete memory morning-habit')).toBe(
        'coder: tool said: No memory found with key: morning-habit',
      );
      expect(await ask('@coder forget running river')).toBe(
        'coder: tool said: No memories found matching "running river".',
      );
      for (const request of stack.anthropic.requests.slice(before))
        expect(request.transcript).not.toContain(FACT);
      expect(await ask('list memories')).toMatch(/^tool said: - morning-habit \[habits, sport\] \(updated: /);
    }, 180_000);

    it('lets Mission Control add, search, change and delete memories of a stopped agent', async () => {
      const base = `${stack.praktor.webUrl}/api/agents/definitions/general`;
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method,
          ...(body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      expect((await call('POST', '/stop')).status).toBe(200);
      const added = await call('PUT', '/memories/bike', {
        content: 'The bike is in the cellar',
        tags: 'places',
      });
      expect(added).toMatchObject({
        status: 200,
        body: { key: 'bike', content: 'The bike is in the cellar', tags: 'places' },
      });
      const changed = await call('PUT', '/memories/bike', { content: 'The bike is at the repair shop' });
      expect(changed.body).toMatchObject({ content: 'The bike is at the repair shop', tags: '' });
      await call('PUT', '/memories/coffee', { content: 'Flat white, no sugar' });
      const listed = await call('GET', '/memories');
      expect(listed.body.total).toBe(3);
      expect((listed.body.memories as { key: string }[]).map((m) => m.key).slice(0, 2)).toEqual([
        'coffee',
        'bike',
      ]);
      const searched = await call('GET', `/memories?q=${encodeURIComponent('repairs "')}`);
      expect((searched.body.memories as { key: string }[]).map((m) => m.key)).toEqual(['bike']);
      expect(searched.body.total).toBe(3);
      const refused = await call('PUT', '/memories/empty', { content: '   ' });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatch(/^the content is empty/);
      expect((await call('DELETE', '/memories/coffee')).status).toBe(200);
      const missing = await call('DELETE', '/memories/coffee');
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe('no memory is stored under the key "coffee"');
      const before = stack.anthropic.requests.length;
      await ask('where is my bike?');
      const request = stack.anthropic.requests.slice(before).find((r) => r.kind === 'main');
      expect(request?.lastUserText).toContain('- bike: The bike is at the repair shop');
    }, 180_000);

    it('deletes the memory by its key; it is offered no more', async () => {
      expect(await ask('delete memory morning-habit')).toBe('tool said: Memory deleted: morning-habit');
      const before = stack.anthropic.requests.length;
      await ask('is running good for me?');
      const request = stack.anthropic.requests.slice(before).find((r) => r.kind === 'main');
      expect(request?.lastUserText).not.toContain(FACT);
    }, 180_000);
  });
}

describe('agent memory with an embeddings endpoint', () => {
  let stack: Stack | undefined;
  let embeddings: FakeEmbeddings | undefined;

  afterAll(async () => {
    await stack?.close();
    await embeddings?.close();
  });

  it('offers a memory that shares no word with the message but means it, through the gateway’s endpoint', async () => {
    embeddings = await startFakeEmbeddings({ synonyms: [['automobile', 'car', 'vehicle']] });
    const url = embeddings.url;
    stack = await startStack({
      handler: model,
      config: (urls) => ({
        ...defaultStackConfig(urls),
        memory: { embeddings: { url, model: 'fake-embedder' } },
      }),
    });
    const live = stack;
    await live.telegram.say(TEST_USER_ID, 'remember where the car is');
    await live.telegram.waitFor(
      () => embeddings?.inputs.some((t) => t.includes('level 3')) || undefined,
      10_000,
    );
    const before = live.anthropic.requests.length;
    await live.telegram.say(TEST_USER_ID, 'where did I leave my vehicle?');
    const request = live.anthropic.requests.slice(before).find((r) => r.kind === 'main');
    expect(request?.lastUserText).toContain('- parking: automobile parked on level 3');
    expect(embeddings.inputs).toContain('where did I leave my vehicle?');
  }, 180_000);
});

describeOnEachRuntime('memory with a local model', (runtime, withRuntime, prefix) => {
  describe(`agent memory with a local embedding model folder in the ${runtime} runtime`, () => {
    const root = mkdtempSync(join(tmpdir(), 'praktor-memory-model-'));
    const modelDir = writeEmbeddingModel(join(root, 'tiny-model'), {
      words: ['where', 'did', 'i', 'leave', 'my', 'parked', 'on', 'level', 'parking'],
      synonyms: [['automobile', 'car', 'vehicle']],
    });
    let stack: Stack | undefined;

    afterAll(async () => {
      await stack?.close();
      rmSync(root, { recursive: true, force: true });
    });

    it(
      'offers a memory that shares no word with the message but means it, computed in the sandbox',
      async () => {
        // Docker agents use the copy `praktor image build` put into their image, local ones the folder itself.
        const configure =
          prefix === null
            ? withRuntime
            : (base: Record<string, unknown>) =>
                withDocker(base, { prefix, image: ensureTestImageWithModel(modelDir) });
        stack = await startStack({
          handler: model,
          config: (urls) =>
            configure({ ...defaultStackConfig(urls), memory: { embeddings: { model_dir: modelDir } } }),
        });
        const live = stack;
        expect(await live.telegram.say(TEST_USER_ID, 'remember where the car is')).toEqual([
          expect.objectContaining({ text: 'tool said: Memory stored: parking' }),
        ]);
        // Its vector is computed after the answer, once the model has loaded: asked again until it is there.
        const request = await eventually(
          'the memory offered by meaning',
          async () => {
            const before = live.anthropic.requests.length;
            await live.telegram.say(TEST_USER_ID, 'where did I leave my vehicle?', { timeoutMs: 120_000 });
            return live.anthropic.requests.slice(before).find((r) => r.kind === 'main');
          },
          (found) => found?.lastUserText.includes('- parking: automobile parked on level 3') ?? false,
          { timeoutMs: 60_000 },
        );
        expect(request?.lastUserText).toContain('where did I leave my vehicle?');
      },
      TEST_IMAGE_TIMEOUT_MS,
    );
  });
});

describeOnEachRuntime('the memory suite', (runtime, withRuntime) => describeMemory(runtime, withRuntime));
