import type { Db } from './open.js';

/**
 * The CLI's full-text index is filled lazily: imports skip it (it would cost about as much as the
 * import itself) and `chatchannels search` brings it up to date first. meta.fts_rowid is the highest
 * message id indexed; the writer keeps rows at or below it in sync when they are edited.
 */
export function ftsIndexedUpTo(db: Db): number {
  const value = db.prepare(`SELECT value FROM meta WHERE key = 'fts_rowid'`).pluck().get() as string | undefined;
  return value === undefined ? 0 : Number(value);
}

/** Indexes every message added since the last sync; returns how many were added. */
export function syncFts(db: Db): number {
  const sync = db.transaction(() => {
    const from = ftsIndexedUpTo(db);
    const to = (db.prepare(`SELECT max(id) FROM message_rows`).pluck().get() as number | null) ?? 0;
    if (to <= from) return 0;
    const info = db.prepare(`INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id > ? AND id <= ?`).run(from, to);
    db.prepare(`INSERT INTO meta (key, value) VALUES ('fts_rowid', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(String(to));
    return info.changes;
  });
  return sync.immediate();
}
