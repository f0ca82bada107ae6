import type { Statement } from 'better-sqlite3';
import type { Db } from '../../../collector/store/contract.js';
import type { MessageTable } from './message-table.js';

/** Which anchors a chat has where: anchor maps (`chats/<slug>/anchors/`) and pages not rendered. */
export class Anchors {
  private readonly db: Db;
  private readonly table: string;
  private readonly ofPage: Statement;
  private addedAfter: Statement | undefined;
  private withPrefix: Statement | undefined;

  constructor({ db, table }: MessageTable) {
    this.db = db;
    this.table = table;
    // The same rows and order as PageMessages (page-messages.ts), anchors only.
    this.ofPage = db.prepare(`SELECT anchor FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ? ORDER BY time, id`).pluck();
  }

  /** Anchors of one archive page's time range, in page order. */
  pageAnchors(chatId: number, start: number, end: number): string[] {
    return this.ofPage.all(chatId, start, end) as string[];
  }

  /**
   * Anchors of a chat's messages stored after message id `id` (ids only grow): through the
   * primary key, `+chat_id` keeping the planner off the chat's indexes, which would read all of it.
   */
  anchorsAddedAfter(chatId: number, id: number): string[] {
    this.addedAfter ??= this.db.prepare(`SELECT anchor FROM ${this.table} WHERE id > ? AND +chat_id = ?`).pluck();
    return this.addedAfter.all(id, chatId) as string[];
  }

  /**
   * A chat's anchors that begin with `m` + `prefix` (one anchor map file's), with each one's time
   * and id (its page and its place there): through the (chat_id, anchor) index, so a file costs
   * its own anchors, not its chat's.
   */
  anchorsWithPrefix(chatId: number, prefix: string): [anchor: string, time: number, id: number][] {
    this.withPrefix ??= this.db.prepare(`SELECT anchor, time, id FROM ${this.table} WHERE chat_id = ? AND anchor >= ? AND anchor < ?`).raw();
    const low = `m${prefix}`;
    // The first string after every one that starts with `low`: its last character, one higher.
    const high = low.slice(0, -1) + String.fromCharCode(low.charCodeAt(low.length - 1) + 1);
    return this.withPrefix.all(chatId, low, high) as [string, number, number][];
  }
}

/** Option `redact`: the messages named by anchor or key, as `<chat id>/<anchor>`. */
export function redactedAnchors(db: Db, entries: readonly string[]): Set<string> {
  const found = new Set<string>();
  if (entries.length === 0) return found;
  const marks = entries.map(() => '?').join(', ');
  for (const [chatId, anchor] of db
    .prepare(`SELECT chat_id, anchor FROM messages WHERE anchor IN (${marks}) OR key IN (${marks})`)
    .raw()
    .iterate(...entries, ...entries) as IterableIterator<[number, string]>) {
    found.add(`${chatId}/${anchor}`);
  }
  return found;
}
