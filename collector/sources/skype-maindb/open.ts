import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SourceError } from '../types.js';
import { readHead } from '../kit/files.js';
import { ownedTempDir, removeTempDir } from '../../temp-dir.js';

/**
 * Opening main.db without side effects. The file is the user's archive: it is read, never written.
 * A database in rollback-journal mode without a journal beside it (every finished Skype ≤ 7
 * main.db) is opened read-only in place: SQLite then only takes shared locks and creates no file.
 * Anything else (WAL mode, whose readers create -wal/-shm files; a hot journal or WAL left by a
 * crash, which a reader would have to replay) is copied to a private temporary folder first.
 */

export type Db = Database.Database;

export const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** File format read/write versions 2: the database is in WAL mode. */
export function isWalHeader(head: Buffer): boolean {
  return head.length >= 20 && (head[18] === 2 || head[19] === 2);
}

export async function nonEmpty(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Opening without side effects

export interface Opened {
  db: Db;
  /** Why a private copy was read, when one was. */
  copied: string | null;
  close(): Promise<void>;
}

export async function openSafely(path: string): Promise<Opened> {
  let head: Buffer;
  try {
    head = await readHead(path, 100);
  } catch (err) {
    throw new SourceError(path, null, `cannot read: ${(err as Error).message}`);
  }
  if (head.length < 100 || head.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    throw new SourceError(path, 'byte 0', 'not an SQLite database (a Skype main.db is one)');
  }
  const wal = isWalHeader(head);
  const sidecars: string[] = [];
  for (const suffix of ['-journal', '-wal']) if (await nonEmpty(`${path}${suffix}`)) sidecars.push(suffix);

  if (!wal && sidecars.length === 0) {
    let db: Db;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('query_only = ON');
    } catch (err) {
      throw new SourceError(path, null, `cannot open as SQLite: ${(err as Error).message}`);
    }
    return { db, copied: null, close: async () => void db.close() };
  }

  // A reader would create files beside it or replay a journal: read a private copy instead.
  const dir = ownedTempDir('cc-maindb-');
  const copy = join(dir, 'main.db');
  try {
    await copyFile(path, copy);
    for (const suffix of sidecars) await copyFile(`${path}${suffix}`, `${copy}${suffix}`);
    const db = new Database(copy, { fileMustExist: true });
    db.pragma('query_only = ON');
    const reason = sidecars.length
      ? `a ${sidecars.map((s) => s.slice(1)).join(' and ')} file lies beside the database (was Skype still running?)`
      : 'the database is in WAL mode';
    return {
      db,
      copied: reason,
      close: async () => {
        db.close();
        removeTempDir(dir);
      },
    };
  } catch (err) {
    removeTempDir(dir);
    throw new SourceError(path, null, `cannot open as SQLite: ${(err as Error).message}`);
  }
}
