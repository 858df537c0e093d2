// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text with ${NAME} references
import { describe, expect, test } from 'vitest';
import { expandString, expandTree } from './expand.js';

const env = { HOME_DIR: '/home/ada', EMPTY: '', TOKEN: 'abc' };
const expand = (text: string) => expandString(text, env).value;

describe('expandString', () => {
  test('replaces ${NAME} with the variable', () => {
    expect(expand('${HOME_DIR}/work')).toBe('/home/ada/work');
  });

  test('replaces an unset ${NAME} with nothing, as the original does', () => {
    expect(expand('a${UNSET}b')).toBe('ab');
  });

  test('uses the fallback of ${NAME:-fallback} when the variable is unset', () => {
    expect(expand('${UNSET:-10m}')).toBe('10m');
  });

  test('uses the fallback of ${NAME:-fallback} when the variable is empty', () => {
    expect(expand('${EMPTY:-x}')).toBe('x');
  });

  test('ignores the fallback when the variable is set', () => {
    expect(expand('${TOKEN:-x}')).toBe('abc');
  });

  test('allows an empty fallback', () => {
    expect(expand('[${UNSET:-}]')).toBe('[]');
  });

  test('keeps a bare $ as written', () => {
    expect(expand('pa$$w0rd$TOKEN$')).toBe('pa$$w0rd$TOKEN$');
  });

  test('turns $${ into a literal ${ without expanding', () => {
    expect(expand('$${TOKEN} is ${TOKEN}')).toBe('${TOKEN} is abc');
  });

  test('keeps other ${ forms as written and flags them', () => {
    expect(expandString('${TOKEN:=x} ${1X}', env)).toEqual({ value: '${TOKEN:=x} ${1X}', malformed: true });
  });

  test('does not expand text that a variable brings in', () => {
    expect(expandString('${NESTED}', { NESTED: '${TOKEN}' }).value).toBe('${TOKEN}');
  });
});

describe('expandTree', () => {
  test('expands string values at any depth and leaves keys alone', () => {
    const tree = { a: { '${TOKEN}': ['${TOKEN}', null] } };
    expect(expandTree(tree, env).tree).toEqual({ a: { '${TOKEN}': ['abc', null] } });
  });

  test('warns about a malformed reference by key path, without the value', () => {
    const { warnings } = expandTree({ web: { auth: 'hunter2${oops' } }, env);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^web\.auth: contains a "\$\{"/);
    expect(warnings[0]).not.toContain('hunter2');
  });

  test('warns when a whole value is $NAME, which the original expanded', () => {
    const { tree, warnings } = expandTree({ telegram: { token: '$TELEGRAM_TOKEN' } }, env);
    expect(tree).toEqual({ telegram: { token: '$TELEGRAM_TOKEN' } });
    expect(warnings).toEqual([
      'telegram.token: $NAME is kept as written; write ${NAME} to use the environment variable',
    ]);
  });

  test('does not warn about a $ inside a longer value', () => {
    expect(expandTree({ web: { auth: 'a$B' } }, env).warnings).toEqual([]);
  });
});

describe('expandTree with strict keys', () => {
  const strict = new Map([['web.auth', 'no password']]);

  test('reports an unset ${NAME} in a strict key by key and variable, without the value', () => {
    const { issues } = expandTree({ web: { auth: 'hunter2${PW}' } }, env, strict);
    expect(issues).toEqual([
      {
        path: 'web.auth',
        message:
          'refers to ${PW}, which is not set or is empty; that would leave no password. Set PW, or write ${PW:-} if that is meant',
      },
    ]);
  });

  test('reports a ${NAME} whose variable is empty', () => {
    expect(expandTree({ web: { auth: '${EMPTY}' } }, env, strict).issues).toHaveLength(1);
  });

  test('accepts a set variable, a fallback and an empty fallback', () => {
    const { tree, issues } = expandTree({ web: { auth: '${TOKEN}${UNSET:-x}${UNSET:-}' } }, env, strict);
    expect(issues).toEqual([]);
    expect(tree).toEqual({ web: { auth: 'abcx' } });
  });

  test('leaves other keys as the original did', () => {
    expect(expandTree({ web: { host: '${UNSET}' } }, env, strict).issues).toEqual([]);
  });
});
