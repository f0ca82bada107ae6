import type { Db } from './open.js';

/** How far apart two sources' clocks may put the same message (the original author saw seconds). */
export const DEFAULT_MERGE_TOLERANCE_MS = 120_000;

/**
 * Finds the stored message that an incoming one duplicates when a second source (another
 * account's main.db, a later export) saw it with a different key: same chat, same author, same
 * text, time within the tolerance. Candidates are messages stored by another source (before or
 * during this run), and each absorbs at most one incoming message per run, so genuinely identical
 * messages within one source (and one more of them in a later copy of it) stay apart.
 */
export class NearDuplicateFinder {
  private readonly candidates;
  private readonly claimed = new Set<number>();
  /** Keys that incoming messages of this run matched exactly: those rows are taken already. */
  private readonly matchedKeys = new Set<string>();

  constructor(
    db: Db,
    private readonly toleranceMs: number,
  ) {
    this.candidates = db.prepare(
      `SELECT id, key, time FROM messages
       WHERE chat_id = ? AND time BETWEEN ? AND ? AND author_id = ? AND text = ?
         AND source_id IS NOT ?
       ORDER BY abs(time - ?), id`,
    );
  }

  /**
   * An incoming message matched a stored one by its key: that row is not free to absorb another
   * (a longer re-export under another name, with one more identical "ok", adds that one).
   */
  matchedByKey(key: string): void {
    if (this.toleranceMs > 0) this.matchedKeys.add(key);
  }

  find(chatId: number, sourceId: number | null, authorId: number, time: number, text: string): number | null {
    if (this.toleranceMs <= 0) return null;
    const rows = this.candidates.all(
      chatId, time - this.toleranceMs, time + this.toleranceMs, authorId, text, sourceId, time,
    ) as { id: number; key: string }[];
    for (const row of rows) {
      if (this.claimed.has(row.id) || this.matchedKeys.has(row.key)) continue;
      this.claimed.add(row.id);
      return row.id;
    }
    return null;
  }
}
