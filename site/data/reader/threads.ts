import type { Statement } from 'better-sqlite3';
import type { MessageTable } from './message-table.js';

/** One reply as its thread's root lists it. */
export interface ThreadReply {
  anchor: string;
  time: number;
  authorId: number | null;
  authorName: string | null;
  /** Plain text with person references (resolveRefsText). */
  text: string;
  deleted: boolean;
}

/** The replies of one thread root: how many, the last one's time, and the first ones by time. */
export interface Thread {
  count: number;
  last: number;
  replies: ThreadReply[];
}

/**
 * Threads (MessageFlags.threadReply, bit 4) as their roots list them, through the partial index
 * of thread replies (schema version 4): a chat without thread replies costs one index probe per
 * build.
 */
export class Threads {
  private readonly threaded = new Map<number, boolean>();
  private stmt: { any: Statement; page: Statement } | undefined;

  constructor(private readonly messages: MessageTable) {}

  /**
   * The threads whose roots are in [start, end) of a chat: root anchor → its replies, the first
   * `first` of them by time (the list under the root), by key from each root of the range.
   */
  pageThreads(chatId: number, start: number, end: number, first: number): Map<string, Thread> {
    const threads = new Map<string, Thread>();
    const stmt = (this.stmt ??= this.statements());
    let any = this.threaded.get(chatId);
    if (any === undefined) this.threaded.set(chatId, (any = stmt.any.get(chatId) !== undefined));
    if (!any) return threads;
    const { anchors } = this.messages;
    for (const [root, anchor, time, authorId, authorName, text, deleted, count, last] of stmt.page.iterate(chatId, start, end, first) as
      IterableIterator<[string, string, number, number | null, string | null, string, number, number, number]>) {
      const shownRoot = anchors.shown(root);
      let thread = threads.get(shownRoot);
      if (!thread) threads.set(shownRoot, (thread = { count, last, replies: [] }));
      thread.replies.push({ anchor: anchors.shown(anchor), time, authorId, authorName, text, deleted: deleted !== 0 });
    }
    return threads;
  }

  /** The two statements, apart so that test/site-threads.test.ts can read their query plans. */
  statements(): { any: Statement; page: Statement } {
    const { db, table, direct } = this.messages;
    const text = direct ? 'coalesce(r.text, r.body)' : 'r.text';
    return {
      // The order names the partial index's columns: without it the planner may walk the chat's
      // (chat, time) index, every message of a chat without threads.
      any: db.prepare(`SELECT 1 FROM ${table} WHERE chat_id = ? AND (flags & 4) != 0 ORDER BY reply_to_key LIMIT 1`).pluck(),
      page: db
        .prepare(
          `SELECT root, anchor, time, author_id, author_name, text, deleted, total, last FROM (
             SELECT p.anchor AS root, r.anchor, r.time, r.author_id, r.author_name, ${text} AS text, r.deleted,
               row_number() OVER (PARTITION BY p.id ORDER BY r.time, r.id) AS n,
               count(*) OVER (PARTITION BY p.id) AS total, max(r.time) OVER (PARTITION BY p.id) AS last
             FROM ${table} p JOIN ${table} r ON r.chat_id = p.chat_id AND r.reply_to_key = p.key AND (r.flags & 4) != 0
             WHERE p.chat_id = ? AND p.time >= ? AND p.time < ?)
           WHERE n <= ? ORDER BY root, n`,
        )
        .raw(),
    };
  }
}
