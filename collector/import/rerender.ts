import type { Db } from '../store/open.js';
import { prepareBody } from './render-body.js';

/**
 * Brings rows stored by an older chatchannels to the current stored form: their html and text are
 * rendered again from `body` (kept as the source gave it), which turns the names older converters
 * baked into event lines, quotes and mentions into person references (person-refs.ts). The
 * schema migration that introduced references marks a database that holds older rows
 * (meta.rerender); the first import after it does this inside its own transaction, so the
 * database holds all of it or none. Returns the number of rows rendered (0: nothing to do).
 */
export function rerenderIfStale(db: Db, onProgress?: (done: number, total: number) => void): number {
  if (!db.prepare(`SELECT 1 FROM meta WHERE key = 'rerender'`).get()) return 0;
  const total = db.prepare(`SELECT count(*) FROM message_rows`).pluck().get() as number;
  const batch = db.prepare(
    `SELECT m.id, c.native_id AS chat, m.kind, m.markup, m.body, m.deleted FROM message_rows m JOIN chats c ON c.id = m.chat_id
     WHERE m.id > ? ORDER BY m.id LIMIT 2000`,
  );
  const update = db.prepare(`UPDATE message_rows SET html = ?, text = ? WHERE id = ?`);
  const learn = db.prepare(
    `INSERT INTO people (native_id, display_name) VALUES (?, ?)
     ON CONFLICT(native_id) DO UPDATE SET display_name = coalesce(display_name, excluded.display_name)`,
  );
  let done = 0;
  let last = 0;
  for (;;) {
    const rows = batch.all(last) as { id: number; chat: string; kind: string; markup: string; body: string; deleted: number }[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const stored = prepareBody(row.chat, { authorId: '', time: 0, kind: row.kind as never, markup: row.markup, body: row.body, deleted: row.deleted === 1 });
      update.run(stored.html, stored.text, row.id);
      for (const [id, name] of stored.people) learn.run(id, name || null);
      last = row.id;
    }
    done += rows.length;
    onProgress?.(done, total);
  }
  // The CLI's full-text index holds the old text: emptied, `chatchannels search` refills it.
  db.exec(`DELETE FROM messages_fts; DELETE FROM meta WHERE key = 'fts_rowid'`);
  db.prepare(`DELETE FROM meta WHERE key = 'rerender'`).run();
  return done;
}

/** Whether the database still holds rows of the older stored form (the site checks before hiding names). */
export function needsRerender(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM meta WHERE key = 'rerender'`).get() !== undefined;
}
