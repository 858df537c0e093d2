import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeSpeech, requireCommand, startFakeSpeech } from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from './synthesis.js';

const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 1)]);

describe('speaking through an OpenAI-compatible endpoint', () => {
  let speech: FakeSpeech;
  const api = () => ({
    engine: 'api' as const,
    api: { url: speech.url, apiKey: 'k2' },
    model: 'tts-1',
    voice: 'nova',
  });

  beforeAll(async () => {
    speech = await startFakeSpeech();
  });

  afterAll(async () => {
    await speech.close();
  });

  it('asks for Opus with the model, voice and text, and returns the audio', async () => {
    speech.speechAudio = OGG;
    expect((await synthesize(api(), 'Good morning.')).equals(OGG)).toBe(true);
    expect(speech.speeches.at(-1)).toEqual({
      model: 'tts-1',
      voice: 'nova',
      input: 'Good morning.',
      responseFormat: 'opus',
      authorization: 'Bearer k2',
    });
  });

  it('refuses audio that is not OGG, which Telegram would not play as a voice message', async () => {
    speech.speechAudio = Buffer.from('ID3 an mp3');
    await expect(synthesize(api(), 'Hi.')).rejects.toThrow(/did not produce an OGG file/);
  });
});

const missing =
  requireCommand('espeak-ng', 'the espeak-ng speech suite', 'apt-get install espeak-ng') ??
  requireCommand('ffprobe', 'the espeak-ng speech suite', 'apt-get install ffmpeg');

describe.skipIf(missing)('speaking with espeak-ng and ffmpeg on the host', () => {
  it('makes OGG/Opus that ffprobe accepts, even from text that looks like options', async () => {
    const audio = await synthesize({ engine: 'espeak', voice: 'en' }, '--help -v xx; $(rm -rf /) hello');
    const dir = mkdtempSync(join(tmpdir(), 'praktor-espeak-'));
    try {
      const file = join(dir, 'a.ogg');
      writeFileSync(file, audio);
      const codec = execFileSync(
        'ffprobe',
        ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file],
        { encoding: 'utf8' },
      );
      expect(codec.trim()).toBe('opus');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a voice name that could be read as an option', async () => {
    await expect(synthesize({ engine: 'espeak', voice: '--stdout' }, 'hi')).rejects.toThrow(
      'speech.tts_voice "--stdout" is not an espeak-ng voice name',
    );
  });
});
