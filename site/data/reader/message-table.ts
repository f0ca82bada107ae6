import type { Db } from '../../../collector/store/contract.js';
import { STORED_ANCHORS, type PublicAnchors } from '../public-anchor.js';

/**
 * Where a reader finds messages. The `messages` view rebuilds html for most messages with a chain
 * of SQL replace() calls (collector/store/schema.ts), which costs more per row than the rest of a
 * page's query: when the database has the underlying `message_rows` table, the site reads that
 * (`direct`) and expands html in JavaScript (packed-message.ts).
 */
export interface MessageTable {
  readonly db: Db;
  /** `message_rows` when the database has it, else the `messages` view. */
  readonly table: string;
  /** Whether `table` is `message_rows`, whose html may be NULL (then expanded from text or body). */
  readonly direct: boolean;
  /** How the anchors and keys read here are published: every reader hands out published ones. */
  readonly anchors: PublicAnchors;
}

export function messageTableOf(db: Db, anchors: PublicAnchors = STORED_ANCHORS): MessageTable {
  const direct = db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'message_rows'`).pluck().get() === 1;
  return { db, table: direct ? 'message_rows' : 'messages', direct, anchors };
}
