/**
 * Vectors for memories from a transformers.js model folder (config.json, tokenizer files, an ONNX graph under
 * `onnx/`), as the original computes them with all-MiniLM-L6-v2: feature extraction, mean pooling, unit length.
 * Nothing is ever downloaded: remote models are off and only the folder's files are read. The library and ONNX
 * Runtime (about 2 s to import) are loaded at the first embedding, so an agent without a model folder never pays
 * for them and one with it starts as fast.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { messageOf } from '@praktor/protocol';
import { type Embedder, EmbedderUnavailable } from './embeddings.js';

type FeatureExtractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ dims: number[]; data: Float32Array | Float64Array }>;

/**
 * The ONNX file's precision, named as transformers.js names them: the 8-bit quantized graph (the original's q8) when
 * the folder has one, else the full-precision one.
 */
function dtypeOf(dir: string): 'q8' | 'fp32' {
  return existsSync(join(dir, 'onnx', 'model_quantized.onnx')) ? 'q8' : 'fp32';
}

async function load(dir: string): Promise<FeatureExtractor> {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  // Nothing is fetched, so nothing is cached; the Docker image's root filesystem is read-only anyway.
  env.useFSCache = false;
  env.localModelPath = dirname(dir);
  const extractor = await pipeline('feature-extraction', basename(dir), {
    local_files_only: true,
    dtype: dtypeOf(dir),
    // One thread, as the original: the agent's own work (Claude Code, its tools) keeps the sandbox's CPUs.
    session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  });
  return extractor as unknown as FeatureExtractor;
}

/** The embedder of the model folder `dir`; it rejects with {@link EmbedderUnavailable} when the model cannot load. */
export function localEmbedder(dir: string): Embedder {
  let loading: Promise<FeatureExtractor> | null = null;
  return {
    async embed(texts) {
      loading ??= load(dir).catch((err: unknown) => {
        throw new EmbedderUnavailable(`the embedding model in ${dir} could not be loaded: ${messageOf(err)}`);
      });
      const extractor = await loading;
      const output = await extractor(texts, { pooling: 'mean', normalize: true });
      const width = output.dims.at(-1) ?? 0;
      return texts.map((_, i) => Float32Array.from(output.data.subarray(i * width, (i + 1) * width)));
    },
  };
}
