import { type Mark, type Run, telegramMarks } from './rich.js';

interface Prefix {
  readonly text: string;
  readonly plainOnly: boolean;
}

interface Break {
  readonly text: string;
  readonly marks: readonly Mark[];
}

/**
 * Collects the runs of a rendering. It tracks the marks in force, the prefixes
 * that begin each line inside lists and quotes, and the break between blocks,
 * which is held back until another block writes something so that empty blocks
 * leave no stray blank lines.
 */
export class RunWriter {
  private readonly output: Run[] = [];
  private readonly marks: Mark[] = [];
  private readonly prefixes: Prefix[] = [];
  private pendingBreak: Break | undefined;
  private atLineStart = true;

  /** The runs written so far. */
  runs(): Run[] {
    return [...this.output];
  }

  /** Writes text under the current marks; every line that has text starts with the current prefixes. */
  text(text: string): void {
    if (text === '') return;
    this.flushBreak();
    text.split('\n').forEach((line, index) => {
      if (index > 0) {
        this.emit({ text: '\n', marks: telegramMarks(this.marks) });
        this.atLineStart = true;
      }
      if (line === '') return;
      if (this.atLineStart) this.writePrefixes();
      this.emit({ text: line, marks: telegramMarks(this.marks) });
      this.atLineStart = false;
    });
  }

  /** Writes a code block verbatim: its lines get no prefixes, since indenting code would change it. */
  preformatted(code: string, language: string | undefined): void {
    if (code === '') return;
    this.flushBreak();
    this.emit({ text: code, marks: telegramMarks([...this.marks, { kind: 'pre', language }]) });
    this.atLineStart = false;
  }

  /**
   * Writes text that only the plain-text fallback shows, annotating the text
   * just written. It goes before any whitespace that text ended with, so that
   * it stays beside visible text when a chunk is cut there.
   */
  note(text: string): void {
    const moved: Run[] = [];
    for (let last = this.output.pop(); last; last = this.output.pop()) {
      const body = last.plainOnly ? last.text : last.text.replace(/[ \t\n]+$/, '');
      if (body !== last.text) moved.unshift({ ...last, text: last.text.slice(body.length) });
      if (body !== '') {
        this.output.push({ ...last, text: body });
        break;
      }
    }
    this.emit({ text, marks: [], plainOnly: 'trailing' });
    this.output.push(...moved);
  }

  /** Asks for `text` (line breaks) between what was written and whatever is written next, if anything is. */
  blockBreak(text: string): void {
    if (this.output.length === 0) return;
    if (this.pendingBreak && this.pendingBreak.text.length >= text.length) return;
    this.pendingBreak = { text, marks: telegramMarks(this.marks) };
  }

  /** Applies `mark` to everything `body` writes. */
  within(mark: Mark, body: () => void): void {
    this.marks.push(mark);
    try {
      body();
    } finally {
      this.marks.pop();
    }
  }

  /**
   * Sets what `body` writes as a quote: a blockquote for HTML readers and a bar
   * before each line for plain ones. Telegram cannot nest quotes, so a quote
   * inside a quote just continues it.
   */
  quoted(body: () => void): void {
    if (this.marks.some((mark) => mark.kind === 'blockquote')) body();
    else this.within({ kind: 'blockquote' }, () => this.prefixed('│ ', true, body));
  }

  /** Begins each line that starts while `body` is writing with `text`, shown to all readers or only to plain ones. */
  prefixed(text: string, plainOnly: boolean, body: () => void): void {
    this.prefixes.push({ text, plainOnly });
    try {
      body();
    } finally {
      this.prefixes.pop();
    }
  }

  private writePrefixes(): void {
    const marks = telegramMarks(this.marks).filter((mark) => mark.kind === 'blockquote');
    for (const prefix of this.prefixes) {
      this.emit(
        prefix.plainOnly ? { text: prefix.text, marks, plainOnly: 'leading' } : { text: prefix.text, marks },
      );
    }
  }

  private flushBreak(): void {
    if (!this.pendingBreak) return;
    this.emit({ text: this.pendingBreak.text, marks: this.pendingBreak.marks });
    this.pendingBreak = undefined;
    this.atLineStart = true;
  }

  private emit(run: Run): void {
    if (run.text !== '') this.output.push(run);
  }
}
