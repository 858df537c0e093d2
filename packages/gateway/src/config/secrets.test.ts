// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are config text with ${NAME} references
import { expect, test } from 'vitest';
import { ConfigError } from './issues.js';
import { parseConfig } from './parse.js';

/** Every secret below contains this marker; it must never appear in a problem or a warning. */
const MARK = 'S3CRET';

function outcome(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return parseConfig(text, { env, source: 'praktor.yaml', cwd: '/srv' }).warnings.join('\n');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [error.message, ...error.warnings, JSON.stringify(error.issues)].join('\n');
  }
}

test('no secret value appears in problems when other keys are invalid', () => {
  const text = `
telegram: { token: "${MARK}-token", allow_from: [x], api_root: "ftp://u:${MARK}@host" }
defaults: { anthropic_api_key: "${MARK}-key", oauth_token: "${MARK}-oauth", max_running: 0 }
web: { auth: "${MARK}-auth", port: 0 }
vault: { passphrase: "${MARK}-passphrase" }
agentmail: { api_key: "${MARK}-mail" }
speech: { api_key: "${MARK}-speech" }
agents: { a: { env: { TOKEN: "${MARK}-env" }, files: [ { secret: "${MARK}-file", target: rel } ] } }
router: { default_agent: b }
`;
  const seen = outcome(text);
  expect(seen).toContain('web.port');
  expect(seen).not.toContain(MARK);
});

test('no secret value appears when a secret key has the wrong shape', () => {
  const text = `
telegram: { token: ["${MARK}"] }
defaults: { anthropic_api_key: { ${MARK}: 1 }, oauth_token: ["${MARK}"] }
web: { auth: ["${MARK}"] }
vault: { passphrase: { x: "${MARK}" } }
`;
  const seen = outcome(text);
  expect(seen).toContain('telegram.token: must be text, not a list');
  expect(seen).not.toContain(MARK);
});

test('no secret value appears in warnings about references or unknown keys', () => {
  const text = `
web: { auth: "${MARK}\${broken", typo: "${MARK}" }
vault: { passphrase: "$PASS" }
`;
  const seen = outcome(text, { PASS: MARK });
  expect(seen).toContain('web.auth');
  expect(seen).toContain('vault.passphrase');
  expect(seen).not.toContain(MARK);
});

test('no secret value appears in YAML syntax errors', () => {
  for (const text of [
    `web:\n  auth: "${MARK}\n`,
    `web: { auth: "${MARK}" "${MARK}" }`,
    `web:\n  auth: "${MARK}" x\n`,
    `telegram: { token: ${MARK}: ${MARK} }`,
    `telegram:\n  token: |x ${MARK}\n`,
    `vault: { passphrase: "\\q${MARK}" }`,
  ]) {
    const seen = outcome(text);
    expect(seen).toMatch(/^\/srv\/praktor\.yaml: .* at line \d+, column \d+/);
    expect(seen).not.toContain(MARK);
  }
});

test('no secret value from an override variable appears in problems', () => {
  const env = {
    PRAKTOR_TELEGRAM_TOKEN: `${MARK}-1`,
    ANTHROPIC_API_KEY: `${MARK}-2`,
    CLAUDE_CODE_OAUTH_TOKEN: `${MARK}-3`,
    PRAKTOR_WEB_PASSWORD: `${MARK}-4`,
    PRAKTOR_VAULT_PASSPHRASE: `${MARK}-5`,
    PRAKTOR_TELEGRAM_API_ROOT: `${MARK}://x`,
    PRAKTOR_WEB_PORT: 'x',
  };
  const seen = outcome('web: { port: 0 }', env);
  expect(seen).toContain('PRAKTOR_WEB_PORT');
  expect(seen).not.toContain(MARK);
});

test('no secret value appears when a password refers to a variable that is not set', () => {
  const seen = outcome(
    `web: { auth: "${MARK}-\${UNSET_PASSWORD}" }\nvault: { passphrase: "\${GONE}${MARK}" }`,
  );
  expect(seen).toContain('web.auth: refers to ${UNSET_PASSWORD}');
  expect(seen).toContain('vault.passphrase: refers to ${GONE}');
  expect(seen).not.toContain(MARK);
});

test('no secret value appears when a file is too large or its aliases expand too far', () => {
  const uses = Array.from({ length: 1001 }, () => '*a').join(', ');
  for (const text of [
    `web: { auth: "${MARK}${'x'.repeat(1024 * 1024)}" }`,
    `web: { auth: &a "${MARK}" }\nagentmail: { list: [${uses}] }`,
  ]) {
    const seen = outcome(text);
    expect(seen).toMatch(/^\/srv\/praktor\.yaml: (is \d+ bytes|uses 1001 aliases)/);
    expect(seen).not.toContain(MARK);
  }
});
