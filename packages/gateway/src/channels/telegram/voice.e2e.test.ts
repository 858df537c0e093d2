/**
 * Voice notes: transcribed by the configured OpenAI-compatible endpoint (a fake over real HTTP) so that the model
 * reads what was said, with the file beside it; answered in writing and, with text to speech by espeak-ng and
 * ffmpeg, also as a voice message (OGG/Opus, checked by ffprobe). Without an endpoint the agent is told that no
 * transcription is configured, and the answer is written only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defaultStackConfig,
  type FakeSpeech,
  type FakeTelegram,
  type ModelRequest,
  reply,
  requireCommand,
  type Stack,
  startFakeSpeech,
  startStack,
  TEST_USER_ID,
} from '@praktor/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const missing =
  requireCommand('bwrap', 'the voice suite', 'apt-get install bubblewrap') ??
  requireCommand('espeak-ng', 'the voice suite', 'apt-get install espeak-ng') ??
  requireCommand('ffprobe', 'the voice suite', 'apt-get install ffmpeg');

const VOICE_NOTE = Buffer.from('OggS: a voice note the fake transcribes');
const TRANSCRIPT = 'remind me to water the plants tomorrow';
const ANSWER = 'I will remind you to water the plants tomorrow morning.';

function handler(req: ModelRequest) {
  return req.kind === 'main' ? reply.text(ANSWER) : reply.text('side call');
}

/** Sends the voice note as Telegram does and waits for the written answer. */
async function sendVoiceNote(stack: Stack) {
  const fileId = stack.telegram.addFile(VOICE_NOTE, 'voice.ogg', 'audio/ogg');
  stack.telegram.injectUpdate({
    message: {
      message_id: 20,
      date: Math.floor(Date.now() / 1000),
      chat: { id: TEST_USER_ID, type: 'private', first_name: 'Ann' },
      from: { id: TEST_USER_ID, is_bot: false, first_name: 'Ann' },
      voice: {
        file_id: fileId,
        file_unique_id: 'v',
        duration: 2,
        mime_type: 'audio/ogg',
        file_size: VOICE_NOTE.length,
      },
    },
  });
  await stack.telegram.waitFor(
    () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.method === 'sendMessage'),
    60_000,
  );
}

async function download(telegram: FakeTelegram, fileId: string): Promise<Buffer> {
  const got = await fetch(`${telegram.apiRoot}/bot${telegram.token}/getFile?file_id=${fileId}`);
  const path = ((await got.json()) as { result: { file_path: string } }).result.file_path;
  return Buffer.from(
    await (await fetch(`${telegram.apiRoot}/file/bot${telegram.token}/${path}`)).arrayBuffer(),
  );
}

describe.skipIf(missing)('a voice note with transcription and spoken answers configured', () => {
  let speech: FakeSpeech;
  let stack: Stack;

  beforeAll(async () => {
    speech = await startFakeSpeech();
    speech.setTranscript(VOICE_NOTE, TRANSCRIPT);
    stack = await startStack({
      handler,
      config: (urls) => ({
        ...defaultStackConfig(urls),
        speech: { url: speech.url, api_key: 'speech-key-for-tests', tts_enabled: true, tts_engine: 'espeak' },
      }),
    });
    await sendVoiceNote(stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await speech?.close();
  });

  it('sends the voice note to the transcription endpoint, byte for byte, with the model and key', () => {
    expect(speech.transcriptions).toHaveLength(1);
    const [asked] = speech.transcriptions;
    expect(asked?.bytes.equals(VOICE_NOTE)).toBe(true);
    expect(asked).toMatchObject({
      model: 'whisper-1',
      fileName: 'voice.ogg',
      mimeType: 'audio/ogg',
      authorization: 'Bearer speech-key-for-tests',
    });
  });

  it('gives the model the transcript with the note naming the saved file', () => {
    const request = stack.anthropic.requests.find((r) => r.lastUserText.includes(TRANSCRIPT));
    expect(request?.lastUserText).toMatch(
      /^\[The user sent a voice \(audio\/ogg, \d+ bytes\): it is saved in your workspace at uploads\/voice\.ogg\]\n\n\[Transcript of the voice note: remind me to water the plants tomorrow\]/,
    );
  });

  it('answers in writing, then as a voice message that ffprobe reads as OGG/Opus', async () => {
    const voice = await stack.telegram.waitFor(
      () => stack.telegram.messagesIn(TEST_USER_ID).find((m) => m.method === 'sendVoice'),
      60_000,
    );
    const methods = stack.telegram.messagesIn(TEST_USER_ID).map((m) => m.method);
    expect(methods).toEqual(['sendMessage', 'sendVoice']);
    expect(stack.telegram.messagesIn(TEST_USER_ID)[0]?.text).toBe(ANSWER);
    const audio = await download(stack.telegram, voice.file?.fileId ?? '');
    const dir = mkdtempSync(join(tmpdir(), 'praktor-voice-'));
    try {
      const file = join(dir, 'answer.ogg');
      writeFileSync(file, audio);
      const probe = JSON.parse(
        execFileSync(
          'ffprobe',
          [
            '-v',
            'error',
            '-show_entries',
            'stream=codec_name:format=format_name,duration',
            '-of',
            'json',
            file,
          ],
          { encoding: 'utf8', timeout: 30_000 },
        ),
      ) as { streams: { codec_name: string }[]; format: { format_name: string; duration: string } };
      expect(probe.format.format_name).toBe('ogg');
      expect(probe.streams.map((s) => s.codec_name)).toEqual(['opus']);
      // Spoken words take seconds, not a blip.
      expect(Number(probe.format.duration)).toBeGreaterThan(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(missing)('a voice note without a transcription endpoint', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ handler });
    await sendVoiceNote(stack);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('tells the agent that no transcription is configured, beside the saved file', () => {
    const request = stack.anthropic.requests.find((r) => r.lastUserText.includes('uploads/voice.ogg'));
    expect(request?.lastUserText).toContain('[No speech-to-text is configured');
  });

  it('answers in writing only', async () => {
    // The written answer is in; a voice message would follow within a second or two.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(stack.telegram.messagesIn(TEST_USER_ID).map((m) => m.method)).toEqual(['sendMessage']);
  });
});
