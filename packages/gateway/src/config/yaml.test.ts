import { describe, expect, test } from 'vitest';
import { ConfigError } from './issues.js';
import { readYaml } from './yaml.js';

const SOURCE = '/srv/praktor.yaml';

/** The problem lines of `text`, which must be refused, and how long refusing took. */
function refusal(text: string): { problems: string[]; ms: number } {
  const started = performance.now();
  try {
    readYaml(text, SOURCE);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { problems: error.message.split('\n'), ms: performance.now() - started };
  }
  throw new Error('expected the text to be refused');
}

/** Nine lists, each holding nine uses of the one before: 9^9 (387 million) values from 600 bytes. */
function billionLaughs(): string {
  const lines = ['  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `  l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `agentmail:\n${lines.join('\n')}\n`;
}

/** A list of 2000 items used 990 times: 2 million values from a 30 KB file. */
function aliasesOfALargeList(): string {
  const items = Array.from({ length: 2000 }, (_, i) => `    - item${i}`).join('\n');
  const uses = Array.from({ length: 990 }, (_, i) => `  k${i}: *big`).join('\n');
  return `agentmail:\n  big: &big\n${items}\nspeech:\n${uses}\n`;
}

describe('limits on what a config file may make', () => {
  test('refuses a billion-laughs file at once, naming the file and the limit', () => {
    const { problems, ms } = refusal(billionLaughs());
    expect(problems).toEqual([
      `${SOURCE}: holds more than 100000 keys and values once its aliases (*name) are expanded; a config file may hold at most 100000`,
    ]);
    // Expanding it would take minutes and gigabytes; refusing it takes milliseconds (the bound allows a busy machine).
    expect(ms).toBeLessThan(2000);
  });

  test('refuses a large list used through many aliases', () => {
    const { problems } = refusal(aliasesOfALargeList());
    expect(problems[0]).toMatch(/^\/srv\/praktor\.yaml: holds more than 100000 keys and values/);
  });

  test('refuses a large mapping merged (<<) into many mappings', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `    k${i}: v`).join('\n');
    const merges = Array.from({ length: 200 }, (_, i) => `  m${i}: { <<: *base }`).join('\n');
    const { problems } = refusal(`agentmail:\n  base: &base\n${keys}\nspeech:\n${merges}\n`);
    expect(problems[0]).toMatch(/holds more than 100000 keys and values/);
  });

  test('refuses long text repeated through aliases, naming the limit on characters', () => {
    const long = 'x'.repeat(500_000);
    const uses = Array.from({ length: 20 }, (_, i) => `  k${i}: *long`).join('\n');
    expect(refusal(`agentmail:\n  long: &long ${long}\nspeech:\n${uses}\n`).problems).toEqual([
      `${SOURCE}: holds more than 4194304 characters of text once its aliases (*name) are expanded; a config file may hold at most 4194304`,
    ]);
  });

  test('refuses more than 1000 aliases, which the YAML library resolves in quadratic time', () => {
    const uses = Array.from({ length: 1001 }, () => '    - *a').join('\n');
    expect(refusal(`agentmail:\n  a: &a x\n  uses:\n${uses}\n`).problems).toEqual([
      `${SOURCE}: uses 1001 aliases (*name); a config file may use at most 1000`,
    ]);
  });

  test('refuses text larger than 1 MiB, naming the file and the limit', () => {
    const text = `agentmail: { note: "${'x'.repeat(1024 * 1024)}" }\n`;
    expect(refusal(text).problems).toEqual([
      `${SOURCE}: is ${Buffer.byteLength(text)} bytes; a config file may be at most 1048576 bytes (1 MiB)`,
    ]);
  });

  test('reads a file that reuses anchors within the limits, each use an independent copy', () => {
    const agents = Array.from(
      { length: 200 },
      (_, i) => `  a${i}: { <<: *agent, description: "agent ${i}" }`,
    );
    const { tree } = readYaml(
      `defaults:\n  x: &agent { model: m, env: { A: "1" }, allowed_tools: [Read, Write] }\nagents:\n${agents.join('\n')}\n`,
      SOURCE,
    );
    const all = tree.agents as Record<string, { env: Record<string, string>; description: string }>;
    expect(Object.keys(all)).toHaveLength(200);
    (all.a0 as { env: Record<string, string> }).env.A = 'changed';
    expect(all.a1?.env.A).toBe('1');
    expect(all.a7?.description).toBe('agent 7');
  });
});
