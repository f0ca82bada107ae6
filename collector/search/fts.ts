import { createSearchPipeline, type SearchPipeline } from '../../site/search/pipeline.js';
import { ftsIndexedUpTo } from '../store/fts-rows.js';
import type { Db } from '../store/open.js';

export { ftsIndexedUpTo };

/**
 * The CLI's full-text index is filled lazily: imports skip it (it would cost about as much as the
 * import itself) and `chatchannels search` brings it up to date first. meta.fts_rowid is the highest
 * message id indexed; the writer keeps rows at or below it in sync when they are edited.
 *
 * A row holds the message's index terms as the site's search cuts them (the one text pipeline,
 * site/client/search/pipeline.js: folding, stop words, stemming, CJK bigrams), so the CLI and the
 * site match a query by the same rule.
 */
let pipeline: SearchPipeline | null = null;

/** The shared search pipeline (loaded on first use: imports that never search skip it). */
export function searchPipeline(): SearchPipeline {
  return (pipeline ??= createSearchPipeline());
}

/** What messages_fts holds for a message text: its index terms, space-separated. */
export function ftsTerms(text: string | null): string {
  return searchPipeline().terms(text).join(' ');
}

/** Indexes every message added since the last sync; returns how many were added. */
export function syncFts(db: Db): number {
  const sync = db.transaction(() => {
    const from = ftsIndexedUpTo(db);
    const to = (db.prepare(`SELECT max(id) FROM message_rows`).pluck().get() as number | null) ?? 0;
    if (to <= from) return 0;
    const insert = db.prepare(`INSERT INTO messages_fts (rowid, terms) VALUES (?, ?)`);
    let added = 0;
    // In batches: better-sqlite3 cannot write while a statement is being iterated.
    const batch = db.prepare(`SELECT id, text FROM messages WHERE id > ? AND id <= ? ORDER BY id LIMIT 5000`).raw();
    for (let after = from; ; ) {
      const rows = batch.all(after, to) as [number, string | null][];
      if (rows.length === 0) break;
      for (const [id, text] of rows) insert.run(id, ftsTerms(text));
      added += rows.length;
      after = rows[rows.length - 1][0];
    }
    db.prepare(`INSERT INTO meta (key, value) VALUES ('fts_rowid', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(String(to));
    return added;
  });
  return sync.immediate();
}
