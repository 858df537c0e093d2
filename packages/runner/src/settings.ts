/**
 * What the sandbox tells the runner through its environment: where its files are.
 * Everything about the conversation arrives over the link instead.
 */
import { z } from 'zod';

const RunnerEnv = z.object({
  /** The agent's own writable folder; Claude Code works in it. */
  PRAKTOR_WORKSPACE: z.string().min(1).default('/workspace/agent'),
  /** The read-only folder shared by all agents: USER.md and global instructions. */
  PRAKTOR_GLOBAL_DIR: z.string().min(1).default('/workspace/global'),
});

/** Where the runner's files live inside its sandbox. */
export interface RunnerPaths {
  workspace: string;
  globalDir: string;
}

/** Reads the runner's paths from its environment; throws with the variable's name when one is unusable. */
export function readPaths(env: NodeJS.ProcessEnv): RunnerPaths {
  const parsed = RunnerEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.') ?? 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  return { workspace: parsed.data.PRAKTOR_WORKSPACE, globalDir: parsed.data.PRAKTOR_GLOBAL_DIR };
}
