import type { Statement } from 'better-sqlite3';
import { PLAUSIBLE_SQL } from '../../../collector/store/contract.js';
import type { MessageTable } from './message-table.js';

/**
 * What a chat holds in a range of time: its first and last times, counts, and whether a range
 * holds a plausibly dated message. Each is one probe or range count over the (chat, time) index;
 * the catalog lays out pages with them, the activity pictures count with them.
 */
export class TimeRanges {
  private readonly stmt: Record<'firstAtOrAfter' | 'lastBefore' | 'firstPlausible' | 'lastPlausible' | 'anyPlausibleInRange' | 'countInRange' | 'dayCounts', Statement>;

  constructor({ db, table }: MessageTable) {
    this.stmt = {
      firstAtOrAfter: db.prepare(`SELECT min(time) FROM ${table} WHERE chat_id = ? AND time >= ?`).pluck(),
      lastBefore: db.prepare(`SELECT max(time) FROM ${table} WHERE chat_id = ? AND time < ?`).pluck(),
      firstPlausible: db.prepare(`SELECT time FROM ${table} WHERE chat_id = ? AND ${PLAUSIBLE_SQL} ORDER BY time LIMIT 1`).pluck(),
      lastPlausible: db.prepare(`SELECT time FROM ${table} WHERE chat_id = ? AND ${PLAUSIBLE_SQL} ORDER BY time DESC LIMIT 1`).pluck(),
      anyPlausibleInRange: db.prepare(`SELECT 1 FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ? AND ${PLAUSIBLE_SQL} LIMIT 1`).pluck(),
      countInRange: db.prepare(`SELECT count(*) FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ?`).pluck(),
      dayCounts: db
        .prepare(
          `SELECT CAST((time - ?) / 86400000 AS INTEGER) AS day, count(*) FROM ${table}
           WHERE chat_id = ? AND time >= ? AND time < ? GROUP BY day ORDER BY day`,
        )
        .raw(),
    };
  }

  firstAtOrAfter(chatId: number, time: number): number | null {
    return this.stmt.firstAtOrAfter.get(chatId, time) as number | null;
  }

  lastBefore(chatId: number, time: number): number | null {
    return this.stmt.lastBefore.get(chatId, time) as number | null;
  }

  /** First and last time of a chat's messages, ignoring implausible ones (a 1970 or 2404 date). */
  plausibleRange(chatId: number): [number, number] | null {
    const first = this.stmt.firstPlausible.get(chatId) as number | undefined;
    return first === undefined ? null : [first, this.stmt.lastPlausible.get(chatId) as number];
  }

  /** Whether [start, end) holds a message with a plausible time (else its page is set apart). */
  anyPlausibleInRange(chatId: number, start: number, end: number): boolean {
    return this.stmt.anyPlausibleInRange.get(chatId, start, end) !== undefined;
  }

  countInRange(chatId: number, start: number, end: number): number {
    return this.stmt.countInRange.get(chatId, start, end) as number;
  }

  /** [day index from `start`, count] for the days of [start, end) that have messages. */
  dayCounts(chatId: number, start: number, end: number): [number, number][] {
    return this.stmt.dayCounts.all(start, chatId, start, end) as [number, number][];
  }
}
