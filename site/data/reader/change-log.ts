import type { Db } from '../../../collector/store/contract.js';
import { hasTable } from '../snapshot.js';

/**
 * The change log (collector/store/writer.ts): the last sequence number in this snapshot, and
 * the UTC days of each chat changed after `since` (or WHOLE_CHAT, which no day places: its
 * title, kind or members changed, and every reader redoes the whole chat).
 */
export function changesSince(db: Db, since: number): { upTo: number; days: Map<number, Set<string>> } {
  const days = new Map<number, Set<string>>();
  if (!hasTable(db, 'changes')) return { upTo: 0, days };
  let upTo = since;
  const rows = db.prepare(`SELECT seq, chat_id, day FROM changes WHERE seq > ? ORDER BY seq`).raw().iterate(since);
  for (const [seq, chatId, day] of rows as IterableIterator<[number, number, string]>) {
    upTo = seq;
    let set = days.get(chatId);
    if (!set) days.set(chatId, (set = new Set()));
    set.add(day);
  }
  return { upTo: Math.max(upTo, lastChange(db)), days };
}

/** The last change-log sequence number in this snapshot (0: none). */
export function lastChange(db: Db): number {
  if (!hasTable(db, 'changes')) return 0;
  return db.prepare(`SELECT coalesce(max(seq), 0) FROM changes`).pluck().get() as number;
}
