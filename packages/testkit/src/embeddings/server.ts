/**
 * A fake OpenAI-compatible embeddings API (`POST /v1/embeddings`) on a real HTTP port. Its vectors are deterministic
 * bags of words: each word counts on one dimension, chosen by a hash of the word, except that the words of one
 * synonym group share a dimension. A test thereby says which words "mean the same" and gets a vector search that
 * finds them, with no model.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf } from '@praktor/protocol';
import { z } from 'zod';

/** How the fake is set up. */
export interface FakeEmbeddingsOptions {
  /** Length of every vector; 64 unless told. */
  dimensions?: number;
  /** Groups of words that share a dimension, i.e. mean the same to the fake. */
  synonyms?: string[][];
}

/** A running fake embeddings API. */
export interface FakeEmbeddings {
  /** Base URL, without `/v1/embeddings`. */
  url: string;
  /** Every text embedded so far, in order. */
  inputs: string[];
  /** While true, every request fails with a 503. */
  failing: boolean;
  close(): Promise<void>;
}

const Body = z.object({ model: z.string().min(1), input: z.union([z.string(), z.array(z.string())]) });

function hash(word: string): number {
  let h = 2166136261;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The fake's vector for `text` (not normalised; the client scales it). */
export function fakeVector(text: string, dimensions: number, groupOf: Map<string, number>): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const dim = groupOf.get(word) ?? hash(word) % dimensions;
    vector[dim] = (vector[dim] as number) + 1;
  }
  return vector;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the fake on a free loopback port. */
export async function startFakeEmbeddings(opts: FakeEmbeddingsOptions = {}): Promise<FakeEmbeddings> {
  const dimensions = opts.dimensions ?? 64;
  const groupOf = new Map<string, number>();
  (opts.synonyms ?? []).forEach((group, i) => {
    for (const word of group) groupOf.set(word.toLowerCase(), i % dimensions);
  });
  const fake: FakeEmbeddings = { url: '', inputs: [], failing: false, close: async () => {} };
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      send(404, { error: { message: `no route ${req.method} ${req.url}` } });
      return;
    }
    if (fake.failing) {
      send(503, { error: { message: 'the fake embeddings API was told to fail' } });
      return;
    }
    let parsed: z.infer<typeof Body>;
    try {
      parsed = Body.parse(JSON.parse(await readBody(req)));
    } catch (err) {
      send(400, { error: { message: `bad request: ${messageOf(err)}` } });
      return;
    }
    const inputs = typeof parsed.input === 'string' ? [parsed.input] : parsed.input;
    fake.inputs.push(...inputs);
    send(200, {
      object: 'list',
      model: parsed.model,
      data: inputs.map((text, index) => ({
        object: 'embedding',
        index,
        embedding: fakeVector(text, dimensions, groupOf),
      })),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
