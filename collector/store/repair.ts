import { filesOf, keepStored, keptOfColumns, type KeptColumns } from './keep.js';
import { joinHolders, mayJoin, UNNAMED_SOURCE, type Holders } from './merge.js';
import type { Db } from './open.js';
import { dayOf } from './periods.js';

/** Set by schema migration 6 (store/schema.ts): the stored WhatsApp media pairs are yet to be merged. */
export const MEDIA_TWINS_REPAIR = 'repair:media-twins';

interface StoredRow extends KeptColumns {
  id: number;
  chat_id: number;
  key: string;
  anchor: string;
  author_id: number | null;
  time: number;
  source_id: number | null;
  rev: number;
  text: string;
}

const COLUMNS = `id, chat_id, key, anchor, author_id, time, source_id, rev, author_name, reply_to_key, attachments, flags, coalesce(text, body) AS text`;

/**
 * Merges the WhatsApp media messages that a chatchannels before MARKUP_VERSION 3 stored twice: once
 * from an export made with its file, once from one made without ("<Media omitted>", "image
 * omitted"). The old converter gave the omitted form its note as text, so the near-duplicate match
 * (store/merge.ts) never paired the two; today's import pairs the forms as they come in, but a
 * re-import meets both stored keys exactly and merges nothing. Run once per database, by the
 * first import after schema migration 6, after rerender.ts has given the omitted rows their
 * caption as text (what the pairing compares). Returns the number of rows merged away.
 *
 * The pairs are those today's merge makes (merge.ts: a near match, and idLessFile): same chat,
 * author and text, times within the tolerance, neither with a native id nor deleted, one row
 * without a file (a WhatsApp media, file or contact row) and one with files. As there, a row takes
 * at most one message of each source (merge.ts's mayJoin: two identical captionless pictures of
 * one export, one of them not downloaded, stay two), and of several candidates the nearest in
 * time, then the earliest, then the first stored is taken, going through the rows without a file
 * in time order.
 *
 * What a row holds is known here only from what is stored: its own source, and those of the rows
 * merged into it by this repair. An import also counts the sources that met a row by another key
 * (an alias) or by its own, but records neither: an alias names no source, so a row with aliases
 * may hold a message of any source and takes no twin here (a double stays, where a guess could
 * join two pictures of one export into one); a source that met a row by its own key leaves no
 * trace at all, so two exports of one phone with media, the later one holding a second captionless
 * picture of the same minute not downloaded, still give one message (the case the import tells
 * apart and this cannot).
 *
 * The row with the file is kept: its content, anchor and key stay; it keeps what the other had and
 * it lacks (author name, reply link: keep.ts). The removed row's key becomes one of its aliases
 * (message_aliases: a re-import of either form finds it), and so do the aliases pointing at the
 * removed row. Its anchor was published, so it becomes an anchor alias (anchor_aliases): the
 * archive page gives the kept message an element with that id and the anchor maps list it, so a
 * link to either anchor lands on the message; the anchor stays taken in its chat. Both rows' days
 * are logged as changed, so an incremental build rewrites their pages.
 */
export function mergeStoredMediaTwins(db: Db, toleranceMs: number): number {
  if (db.prepare(`SELECT 1 FROM meta WHERE key = ?`).get(MEDIA_TWINS_REPAIR) === undefined) return 0;
  // Merging turned off (mergeToleranceMs 0): leave the pairs, and the mark, for an import that merges.
  if (toleranceMs <= 0) return 0;
  const omitted = db
    .prepare(
      `SELECT ${COLUMNS} FROM message_rows
       WHERE markup = 'whatsapp' AND kind IN ('media', 'file', 'contact') AND native_id IS NULL AND deleted = 0
       ORDER BY chat_id, time, id`,
    )
    .all() as StoredRow[];
  const near = db.prepare(
    `SELECT ${COLUMNS} FROM message_rows
     WHERE chat_id = ? AND time BETWEEN ? AND ? AND author_id IS ? AND coalesce(text, body) = ?
       AND markup = 'whatsapp' AND native_id IS NULL AND deleted = 0 AND attachments IS NOT NULL AND id <> ?`,
  );
  const q = {
    keepColumns: db.prepare(`UPDATE message_rows SET author_name = ?, reply_to_key = ?, attachments = ?, flags = ? WHERE id = ?`),
    keyAlias: db.prepare(`INSERT INTO message_aliases (key, message_id, rev) VALUES (?, ?, ?)`),
    moveAliases: db.prepare(`UPDATE message_aliases SET message_id = ? WHERE message_id = ?`),
    moveAnchors: db.prepare(`UPDATE anchor_aliases SET message_id = ? WHERE message_id = ?`),
    anchorAlias: db.prepare(`INSERT INTO anchor_aliases (chat_id, anchor, message_id) VALUES (?, ?, ?)`),
    ftsDelete: db.prepare(`DELETE FROM messages_fts WHERE rowid = ?`),
    deleteRow: db.prepare(`DELETE FROM message_rows WHERE id = ?`),
    logChange: db.prepare(`INSERT INTO changes (chat_id, day) VALUES (?, ?)`),
  };
  // Rows that hold another source's message under an alias, before any is moved below.
  const aliased = new Set(
    db
      .prepare(
        `SELECT DISTINCT a.message_id FROM message_aliases a JOIN message_rows r ON r.id = a.message_id
         WHERE r.markup = 'whatsapp' AND r.native_id IS NULL`,
      )
      .pluck()
      .all() as number[],
  );
  /** Row id → the sources whose message it holds (its own, an unnamed one for its aliases, and those merged into it here). */
  const holds = new Map<number, Holders>();
  const holdsOf = (row: StoredRow): Holders => {
    let set = holds.get(row.id);
    if (!set) holds.set(row.id, (set = new Set<number | null | typeof UNNAMED_SOURCE>(aliased.has(row.id) ? [row.source_id, UNNAMED_SOURCE] : [row.source_id])));
    return set;
  };
  const removed = new Set<number>();
  const days = new Set<string>();
  for (const o of omitted) {
    if (filesOf(o.attachments).length > 0 || removed.has(o.id)) continue;
    const candidates = (near.all(o.chat_id, o.time - toleranceMs, o.time + toleranceMs, o.author_id, o.text, o.id) as StoredRow[])
      .filter((c) => filesOf(c.attachments).length > 0 && !removed.has(c.id) && mayJoin(holdsOf(o), holdsOf(c)))
      .sort((a, b) => Math.abs(a.time - o.time) - Math.abs(b.time - o.time) || a.time - b.time || a.id - b.id);
    const kept = candidates[0];
    if (!kept) continue;
    joinHolders(holdsOf(kept), holdsOf(o));
    removed.add(o.id);

    const now = keptOfColumns(kept, false);
    const merged = keepStored(now, o);
    if (merged !== now) {
      const attachments = merged.attachments?.length ? JSON.stringify(merged.attachments) : null;
      q.keepColumns.run(merged.authorName ?? null, merged.replyToKey ?? null, attachments, merged.flags ?? 0, kept.id);
    }
    q.keyAlias.run(o.key, kept.id, o.rev);
    q.moveAliases.run(kept.id, o.id);
    q.moveAnchors.run(kept.id, o.id);
    q.anchorAlias.run(o.chat_id, o.anchor, kept.id);
    q.ftsDelete.run(o.id);
    q.deleteRow.run(o.id);
    days.add(`${o.chat_id} ${dayOf(o.time)}`);
    days.add(`${kept.chat_id} ${dayOf(kept.time)}`);
  }
  for (const entry of days) {
    const [chatId, day] = entry.split(' ');
    q.logChange.run(Number(chatId), day);
  }
  db.prepare(`DELETE FROM meta WHERE key = ?`).run(MEDIA_TWINS_REPAIR);
  return removed.size;
}
