/**
 * Speech to text through an OpenAI-compatible `POST /v1/audio/transcriptions` (OpenAI, a local whisper server, a
 * proxy): the audio goes up as multipart form data, the text comes back as JSON.
 */
import { messageOf } from '@praktor/protocol';
import { z } from 'zod';
import type { TranscriptionSettings } from './settings.js';

/** A voice note of a few minutes transcribes in seconds; a stuck endpoint must not hold the message for long. */
const TRANSCRIPTION_TIMEOUT_MS = 120_000;

const TranscriptionResponse = z.object({ text: z.string() });

/** Transcribes `audio` (a file called `fileName`, of `mimeType`); rejects with a reason a person can read. */
export async function transcribe(
  settings: TranscriptionSettings,
  audio: Buffer,
  fileName: string,
  mimeType: string,
): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(audio)], { type: mimeType }), fileName);
  form.append('model', settings.model);
  form.append('response_format', 'json');
  const headers: Record<string, string> =
    settings.apiKey === null ? {} : { authorization: `Bearer ${settings.apiKey}` };
  const endpoint = `${settings.url}/v1/audio/transcriptions`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      body: form,
      headers,
      signal: AbortSignal.timeout(TRANSCRIPTION_TIMEOUT_MS),
    });
  } catch (err) {
    throw new Error(`the transcription endpoint ${endpoint} could not be reached (${messageOf(err)})`);
  }
  const body = await response.text();
  if (!response.ok)
    throw new Error(`the transcription endpoint answered HTTP ${response.status}: ${body.slice(0, 200)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`the transcription endpoint answered something that is not JSON: ${body.slice(0, 200)}`);
  }
  const read = TranscriptionResponse.safeParse(parsed);
  if (!read.success) throw new Error('the transcription endpoint answered JSON without a "text"');
  return read.data.text.trim();
}
