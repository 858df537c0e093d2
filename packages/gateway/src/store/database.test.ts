import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from './index.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'praktor-database-'));
  file = join(dir, 'praktor.db');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** The message of the error Store.open throws for `dir`, which must refuse. */
function refusal(): string {
  try {
    Store.open(dir).close();
  } catch (error) {
    expect((error as Error).name).toBe('DatabaseError');
    return (error as Error).message;
  }
  throw new Error('expected the database to be refused');
}

/** A real database with a few hundred messages, closed (so all of it is in the main file). */
function databaseWithHistory(): void {
  const store = Store.open(dir);
  for (let i = 0; i < 300; i++) {
    store.messages.receive({
      channel: 'telegram',
      chatId: '1',
      sender: 'user:1',
      text: `message ${i} `.repeat(20),
    });
  }
  store.close();
}

describe('a database file that is there but unusable', () => {
  it('refuses an empty (0-byte) file, naming it and what to do, and leaves it as it was', () => {
    writeFileSync(file, '');
    const message = refusal();
    expect(message).toContain(`${file} is empty (0 bytes)`);
    expect(message).toContain('Restore it from a backup, or move it');
    expect(readFileSync(file)).toHaveLength(0);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a file that is not SQLite, naming it, and leaves its bytes unchanged', () => {
    const bytes = Buffer.from('this is a note, not a database\n'.repeat(100));
    writeFileSync(file, bytes);
    expect(refusal()).toBe(
      `${file} is not an SQLite database. Praktor does not start on it, so that nothing in it is overwritten. ` +
        `Restore it from a backup, or move it (with ${file}-wal and ${file}-shm, if there) out of the data ` +
        'directory to start with a new, empty database.',
    );
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a damaged SQLite database, naming it, and leaves its bytes unchanged', () => {
    databaseWithHistory();
    const damaged = readFileSync(file);
    const pageSize = damaged.readUInt16BE(16);
    // Pages 2 onwards hold the tables; overwrite a few of them with noise.
    damaged.fill(0xa5, pageSize * 2, pageSize * 6);
    writeFileSync(file, damaged);
    expect(refusal()).toMatch(
      new RegExp(`^${file.replace(/[.]/g, '\\.')} is damaged.*Restore it from a backup`),
    );
    expect(readFileSync(file).equals(damaged)).toBe(true);
  });

  it('keeps a healthy database and its history', () => {
    databaseWithHistory();
    const store = Store.open(dir);
    expect(store.messages.get(300)?.text).toMatch(/^message 299 /);
    store.close();
  });

  it('creates a new database when there is no file', () => {
    const store = Store.open(join(dir, 'fresh'));
    expect(store.messages.get(1)).toBeNull();
    store.close();
    expect(existsSync(join(dir, 'fresh', 'praktor.db'))).toBe(true);
  });
});

describe('permissions of the data directory and the database', () => {
  it('creates the data directory 0700 and the database and its -wal and -shm files 0600', () => {
    const data = join(dir, 'data');
    const store = Store.open(data);
    try {
      store.messages.receive({ channel: 'telegram', chatId: '1', sender: 'user:1', text: 'hi' });
      expect(modeOf(data)).toBe('700');
      for (const name of ['praktor.db', 'praktor.db-wal', 'praktor.db-shm']) {
        expect([name, modeOf(join(data, name))]).toEqual([name, '600']);
      }
      expect(store.tightened).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('narrows a data directory and database that others can read, and says so', () => {
    const data = join(dir, 'data');
    Store.open(data).close();
    chmodSync(data, 0o755);
    chmodSync(join(data, 'praktor.db'), 0o644);
    const store = Store.open(data);
    try {
      expect(store.tightened).toEqual([
        { path: data, was: '0755', now: '0700' },
        { path: join(data, 'praktor.db'), was: '0644', now: '0600' },
      ]);
      expect(modeOf(data)).toBe('700');
      store.messages.receive({ channel: 'telegram', chatId: '1', sender: 'user:1', text: 'hi' });
      expect(modeOf(join(data, 'praktor.db-wal'))).toBe('600');
    } finally {
      store.close();
    }
  });

  it('leaves a database that is already private as it is', () => {
    mkdirSync(join(dir, 'data'), { mode: 0o700 });
    Store.open(join(dir, 'data')).close();
    const store = Store.open(join(dir, 'data'));
    expect(store.tightened).toEqual([]);
    store.close();
  });
});
