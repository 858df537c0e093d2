/**
 * Spoken answers: an agent's answer to a voice note also goes back as a voice message, when text to speech is
 * configured. The written answer is the answer; the voice message follows it through the outbox like a file, and is
 * made only after the written one is on record, so a failure to speak (or a restart meanwhile) costs only the voice.
 */
import type { MessageView } from '@praktor/protocol';
import { messageOf } from '@praktor/protocol';
import type { EventBus } from '../../events/bus.js';
import type { Logger } from '../../log.js';
import type { SpeakingSettings } from '../../speech/settings.js';
import { spokenText } from '../../speech/spoken-text.js';
import { synthesize } from '../../speech/synthesis.js';
import type { Store } from '../../store/index.js';

/** What spoken answers work with. */
export interface SpokenAnswersDeps {
  store: Store;
  bus: EventBus;
  /** How answers are spoken, as configured now; null: they are not. */
  speaking: () => SpeakingSettings | null;
  log: Logger;
}

/** Speaks the answers to voice notes. */
export class SpokenAnswers {
  constructor(private readonly deps: SpokenAnswersDeps) {}

  /**
   * Looks at an outbound message as it is recorded: an agent's written answer to a voice note is spoken and
   * recorded as a voice message for the same chat. Resolves when done; never rejects (a failure is logged).
   */
  async onOutbound(message: MessageView): Promise<void> {
    const { store, bus, log } = this.deps;
    if (message.sender !== 'agent' || message.state !== 'pending' || message.inReplyTo === null) return;
    if (message.agentId === null || message.text.trim() === '') return;
    const settings = this.deps.speaking();
    if (settings === null) return;
    if (!store.messageUploads.of(message.inReplyTo).some((u) => u.kind === 'voice')) return;
    if (store.messageFiles.describe([message.id]).size > 0) return;
    const text = spokenText(message.text);
    if (text === '') return;
    try {
      const audio = await synthesize(settings, text);
      const voice = store.messageFiles.send(
        message.inReplyTo,
        message.agentId,
        { name: 'answer.ogg', mimeType: 'audio/ogg', content: audio, voice: true },
        '',
      );
      bus.emit({ type: 'message', message: voice });
    } catch (err) {
      log.warn(
        { message: message.id, engine: settings.engine, err: messageOf(err) },
        'the answer could not be spoken; it went in writing only',
      );
    }
  }
}
