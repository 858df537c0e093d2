/**
 * Asking a person at a terminal for a passphrase or a value without showing what they type.
 */

/** Whether a person can be asked: standard input is a terminal. */
export function canPrompt(): boolean {
  return process.stdin.isTTY === true;
}

/** Asks `question` on the terminal and reads one line without echoing it. Rejects on Ctrl-C or Ctrl-D. */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let answer: string[] = [];
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(answer.join(''));
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && answer.length === 0)) {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f' || char === '\b') answer = answer.slice(0, -1);
        else if (char >= ' ') answer.push(char);
      }
    };
    input.on('data', onData);
  });
}

/** Reads all of standard input as bytes. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
