import type { Db } from './open.js';

/**
 * The highest message id the CLI's full-text index holds (meta.fts_rowid; collector/search/fts.ts
 * fills it lazily): rows at or below it are kept in sync by the writer when edited.
 */
export function ftsIndexedUpTo(db: Db): number {
  const value = db.prepare(`SELECT value FROM meta WHERE key = 'fts_rowid'`).pluck().get() as string | undefined;
  return value === undefined ? 0 : Number(value);
}
