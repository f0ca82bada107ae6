import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_ID_KEY } from '../../collector/store/contract.js';

/** The compiled CLI (tests run from the repository root, like `npm test`). */
export const CLI = resolve('dist/collector/cli.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Runs `chatchannels <args>` to completion (not a TTY: no progress bar). */
export function cli(args: string[], cwd: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** Starts `chatchannels <args>`; `done` resolves when it exits, `output()` is its stdout so far. */
export function cliAsync(args: string[], cwd: string): { pid: number; done: Promise<CliResult>; kill(signal: NodeJS.Signals): void; output(): string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<CliResult>((resolveDone) => child.on('close', (code, signal) => resolveDone({ code, signal, out, err })));
  return { pid: child.pid!, done, kill: (signal) => child.kill(signal), output: () => out };
}

/**
 * A digest of every row of every table (or of `tables` only) and of the schema and user_version:
 * equal digests mean equal database contents, whatever the page layout. '' for a database that
 * does not exist. The database's random id (meta.database_id, store/open.ts) is left out: two
 * imports of the same exports into two new databases hold the same content under two ids.
 */
export function contentDigest(file: string, tables?: readonly string[]): string {
  if (!existsSync(file)) return '';
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hash = createHash('sha256');
    hash.update(`v${db.pragma('user_version', { simple: true })}\n`);
    const objects = db.prepare(`SELECT type, name, sql FROM sqlite_master ORDER BY type, name`).all() as { type: string; name: string; sql: string | null }[];
    for (const o of objects) {
      hash.update(`${o.type} ${o.name} ${o.sql ?? ''}\n`);
      // Virtual FTS tables' shadow tables are listed themselves; reading the virtual table again adds nothing.
      if (o.type !== 'table' || /^CREATE VIRTUAL/i.test(o.sql ?? '') || (tables && !tables.includes(o.name))) continue;
      const name = `"${o.name.replace(/"/g, '""')}"`;
      const columns = (db.prepare(`PRAGMA table_info(${name})`).all() as unknown[]).map((_, i) => i + 1);
      for (const row of db.prepare(`SELECT * FROM ${name} ORDER BY ${columns.join(', ')}`).raw().iterate() as IterableIterator<unknown[]>) {
        if (o.name === 'meta' && row[0] === DATABASE_ID_KEY) continue;
        hash.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v)));
        hash.update('\n');
      }
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` and `foreign_key_check` of a database file: [] when sound. */
export function integrityProblems(file: string): string[] {
  const db = new Database(file, { fileMustExist: true });
  try {
    const problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).filter((r) => r !== 'ok');
    for (const fk of db.pragma('foreign_key_check') as object[]) problems.push(`foreign key: ${JSON.stringify(fk)}`);
    return problems;
  } finally {
    db.close();
  }
}

/** Message count of a chatchannels database (0 when it has no tables yet or does not exist). */
export function messageCount(file: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'message_rows'`).get();
    return has ? (db.prepare('SELECT count(*) FROM message_rows').pluck().get() as number) : 0;
  } finally {
    db.close();
  }
}

/** Every message's identity as (chat native id, key, anchor), sorted: what permanence is about. */
export function messageKeys(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (
      db.prepare(`SELECT c.native_id, m.key, m.anchor FROM message_rows m JOIN chats c ON c.id = m.chat_id`).raw().all() as string[][]
    )
      .map((r) => r.join('\u0000'))
      .sort();
  } finally {
    db.close();
  }
}
