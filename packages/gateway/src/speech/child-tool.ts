/**
 * Runs a program of this host (espeak-ng, ffmpeg) on bytes: an argument vector, never a shell; input on stdin,
 * output from stdout; killed when it takes too long or writes too much.
 */
import { spawn } from 'node:child_process';

/** What a run may take. */
export interface ToolLimits {
  timeoutMs: number;
  maxOutputBytes: number;
}

/** Runs `command` with `args`, feeding `input`; resolves with its stdout, or rejects saying what went wrong. */
export function runTool(
  command: string,
  args: readonly string[],
  input: Buffer,
  limits: ToolLimits,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: string | null = null;
    const stop = (reason: string) => {
      failure ??= reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => stop(`${command} took longer than ${limits.timeoutMs / 1000} s`),
      limits.timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > limits.maxOutputBytes) stop(`${command} wrote more than ${limits.maxOutputBytes} bytes`);
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 2000) err += chunk.toString('utf8');
    });
    // The program may exit before reading all its input; that shows in its exit status, not as a pipe error here.
    child.stdin.on('error', () => {});
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        new Error(
          (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? `${command} is not installed on the gateway's host`
            : `${command} could not be started: ${e.message}`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure !== null) reject(new Error(failure));
      else if (code !== 0)
        reject(new Error(`${command} failed (${signal ?? `exit ${code}`}): ${err.trim().slice(-500)}`));
      else resolve(Buffer.concat(out));
    });
    child.stdin.end(input);
  });
}
