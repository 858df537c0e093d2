import { describe, expect, it } from 'vitest';
import { MAX_SPOKEN_CHARS, spokenText } from './spoken-text.js';

describe('the text of an answer that is read aloud', () => {
  it("drops Markdown's marks, code blocks and link targets", () => {
    expect(
      spokenText(
        '## Plan\n\n- **water** the `plants`\n- see [the guide](https://x.example)\n\n```sh\nrm -rf /\n```\nDone.',
      ),
    ).toBe('Plan\nwater the plants\nsee the guide\nDone.');
  });

  it('cuts a long answer at a sentence end within the limit', () => {
    const long = 'This is one sentence. '.repeat(400);
    const spoken = spokenText(long);
    expect(spoken.length).toBeLessThanOrEqual(MAX_SPOKEN_CHARS);
    expect(spoken.endsWith('sentence.')).toBe(true);
  });
});
