import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface OpenOptions {
  readonly?: boolean;
  /** How long a writer waits for another writer before failing (ms). */
  busyTimeout?: number;
}

/**
 * Opens (creating if needed) a chatchannels database and brings its schema up to date.
 * Read-only opens never migrate: they refuse a database that is not at our version.
 */
export function openStore(file: string, options: OpenOptions = {}): Db {
  const readonly = options.readonly ?? false;
  let db: Db;
  try {
    db = new Database(file, { readonly, fileMustExist: readonly });
  } catch (err) {
    throw new StoreError(`${file}: cannot open database: ${(err as Error).message}`);
  }
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
    db.pragma('cache_size = -65536'); // 64 MiB page cache: bulk upserts spill less
    if (version < SCHEMA_VERSION) {
      if (readonly) {
        throw new StoreError(
          `${file}: database schema version ${version} is older than ${SCHEMA_VERSION}; ` +
            `run "chatchannels import" (of any export) once to migrate it`,
        );
      }
      migrate(db);
    }
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`${file}: ${(err as Error).message}`);
  }
  return db;
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
