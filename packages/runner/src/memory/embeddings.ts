/**
 * Vectors for memories, from an OpenAI-compatible `/v1/embeddings` endpoint (Ollama, OpenAI, a proxy). The runner
 * reaches it through the gateway, which adds any key, so the URL it is given is a loopback port of its own. (The
 * other source, a model folder on this machine, is local-embedder.ts.)
 */
import { z } from 'zod';

/** Turns texts into unit-length vectors, one per text, in order. */
export interface Embedder {
  embed(texts: string[]): Promise<Float32Array[]>;
}

/**
 * An embedder that will never work in this process (its model cannot be loaded), as opposed to one failing for a
 * while (an endpoint that is down): the memory stops asking it.
 */
export class EmbedderUnavailable extends Error {}

const EmbeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

/** Scales `vector` to length 1, so that a dot product is the cosine similarity. */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  const length = Math.sqrt(sum);
  if (length > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / length;
  return vector;
}

/** The embedder behind `baseUrl` (the part before `/v1/embeddings`) for `model`. */
export function httpEmbedder(baseUrl: string, model: string, timeoutMs = 15_000): Embedder {
  const url = new URL('v1/embeddings', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return {
    async embed(texts) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, input: texts }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        throw new Error(
          `the embeddings endpoint answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
        );
      }
      const parsed = EmbeddingsResponse.safeParse(await response.json());
      if (!parsed.success)
        throw new Error(
          `the embeddings endpoint's answer is not an embeddings list: ${parsed.error.message}`,
        );
      const vectors = new Array<Float32Array>(texts.length);
      for (const item of parsed.data.data) vectors[item.index] = normalize(Float32Array.from(item.embedding));
      if (parsed.data.data.length !== texts.length || Array.from(vectors).includes(undefined as never)) {
        throw new Error(
          `the embeddings endpoint returned ${parsed.data.data.length} vectors for ${texts.length} texts`,
        );
      }
      return vectors;
    },
  };
}
