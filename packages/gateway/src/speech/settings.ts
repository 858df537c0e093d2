/**
 * What the `speech` keys mean once resolved: where voice notes are transcribed, and whether and how answers are
 * spoken. The original knew only OpenAI and an API key; an API key alone still means OpenAI.
 */
import type { Config } from '../config/index.js';

/** OpenAI's API, used when `speech.api_key` is set and `speech.url` is not. */
export const OPENAI_API = 'https://api.openai.com';

/** An OpenAI-compatible API: its base URL (without `/v1/…`) and the bearer token it takes, if any. */
export interface SpeechApi {
  url: string;
  apiKey: string | null;
}

/** Where voice notes are transcribed. */
export interface TranscriptionSettings extends SpeechApi {
  model: string;
}

/** How answers are spoken: by an API's `/v1/audio/speech`, or by espeak-ng and ffmpeg on this host. */
export type SpeakingSettings =
  | { engine: 'api'; api: SpeechApi; model: string; voice: string }
  | { engine: 'espeak'; voice: string };

/** The API named by `speech.url`, or OpenAI's for an API key alone; null when there is neither. */
function speechApi(speech: Config['speech']): SpeechApi | null {
  const apiKey = speech.api_key === '' ? null : speech.api_key;
  const url = speech.url ?? (apiKey === null ? null : OPENAI_API);
  return url === null ? null : { url, apiKey };
}

/** Where voice notes are transcribed; null when no endpoint is configured. */
export function transcriptionSettings(speech: Config['speech']): TranscriptionSettings | null {
  const api = speechApi(speech);
  return api === null ? null : { ...api, model: speech.transcription_model };
}

/**
 * How answers to voice notes are spoken; null when they are not (`tts_enabled` off, or the api engine with no
 * endpoint: {@link speakingProblem} says so).
 */
export function speakingSettings(speech: Config['speech']): SpeakingSettings | null {
  if (!speech.tts_enabled) return null;
  if (speech.tts_engine === 'espeak') return { engine: 'espeak', voice: speech.tts_voice ?? 'en' };
  const api = speechApi(speech);
  if (api === null) return null;
  return { engine: 'api', api, model: speech.tts_model, voice: speech.tts_voice ?? 'alloy' };
}

/** Why spoken answers are asked for but cannot be given, for the log at start; null when nothing is wrong. */
export function speakingProblem(speech: Config['speech']): string | null {
  return speech.tts_enabled && speech.tts_engine === 'api' && speechApi(speech) === null
    ? 'speech.tts_enabled is on with the api engine, but neither speech.url nor speech.api_key is set: answers are not spoken'
    : null;
}
