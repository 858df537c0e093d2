/**
 * A fake OpenAI-compatible speech API on a real HTTP port: `POST /v1/audio/transcriptions` takes multipart form data
 * (a `file` and a `model`) and answers JSON `{ text }` with the transcript a test gave for those bytes;
 * `POST /v1/audio/speech` takes JSON and answers with the audio a test gave. Every request is recorded.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf } from '@praktor/protocol';
import { z } from 'zod';
import { multipartBoundary, parseMultipart } from '../telegram/multipart.js';
import { readBody } from '../telegram/request-body.js';

/** One transcription asked of the fake. */
export interface TranscriptionRequest {
  model: string;
  fileName: string | undefined;
  mimeType: string | undefined;
  bytes: Buffer;
  authorization: string | undefined;
}

/** One speech synthesis asked of the fake. */
export interface SpeechRequest {
  model: string;
  voice: string;
  input: string;
  responseFormat: string | undefined;
  authorization: string | undefined;
}

/** A running fake speech API. */
export interface FakeSpeech {
  /** Base URL, without `/v1/audio/…`. */
  url: string;
  transcriptions: TranscriptionRequest[];
  speeches: SpeechRequest[];
  /** The transcript to answer for audio with these bytes. */
  setTranscript(audio: Buffer, text: string): void;
  /** The audio `/v1/audio/speech` answers with (empty until set). */
  speechAudio: Buffer;
  /** While true, every request fails with a 503. */
  failing: boolean;
  close(): Promise<void>;
}

const SpeechBody = z.object({
  model: z.string().min(1),
  voice: z.string().min(1),
  input: z.string().min(1),
  response_format: z.string().optional(),
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Starts the fake on a free loopback port. */
export async function startFakeSpeech(): Promise<FakeSpeech> {
  const transcripts = new Map<string, string>();
  const fake: FakeSpeech = {
    url: '',
    transcriptions: [],
    speeches: [],
    setTranscript: (audio, text) => transcripts.set(sha256(audio), text),
    speechAudio: Buffer.alloc(0),
    failing: false,
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string) => send(status, { error: { message } });
    if (fake.failing) return fail(503, 'the fake speech API was told to fail');
    const authorization = req.headers.authorization;
    try {
      const body = await readBody(req);
      if (req.method === 'POST' && req.url === '/v1/audio/transcriptions') {
        const parts = parseMultipart(body, multipartBoundary(req.headers['content-type'] ?? ''));
        const file = parts.find((p) => p.name === 'file' && p.fileName !== undefined);
        const model = parts.find((p) => p.name === 'model')?.data.toString('utf8');
        if (!file) return fail(400, 'there is no file part');
        if (!model) return fail(400, 'there is no model part');
        fake.transcriptions.push({
          model,
          fileName: file.fileName,
          mimeType: file.contentType,
          bytes: file.data,
          authorization,
        });
        const text = transcripts.get(sha256(file.data));
        if (text === undefined) return fail(400, 'the fake knows no transcript for this audio');
        return send(200, { text });
      }
      if (req.method === 'POST' && req.url === '/v1/audio/speech') {
        const parsed = SpeechBody.safeParse(JSON.parse(body.toString('utf8')));
        if (!parsed.success) return fail(400, parsed.error.message);
        const { model, voice, input, response_format } = parsed.data;
        fake.speeches.push({ model, voice, input, responseFormat: response_format, authorization });
        res.writeHead(200, { 'content-type': 'audio/ogg' });
        res.end(fake.speechAudio);
        return;
      }
      return fail(404, `no route ${req.method} ${req.url}`);
    } catch (err) {
      return fail(400, messageOf(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  return fake;
}
