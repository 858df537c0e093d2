/**
 * How an agent is told about a file that came with a message: one line it can act on, naming the file's path in its
 * workspace (its working directory), type, size, and what the sender sent it as.
 */
import { formatBytes } from '@praktor/protocol';

/** What the note says about a file. */
export interface NotedFile {
  name: string | null;
  mimeType: string;
  kind: string;
  content: { length: number };
}

/** The note for a file saved at `path` (relative to the workspace). */
export function uploadNote(file: NotedFile, path: string): string {
  const original =
    file.name !== null && !path.endsWith(`/${file.name}`) ? `, sent as ${JSON.stringify(file.name)}` : '';
  return `[The user sent a ${file.kind} (${file.mimeType}, ${formatBytes(file.content.length)}${original}): it is saved in your workspace at ${path}]`;
}

/** The note for a file that could not be saved, with the reason. */
export function uploadFailedNote(file: NotedFile, name: string, reason: string): string {
  return `[The user sent a ${file.kind} (${name}, ${file.mimeType}, ${formatBytes(file.content.length)}), but it could not be saved: ${reason}]`;
}

/** What a recording is called in a note: Telegram's `voice` is a voice note. */
const recording = (file: NotedFile) => (file.kind === 'voice' ? 'voice note' : file.kind);

/** The note carrying what a voice note (or audio, or video note) says, as transcribed. */
export function transcriptNote(file: NotedFile, transcript: string): string {
  return transcript === ''
    ? `[The ${recording(file)} was transcribed, but no speech was found in it]`
    : `[Transcript of the ${recording(file)}: ${transcript}]`;
}

/** The note for a recording that was not transcribed because no endpoint is configured. */
export function noTranscriptionNote(file: NotedFile): string {
  return `[No speech-to-text is configured (speech.url or speech.api_key in praktor.yaml), so the ${recording(file)} was not transcribed; the file is all there is]`;
}

/** The note for a recording whose transcription failed, with the reason. */
export function transcriptionFailedNote(file: NotedFile, reason: string): string {
  return `[The ${recording(file)} could not be transcribed: ${reason}]`;
}
