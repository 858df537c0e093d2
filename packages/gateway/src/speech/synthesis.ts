/**
 * Text to speech, as OGG/Opus (what Telegram plays as a voice message): from an OpenAI-compatible
 * `POST /v1/audio/speech`, or from espeak-ng piped through ffmpeg on the gateway's host (never in a sandbox).
 */
import { messageOf } from '@praktor/protocol';
import { runTool } from './child-tool.js';
import type { SpeakingSettings } from './settings.js';

/** Longest a spoken answer may take to make; a long answer is cut (see {@link spokenText}). */
const SYNTHESIS_TIMEOUT_MS = 60_000;
/** Telegram takes voice messages up to 50 MB through the cloud API; a spoken answer stays far below. */
const MAX_AUDIO_BYTES = 20 * 1024 * 1024;
/** Every Ogg file starts with this capture pattern. */
const OGG_MAGIC = Buffer.from('OggS');
/** An espeak-ng voice name: letters, digits and `-+_.`, never starting like an option. */
const ESPEAK_VOICE = /^[A-Za-z0-9_][A-Za-z0-9_+.-]*$/;

/** Speaks `text` as OGG/Opus audio; rejects with a reason a person can read. */
export async function synthesize(settings: SpeakingSettings, text: string): Promise<Buffer> {
  const audio =
    settings.engine === 'api' ? await fromApi(settings, text) : await fromEspeak(settings.voice, text);
  if (!audio.subarray(0, 4).equals(OGG_MAGIC))
    throw new Error('the speech engine did not produce an OGG file (Telegram plays OGG/Opus voice messages)');
  return audio;
}

async function fromApi(
  settings: Extract<SpeakingSettings, { engine: 'api' }>,
  text: string,
): Promise<Buffer> {
  const endpoint = `${settings.api.url}/v1/audio/speech`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (settings.api.apiKey !== null) headers.authorization = `Bearer ${settings.api.apiKey}`;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        model: settings.model,
        voice: settings.voice,
        input: text,
        response_format: 'opus',
      }),
      signal: AbortSignal.timeout(SYNTHESIS_TIMEOUT_MS),
    });
  } catch (err) {
    throw new Error(`the speech endpoint ${endpoint} could not be reached (${messageOf(err)})`);
  }
  if (!response.ok)
    throw new Error(
      `the speech endpoint answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
    );
  const audio = Buffer.from(await response.arrayBuffer());
  if (audio.length > MAX_AUDIO_BYTES)
    throw new Error(`the speech endpoint sent more than ${MAX_AUDIO_BYTES} bytes`);
  return audio;
}

async function fromEspeak(voice: string, text: string): Promise<Buffer> {
  if (!ESPEAK_VOICE.test(voice))
    throw new Error(`speech.tts_voice ${JSON.stringify(voice)} is not an espeak-ng voice name`);
  const limits = { timeoutMs: SYNTHESIS_TIMEOUT_MS, maxOutputBytes: MAX_AUDIO_BYTES * 4 };
  // The text goes on stdin, so nothing in it can be read as an option.
  const wav = await runTool(
    'espeak-ng',
    ['--stdin', '--stdout', '-v', voice],
    Buffer.from(text, 'utf8'),
    limits,
  );
  return runTool(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'wav',
      '-i',
      'pipe:0',
      '-c:a',
      'libopus',
      '-b:a',
      '32k',
      '-f',
      'ogg',
      'pipe:1',
    ],
    wav,
    { ...limits, maxOutputBytes: MAX_AUDIO_BYTES },
  );
}
