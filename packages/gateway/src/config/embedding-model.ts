/**
 * What a local embedding model folder (`memory.embeddings.model_dir`) must hold to be loaded by transformers.js
 * without a download: the layout of a model such as Xenova/all-MiniLM-L6-v2 on the Hugging Face hub.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';

/** The files every model folder needs. */
const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
/** The ONNX graphs the runner loads, either of which will do: 8-bit quantized (preferred) or full precision. */
const GRAPHS = ['onnx/model_quantized.onnx', 'onnx/model.onnx'];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Why `dir` is not a usable model folder, naming what is missing; null when it is one. */
export function embeddingModelProblem(dir: string): string | null {
  let folder: boolean;
  try {
    folder = statSync(dir).isDirectory();
  } catch (err) {
    return `${dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  if (!folder) return `${dir} is not a folder`;
  const missing = REQUIRED.filter((name) => !isFile(join(dir, name)));
  if (!GRAPHS.some((name) => isFile(join(dir, name)))) missing.push(GRAPHS.join(' or '));
  if (missing.length === 0) return null;
  return `${dir} is not a transformers.js model folder: it has no ${missing.join(', no ')} (download a model such as Xenova/all-MiniLM-L6-v2 with its onnx/ folder, see docs/memory.md)`;
}
