import { DATABASE_ID_KEY, openReadOnly, type Db } from '../../collector/store/contract.js';
import { excludeAuthorsOn } from './excluded-authors.js';

/**
 * A read snapshot of a chatchannels database: one read-only connection inside one read
 * transaction, so everything read through it sees one consistent state while the collector keeps
 * writing (WAL: readers never block the writer). Both of the site's readers read through one:
 * ArchiveReader (the pages) and SearchSource (the search index). A build pins one snapshot, and
 * the pages, the chats search indexes and the search page's version are all read from it.
 */

/**
 * Names a read snapshot cheaply, so that two connections (the pages' and the search index
 * worker's) can tell whether they see the same database. Every collector commit that changes
 * what a build shows logs the days it changed (`changes.seq`), adds messages (their largest id),
 * or adds chats or people; index lookups and two tiny counts, never a scan of the messages.
 */
export type SnapshotMark = [changeSeq: number, lastMessage: number, chats: number, people: number];

export interface SnapshotOptions {
  /** Option `excludeAuthors`: these people's messages are not there at all (excluded-authors.ts). */
  excludeAuthors?: readonly string[];
  /**
   * SQLite page cache (KiB): openStore sizes it for bulk imports, a reader streams pages once.
   * Default 4 MiB: a build reads each page's rows once and the OS caches the file anyway; two
   * readers of 16 MiB (main thread and archive worker) were ~27 MB of a 100k build's peak RSS, for
   * no measurable CPU time (docs/scale.md).
   */
  cacheKiB?: number;
}

export class ReadSnapshot {
  readonly db: Db;
  private current: SnapshotMark;

  constructor(file: string, options: SnapshotOptions = {}) {
    this.db = openReadOnly(file);
    try {
      this.db.pragma(`cache_size = -${options.cacheKiB ?? 4096}`);
      excludeAuthorsOn(this.db, options.excludeAuthors ?? []);
      this.current = this.begin();
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  /** The mark of the snapshot this connection reads. */
  get mark(): SnapshotMark {
    return this.current;
  }

  /** Ends this snapshot and takes the database as it is now; returns the new mark. */
  renew(): SnapshotMark {
    this.db.exec('COMMIT');
    return (this.current = this.begin());
  }

  private begin(): SnapshotMark {
    this.db.exec('BEGIN');
    // A deferred transaction takes its snapshot at the first read: the mark's.
    return snapshotMark(this.db);
  }

  close(): void {
    if (!this.db.open) return;
    try {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    } finally {
      this.db.close();
    }
  }
}

export function snapshotMark(db: Db): SnapshotMark {
  const messages = hasTable(db, 'message_rows') ? 'message_rows' : 'messages';
  const changes = hasTable(db, 'changes') ? '(SELECT coalesce(max(seq), 0) FROM changes)' : '0';
  const row = db
    .prepare(`SELECT ${changes}, (SELECT coalesce(max(id), 0) FROM ${messages}), (SELECT count(*) FROM chats), (SELECT count(*) FROM people)`)
    .raw()
    .get() as SnapshotMark;
  return row;
}

export function sameSnapshot(a: SnapshotMark, b: SnapshotMark): boolean {
  return a.every((value, i) => value === b[i]);
}

/** `meta.database_id` (null: a database no import has given one, or one without a meta table). */
export function databaseIdOf(db: Db): string | null {
  if (!hasTable(db, 'meta')) return null;
  return (db.prepare(`SELECT value FROM main.meta WHERE key = ?`).pluck().get(DATABASE_ID_KEY) as string | undefined) ?? null;
}

export function hasTable(db: Db, name: string): boolean {
  return db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(name) === 1;
}
