import { type FakeSpeech, startFakeSpeech } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcribe } from './transcription.js';

describe('transcribing through an OpenAI-compatible endpoint', () => {
  let speech: FakeSpeech;
  const audio = Buffer.from('OggS: some speech');

  beforeAll(async () => {
    speech = await startFakeSpeech();
    speech.setTranscript(audio, '  hello there  ');
  });

  afterAll(async () => {
    await speech.close();
  });

  it('uploads the audio as multipart with the model and key, and returns the trimmed text', async () => {
    const settings = { url: speech.url, apiKey: 'k1', model: 'whisper-large' };
    expect(await transcribe(settings, audio, 'voice.ogg', 'audio/ogg')).toBe('hello there');
    expect(speech.transcriptions.at(-1)).toMatchObject({
      model: 'whisper-large',
      fileName: 'voice.ogg',
      mimeType: 'audio/ogg',
      authorization: 'Bearer k1',
    });
    expect(speech.transcriptions.at(-1)?.bytes.equals(audio)).toBe(true);
  });

  it('sends no authorization without a key', async () => {
    await transcribe({ url: speech.url, apiKey: null, model: 'whisper-1' }, audio, 'a.ogg', 'audio/ogg');
    expect(speech.transcriptions.at(-1)?.authorization).toBeUndefined();
  });

  it("names the endpoint's HTTP status and message when it refuses", async () => {
    await expect(
      transcribe(
        { url: speech.url, apiKey: null, model: 'whisper-1' },
        Buffer.from('unknown'),
        'a.ogg',
        'audio/ogg',
      ),
    ).rejects.toThrow(/^the transcription endpoint answered HTTP 400: .*knows no transcript/);
  });

  it('says when the endpoint cannot be reached', async () => {
    await expect(
      transcribe(
        { url: 'http://127.0.0.1:9', apiKey: null, model: 'whisper-1' },
        audio,
        'a.ogg',
        'audio/ogg',
      ),
    ).rejects.toThrow(
      /^the transcription endpoint http:\/\/127\.0\.0\.1:9\/v1\/audio\/transcriptions could not be reached/,
    );
  });
});
