import { describe, expect, test } from 'vitest';
import { diffConfig } from './diff.js';
import { parseConfig } from './parse.js';

const BASE = `
telegram: { token: t1, main_chat_id: 1, allow_from: [1] }
defaults: { model: m1 }
agents:
  general: { description: General }
  coder: { env: { EDITOR: vim }, files: [ { secret: s, target: /k } ] }
router: { default_agent: general }
web: { port: 8080, auth: a1 }
scheduler: { poll_interval: 30s }
`;
const load = (text: string) => parseConfig(text, { env: {}, source: 'praktor.yaml', cwd: '/srv' }).config;
const diff = (next: string) => diffConfig(load(BASE), load(next));

const NOTHING = {
  agentsAdded: [],
  agentsRemoved: [],
  agentsChanged: [],
  agentsRestarted: [],
  defaultsChanged: false,
  routerChanged: false,
  schedulerChanged: false,
  mainChatIdChanged: false,
  restartRequired: [],
};

describe('diffConfig', () => {
  test('finds nothing between two loads of the same file', () => {
    expect(diff(BASE)).toEqual(NOTHING);
  });

  test('lists added and removed agents', () => {
    const next = BASE.replace('coder:', 'writer:');
    expect(diff(next)).toMatchObject({
      agentsAdded: ['writer'],
      agentsRemoved: ['coder'],
      agentsChanged: [],
    });
  });

  test('lists an agent as changed when a value inside its env changes', () => {
    expect(diff(BASE.replace('EDITOR: vim', 'EDITOR: nano')).agentsChanged).toEqual(['coder']);
  });

  test('lists an agent as changed when its files change', () => {
    expect(diff(BASE.replace('target: /k', 'target: /k2')).agentsChanged).toEqual(['coder']);
  });

  test('does not list an agent whose definition is the same, only reordered', () => {
    const reordered = BASE.replace(
      'general: { description: General }',
      'general: { nix_enabled: false, description: General }',
    );
    expect(diff(reordered).agentsChanged).toEqual([]);
  });

  test('notices a change anywhere in defaults', () => {
    expect(diff(BASE.replace('model: m1', 'model: m2'))).toMatchObject({ defaultsChanged: true });
  });

  test('restarts the agents that take a changed default, and not those that set the key themselves', () => {
    const base = BASE.replace('coder: {', 'coder: { model: own,');
    expect(diffConfig(load(base), load(base.replace('model: m1', 'model: m2')))).toEqual({
      ...NOTHING,
      agentsRestarted: ['general'],
      defaultsChanged: true,
    });
  });

  test('restarts an agent whose own definition changed', () => {
    expect(diff(BASE.replace('EDITOR: vim', 'EDITOR: nano')).agentsRestarted).toEqual(['coder']);
  });

  test('notices a new default agent', () => {
    expect(diff(BASE.replace('default_agent: general', 'default_agent: coder'))).toEqual({
      ...NOTHING,
      routerChanged: true,
    });
  });

  test('notices a new poll interval', () => {
    expect(diff(BASE.replace('30s', '1m'))).toEqual({ ...NOTHING, schedulerChanged: true });
  });

  test('notices a new main chat', () => {
    expect(diff(BASE.replace('main_chat_id: 1', 'main_chat_id: 2'))).toEqual({
      ...NOTHING,
      mainChatIdChanged: true,
    });
  });

  test('names no restart for allow_from and web.auth, which apply at once', () => {
    const next = BASE.replace('allow_from: [1]', 'allow_from: [2]').replace('auth: a1', 'auth: a2');
    expect(diff(next).restartRequired).toEqual([]);
  });

  test('names changed keys that only take effect after a restart', () => {
    const next = BASE.replace('token: t1', 'token: t2')
      .replace('allow_from: [1]', 'allow_from: [1, 2]')
      .replace('port: 8080', 'port: 9090')
      .replace('auth: a1', 'auth: a2')
      .concat('vault: { passphrase: p }\nnats: { data_dir: /nats }\n');
    expect(diff(next).restartRequired).toEqual([
      'telegram.token',
      'web.port',
      'nats.data_dir',
      'vault.passphrase',
    ]);
  });
});
