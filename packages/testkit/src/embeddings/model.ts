/**
 * A tiny but real transformers.js model folder for the local embedder: a BERT-style WordPiece tokenizer and an ONNX
 * graph that looks each token up in an embedding table (input_ids → Gather → last_hidden_state). Its vectors mean
 * what the fake embeddings API's do: each word counts on one dimension chosen by a hash, the words of one synonym
 * group share a dimension, so "car" and "automobile" are near and a vector search finds one by the other. No model
 * hub, no download: the folder is written from nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { fakeVector } from './server.js';

/** What the model knows. */
export interface EmbeddingModelOptions {
  /** Every word the tokenizer knows (lower case); any other word is `[UNK]`, which means nothing. */
  words: string[];
  /** Groups of words (among `words` or not: they are added) that share a dimension. */
  synonyms?: string[][];
  /** How many dimensions words are spread over; 64 unless told. Vectors have one more (see onnxModel). */
  dimensions?: number;
}

/** The subset of onnx.proto (field numbers as in ONNX) a Gather graph needs. */
const ONNX_SUBSET = `
syntax = "proto3";
message TensorShapeProto { message Dimension { int64 dim_value = 1; string dim_param = 2; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; } Tensor tensor_type = 1; }
message ValueInfoProto { string name = 1; TypeProto type = 2; }
message TensorProto { repeated int64 dims = 1; int32 data_type = 2; string name = 8; bytes raw_data = 9; }
message NodeProto { repeated string input = 1; repeated string output = 2; string name = 3; string op_type = 4; }
message GraphProto {
  repeated NodeProto node = 1; string name = 2; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message ModelProto { int64 ir_version = 1; string producer_name = 2; GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

/** ONNX's element types. */
const FLOAT = 1;
const INT64 = 7;

const SPECIAL = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

function tensorType(elemType: number, dims: (number | string)[]) {
  return {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  };
}

/**
 * The ONNX model: one embedding table of `dimensions` + 1 columns. `[CLS]`, which starts every text, is a small
 * constant in the last column, a dimension of its own, so that a text of unknown words is not all zeros.
 */
function onnxModel(vocab: string[], dimensions: number, groupOf: Map<string, number>): Uint8Array {
  const width = dimensions + 1;
  const table = new Float32Array(vocab.length * width);
  vocab.forEach((token, row) => {
    if (token === '[CLS]') table[row * width + dimensions] = 0.01;
    else if (!SPECIAL.includes(token)) table.set(fakeVector(token, dimensions, groupOf), row * width);
  });
  const Model = protobuf.parse(ONNX_SUBSET).root.lookupType('ModelProto');
  const model = Model.fromObject({
    irVersion: 8,
    producerName: 'praktor-testkit',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'embedding-lookup',
      initializer: [
        {
          name: 'embeddings',
          dims: [vocab.length, width],
          dataType: FLOAT,
          rawData: new Uint8Array(table.buffer),
        },
      ],
      node: [
        {
          name: 'lookup',
          opType: 'Gather',
          input: ['embeddings', 'input_ids'],
          output: ['last_hidden_state'],
        },
      ],
      input: [{ name: 'input_ids', type: tensorType(INT64, ['batch', 'sequence']) }],
      output: [{ name: 'last_hidden_state', type: tensorType(FLOAT, ['batch', 'sequence', width]) }],
    },
  });
  return Model.encode(model).finish();
}

/** A WordPiece tokenizer in the `tokenizers` JSON format, as BERT models ship it. */
function tokenizerJson(vocab: string[]) {
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL.map((content) => ({
      id: ids[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

/**
 * Writes the model folder into `dir` (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx, the
 * file transformers.js loads for dtype fp32) and returns `dir`.
 */
export function writeEmbeddingModel(dir: string, opts: EmbeddingModelOptions): string {
  const dimensions = opts.dimensions ?? 64;
  const synonyms = opts.synonyms ?? [];
  const groupOf = new Map<string, number>();
  synonyms.forEach((group, i) => {
    for (const word of group) groupOf.set(word.toLowerCase(), i % dimensions);
  });
  const words = new Set([...opts.words, ...synonyms.flat()].map((word) => word.toLowerCase()));
  const vocab = [...SPECIAL, ...[...words].filter((word) => !SPECIAL.includes(word))];
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const json = (name: string, value: unknown) =>
    writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  json('config.json', {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: dimensions + 1,
    vocab_size: vocab.length,
    max_position_embeddings: 512,
  });
  json('tokenizer.json', tokenizerJson(vocab));
  json('tokenizer_config.json', {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: 512,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  });
  writeFileSync(join(dir, 'onnx', 'model.onnx'), onnxModel(vocab, dimensions, groupOf));
  return dir;
}
