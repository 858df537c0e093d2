import { describe, expect, it } from 'vitest';
import type { Config } from '../config/index.js';
import { OPENAI_API, speakingProblem, speakingSettings, transcriptionSettings } from './settings.js';

const speech = (keys: Partial<Config['speech']>): Config['speech'] => ({
  api_key: '',
  url: undefined,
  transcription_model: 'whisper-1',
  tts_enabled: false,
  tts_mode: 'voice',
  tts_engine: 'api',
  tts_model: 'tts-1',
  tts_voice: undefined,
  ...keys,
});

describe('what the speech keys mean', () => {
  it('transcribes nothing without a url or an API key', () => {
    expect(transcriptionSettings(speech({}))).toBeNull();
  });

  it('uses OpenAI for an API key alone, as the original did', () => {
    expect(transcriptionSettings(speech({ api_key: 'k' }))).toEqual({
      url: OPENAI_API,
      apiKey: 'k',
      model: 'whisper-1',
    });
  });

  it('uses the named endpoint, without a key when none is set', () => {
    expect(transcriptionSettings(speech({ url: 'http://127.0.0.1:8000' }))).toEqual({
      url: 'http://127.0.0.1:8000',
      apiKey: null,
      model: 'whisper-1',
    });
  });

  it('speaks only with tts_enabled, with alloy or en as the voice left out', () => {
    expect(speakingSettings(speech({ api_key: 'k' }))).toBeNull();
    expect(speakingSettings(speech({ api_key: 'k', tts_enabled: true }))).toMatchObject({
      engine: 'api',
      voice: 'alloy',
    });
    expect(speakingSettings(speech({ tts_enabled: true, tts_engine: 'espeak' }))).toEqual({
      engine: 'espeak',
      voice: 'en',
    });
  });

  it('says why the api engine cannot speak without an endpoint', () => {
    const keys = speech({ tts_enabled: true });
    expect(speakingSettings(keys)).toBeNull();
    expect(speakingProblem(keys)).toMatch(/neither speech\.url nor speech\.api_key is set/);
  });
});
