import { MARKUP_VERSION } from '../markup/index.js';
import type { Attachment } from '../model.js';
import type { Db } from '../store/open.js';
import { dayOf } from '../store/periods.js';
import { prepareBody } from './render-body.js';

/**
 * Brings rows stored by an older chatchannels to the current stored form: their html and text are
 * rendered again from `body` (kept as the source gave it). Two reasons, both checked at the start
 * of every import, inside its transaction (the database holds all of it or none):
 *
 * - `meta.rerender`, set by the schema migration that introduced person references: older
 *   converters baked names into event lines, quotes and mentions (person-refs.ts);
 * - `meta.markup_version` older than MARKUP_VERSION (or missing: stored before it was recorded):
 *   the converters now make something else of the same bodies (reaction chips…), and an import
 *   skips messages whose source did not change, so without this only new messages would show it.
 *
 * A row whose html or text comes out different is updated and its day logged as changed, so an
 * incremental build (`serve --watch`) rebuilds its pages. Returns the number of rows rendered
 * (0: nothing to do).
 */
export function rerenderIfStale(db: Db, onProgress?: (done: number, total: number) => void): number {
  const namesBaked = db.prepare(`SELECT 1 FROM meta WHERE key = 'rerender'`).get() !== undefined;
  const version = db.prepare(`SELECT value FROM meta WHERE key = 'markup_version'`).pluck().get() as string | undefined;
  if (!namesBaked && version === String(MARKUP_VERSION)) return 0;
  const done = renderAgain(db, namesBaked, onProgress);
  db.prepare(`INSERT INTO meta (key, value) VALUES ('markup_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(String(MARKUP_VERSION));
  db.prepare(`DELETE FROM meta WHERE key = 'rerender'`).run();
  return done;
}

function renderAgain(db: Db, namesBaked: boolean, onProgress?: (done: number, total: number) => void): number {
  const total = db.prepare(`SELECT count(*) FROM message_rows`).pluck().get() as number;
  if (total === 0) return 0;
  const batch = db.prepare(
    `SELECT m.id, m.chat_id AS chatId, c.native_id AS chat, m.time, m.kind, m.markup, m.body, m.deleted, m.attachments, m.reply_to_key AS replyToKey, m.html, m.text
     FROM message_rows m JOIN chats c ON c.id = m.chat_id WHERE m.id > ? ORDER BY m.id LIMIT 2000`,
  );
  const update = db.prepare(`UPDATE message_rows SET html = ?, text = ? WHERE id = ?`);
  const learn = db.prepare(
    `INSERT INTO people (native_id, display_name) VALUES (?, ?)
     ON CONFLICT(native_id) DO UPDATE SET display_name = coalesce(display_name, excluded.display_name)`,
  );
  const logChange = db.prepare(`INSERT INTO changes (chat_id, day) VALUES (?, ?)`);
  const changedDays = new Set<string>();
  let textChanged = false;
  let done = 0;
  let last = 0;
  for (;;) {
    type Row = { id: number; chatId: number; chat: string; time: number; kind: string; markup: string; body: string; deleted: number; attachments: string | null; replyToKey: string | null; html: string | null; text: string | null };
    const rows = batch.all(last) as Row[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const stored = prepareBody(row.chat, {
        authorId: '', time: 0, kind: row.kind as never, markup: row.markup, body: row.body, deleted: row.deleted === 1,
        attachments: row.attachments ? (JSON.parse(row.attachments) as Attachment[]) : undefined, replyToKey: row.replyToKey,
      });
      for (const [id, name] of stored.people) learn.run(id, name || null);
      last = row.id;
      if (stored.html === row.html && stored.text === row.text) continue;
      update.run(stored.html, stored.text, row.id);
      if (stored.text !== row.text) textChanged = true;
      changedDays.add(`${row.chatId} ${dayOf(row.time)}`);
    }
    done += rows.length;
    onProgress?.(done, total);
  }
  for (const key of changedDays) {
    const [chatId, day] = key.split(' ');
    logChange.run(Number(chatId), day);
  }
  // The CLI's full-text index holds the old text: emptied, `chatchannels search` refills it.
  if (namesBaked || textChanged) db.exec(`DELETE FROM messages_fts; DELETE FROM meta WHERE key = 'fts_rowid'`);
  return done;
}

/** Whether the database still holds rows of the older stored form (the site checks before hiding names). */
export function needsRerender(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM meta WHERE key = 'rerender'`).get() !== undefined;
}
