import type { Statement } from 'better-sqlite3';
import type { PublicAnchors } from '../public-anchor.js';
import type { MessageTable } from './message-table.js';
import { messageColumns, unpackAll, type Message, type PackedRow } from './packed-message.js';

/** The messages of one archive page: a chat's rows of one time range, through its (chat, time) index. */
export class PageMessages {
  private readonly stmt: Statement;
  private readonly anchors: PublicAnchors;

  constructor({ db, table, direct, anchors }: MessageTable) {
    this.anchors = anchors;
    this.stmt = db.prepare(`SELECT ${messageColumns(direct, false)} FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ? ORDER BY time, id`).raw();
  }

  /** A chat's messages in [start, end), oldest first (without key and text). */
  pageMessages(chatId: number, start: number, end: number): Message[] {
    return unpackAll(this.stmt.all(chatId, start, end) as PackedRow[], this.anchors, chatId);
  }
}
