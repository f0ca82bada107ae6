import type { Statement } from 'better-sqlite3';
import { hasTable } from '../snapshot.js';
import type { PublicAnchors } from '../public-anchor.js';
import type { MessageTable } from './message-table.js';

/** The message a reply quotes, as its quote links to it. */
export interface ReplyTarget {
  /** As stored (what the reply names). */
  key: string;
  chatId: number;
  /** As published. */
  anchor: string;
  time: number;
  authorId: number | null;
  authorName: string | null;
}

/** The messages that replies name by key, in their own chat or, through aliases, in any. */
export class ReplyTargets {
  private readonly byAnchor: Statement;
  private readonly byAlias: Statement;
  private readonly anchors: PublicAnchors;

  constructor({ db, table, anchors }: MessageTable) {
    this.anchors = anchors;
    // Keys have no index of their own: a key is found through its anchor, which is `m` plus the
    // key's first 10 or more hex digits, unique per chat (collector/identity/key.ts).
    this.byAnchor = db
      .prepare(`SELECT chat_id, anchor, time, author_id, author_name FROM ${table} WHERE chat_id = ? AND anchor >= ? AND anchor < ? AND key = ?`)
      .raw();
    // …or it is another source's key for a stored message (collector/store/merge.ts).
    this.byAlias = hasTable(db, 'message_aliases')
      ? db
          .prepare(
            `SELECT m.chat_id, m.anchor, m.time, m.author_id, m.author_name FROM message_aliases a
             JOIN ${table} m ON m.id = a.message_id WHERE a.key = ?`,
          )
          .raw()
      : db.prepare(`SELECT chat_id, anchor, time, author_id, author_name FROM ${table} WHERE key = ?`).raw();
  }

  /** The messages that these keys name (in `chatId`, or any chat through message aliases). */
  replyTargets(chatId: number, keys: string[]): Map<string, ReplyTarget> {
    const map = new Map<string, ReplyTarget>();
    for (const key of keys) {
      if (map.has(key) || !/^[0-9a-f]{10,}$/.test(key)) continue;
      const low = `m${key.slice(0, 10)}`;
      const row = (this.byAnchor.get(chatId, low, `${low}g`, key) ?? this.byAlias.get(key)) as [number, string, number, number | null, string | null] | undefined;
      if (row) map.set(key, { key, chatId: row[0], anchor: this.anchors.shown(row[1]), time: row[2], authorId: row[3], authorName: row[4] });
    }
    return map;
  }
}
