import { accessSync, closeSync, constants, existsSync, fsyncSync, linkSync, openSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { ownedTempDir, removeStaleTempDirs, removeTempDir } from '../temp-dir.js';

// SQLite reads "file:" URIs only when this is set as the addon loads (at the first Database):
// a read-only open of a WAL database in a read-only folder needs `?immutable=1` (readOnlyFolder).
// Every path we open is absolute, so no user path is ever taken for a URI.
process.env.SQLITE_USE_URI ??= '1';

export type Db = Database.Database;

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Another process holds the database's write lock for longer than a writer waits (busyTimeout):
 * an import (`import`, `watch`, `serve --watch`) under way. Said so, whether it is met at
 * the import's own transaction or while opening (a new database's schema, the switch to WAL).
 */
export function writerBusyError(file: string): StoreError {
  return new StoreError(`${file}: another import is writing to this database; try again when it has finished`);
}

export interface OpenOptions {
  readonly?: boolean;
  /** Fail (instead of creating one) when there is no database: commands that only read. Implied by `readonly`. */
  mustExist?: boolean;
  /** How long a writer waits for another writer before failing (ms). */
  busyTimeout?: number;
}

/**
 * Opens (creating if needed) a chatchannels database and brings its schema up to date.
 * Read-only opens never migrate: they refuse a database that is not at our version.
 */
export function openStore(file: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  const memory = file === ':memory:';
  const path = memory ? file : resolve(file);
  if (!memory && (readonly || options.mustExist) && !existsSync(path)) {
    throw new StoreError(`no database at ${file} (run chatchannels import first)`);
  }
  if (!readonly && !memory) {
    const problem = writeProblem(file);
    if (problem) throw new StoreError(problem);
  }
  let db: Db;
  try {
    db = new Database(path, { readonly, fileMustExist: readonly || options.mustExist === true });
  } catch (err) {
    throw new StoreError(`${file}: cannot open database: ${(err as Error).message}`);
  }
  if (readonly && !memory && readOnlyFolder(path)) db = reopenImmutable(db, path, file);
  try {
    db.pragma(`busy_timeout = ${options.busyTimeout ?? 5000}`);
    // Before anything that writes (WAL switch, migrations): never touch a file that isn't ours,
    // or that a newer chatchannels wrote.
    checkIsOurs(db, file);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `${file}: database schema version ${version} is newer than this chatchannels understands ` +
          `(${SCHEMA_VERSION}); upgrade chatchannels to read it`,
      );
    }
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    }
    db.pragma(CACHE_SIZE);
    if (version < SCHEMA_VERSION) {
      if (readonly) {
        throw new StoreError(
          `${file}: database schema version ${version} is older than ${SCHEMA_VERSION}; ` +
            `run "chatchannels import" (of any export) once to migrate it`,
        );
      }
      migrate(db);
    }
    if (!readonly) ensureDatabaseId(db);
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw writerBusyError(file);
    throw new StoreError(`${file}: ${(err as Error).message}`);
  }
  return db;
}

/** The page cache of every connection we open: bulk upserts spill less. */
const CACHE_SIZE = 'cache_size = -65536'; // 64 MiB

/**
 * A new database written aside (createStoreAside): `db` until `publish` puts it at its path whole,
 * or `discard` removes it.
 */
export interface StoreAside {
  db: Db;
  /**
   * Closes the database and makes it the file at the path asked for, in one step that never
   * replaces a file: false (nothing published, the copy removed) when one exists there by now,
   * another process's database, or when the file system cannot link (then import again with
   * openStore). The database is in WAL mode, as openStore leaves a new one.
   */
  publish(): boolean;
  /** Closes and removes the database (a failed import): nothing is left at the path. */
  discard(): void;
}

/** The folders of databases written aside for `file`, `.<name>.new-<pid>-XXXXXX` beside it. */
function asidePrefix(file: string): string {
  return `.${basename(file)}.new-`;
}

/**
 * Creates a database for `file`, which does not exist, in a private folder beside it, to be
 * published (StoreAside.publish) once an import has filled it. Until then no other process sees it:
 * a first import, which writes every row once, needs no WAL (where each page would be written twice,
 * to the log and then to the file) and no rollback journal (pages past a database's original size
 * are never journaled, and a rollback discards the whole copy anyway): journal_mode MEMORY, no syncs
 * until publish syncs the file once. A killed import leaves no database at `file`, and its folder
 * is removed by the next import of that file (removeStaleAside). The folder is mode 0700; the
 * database file in it is created by SQLite with the mode openStore's would have.
 */
export function createStoreAside(file: string): StoreAside {
  const target = resolve(file);
  const problem = writeProblem(file);
  if (problem) throw new StoreError(problem);
  const dir = ownedTempDir(asidePrefix(target), dirname(target));
  const path = join(dir, basename(target));
  let db: Db;
  try {
    db = new Database(path);
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = ON');
    db.pragma(CACHE_SIZE);
    migrate(db);
    ensureDatabaseId(db);
  } catch (err) {
    removeTempDir(dir);
    throw new StoreError(`${file}: cannot create database: ${(err as Error).message}`);
  }
  const discard = () => {
    if (db.open) db.close();
    removeTempDir(dir);
  };
  let published = false;
  const publish = (): boolean => {
    try {
      // Written in the file's header: whoever opens it next finds it in WAL mode. Then closed
      // (the WAL checkpointed and removed) and synced before it is published.
      db.pragma('journal_mode = WAL');
      db.close();
      const fd = openForSync(path);
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        linkSync(path, target); // fails if `target` exists: never replaces another's database
      } catch {
        // EEXIST (another process's database), or a file system without hard links, whose error
        // varies (EPERM, ENOTSUP, ENOSYS on FUSE; EISDIR from libuv for FAT and SMB on Windows):
        // the caller imports again at the path.
        return false;
      }
      published = true;
      syncFolder(dirname(target));
      return true;
    } finally {
      if (!published) discard();
      else {
        // Published: a copy that cannot be removed now (a virus scanner holding the closed file)
        // is removed by the next import of this path (removeStaleAside).
        try {
          discard();
        } catch {
          // left for later
        }
      }
    }
  };
  return { db, publish, discard };
}

/** Removes what imports killed while writing a new `file` aside left beside it (createStoreAside). */
export function removeStaleAside(file: string): void {
  const target = resolve(file);
  removeStaleTempDirs(asidePrefix(target), dirname(target));
}

/** A descriptor to fsync `path` with: writable where it can be (Windows syncs only those), else read-only. */
function openForSync(path: string): number {
  try {
    return openSync(path, 'r+');
  } catch {
    return openSync(path, 'r');
  }
}

/** Makes a new name in `dir` durable (a folder's fsync; not possible on every platform). */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open or sync a folder: the name is durable once the system flushes it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Closes a database that this process created, removing it again when nothing was ever stored in
 * it: a failed first import must not leave an empty database behind that a later build accepts.
 */
export function closeRemovingUnused(db: Db, created: boolean): void {
  const unused = created && db.open && (db.prepare(`SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM chats)`).pluck().get() as number) === 0;
  const path = db.name;
  db.close();
  if (unused) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

/**
 * Why the database cannot be written, or null. SQLite itself only says "attempt to write a
 * readonly database" (or, from the first read of a WAL database, that it is not one).
 */
export function writeProblem(file: string): string | null {
  const path = resolve(file);
  if (existsSync(path) && !writable(path)) return `read-only file: cannot write ${file}`;
  // The folder too: a new database is created there, and WAL mode keeps -wal and -shm files beside it.
  if (!writable(dirname(path))) return `read-only folder: cannot write ${file}`;
  return null;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether reading needs SQLite's immutable mode: a WAL database whose -shm file cannot be created. */
function readOnlyFolder(path: string): boolean {
  return !writable(dirname(path)) && !existsSync(`${path}-shm`) && !nonEmpty(`${path}-wal`);
}

function nonEmpty(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

/**
 * Reopens as immutable: without its -shm file SQLite cannot read a WAL database at all, and in a
 * folder nobody can write there is no -wal file to miss and no writer to lock out.
 */
function reopenImmutable(db: Db, path: string, file: string): Db {
  db.close();
  const uri = `file:${encodeURI(path).replace(/[?#]/g, encodeURIComponent)}?immutable=1`;
  try {
    return new Database(uri, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new StoreError(`${file}: cannot read the database in a read-only folder: ${(err as Error).message}`);
  }
}

function checkIsOurs(db: Db, file: string): void {
  let tables: { name: string }[];
  try {
    tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
  } catch (err) {
    throw new StoreError(`${file}: not a SQLite database (${(err as Error).message})`);
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === 0 && tables.length > 0) {
    throw new StoreError(`${file}: is a SQLite database but not a chatchannels one; refusing to touch it`);
  }
}

function migrate(db: Db): void {
  const run = db.transaction(() => {
    // Read again under the write lock: another process may have migrated the file since we
    // looked (two first imports into a new database at once).
    const from = db.pragma('user_version', { simple: true }) as number;
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  run.immediate();
}

/**
 * `meta.database_id`: a random id given to a database when it is first opened for writing (new
 * databases at creation, older ones at their next import). A site build records it
 * (site/output/stamp.ts), so that another database at the same path, re-created or copied over,
 * is never taken for the one an output folder was built from. Read first: a database that has one
 * is not written to (no write lock taken) just by being opened.
 */
export const DATABASE_ID_KEY = 'database_id';

function ensureDatabaseId(db: Db): void {
  if (db.prepare(`SELECT 1 FROM meta WHERE key = ?`).get(DATABASE_ID_KEY) !== undefined) return;
  db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES (?, lower(hex(randomblob(16))))`).run(DATABASE_ID_KEY);
}
