import type { Db } from '../../collector/store/open.js';

/**
 * Names a read snapshot cheaply, so that two connections (the pages' and the search index
 * worker's) can tell whether they see the same database. Every collector commit that changes
 * what a build shows logs the days it changed (`changes.seq`), adds messages (their largest id),
 * or adds chats or people; index lookups and two tiny counts, never a scan of the messages.
 */
export type SnapshotMark = [changeSeq: number, lastMessage: number, chats: number, people: number];

export function snapshotMark(db: Db): SnapshotMark {
  const messages = hasTable(db, 'message_rows') ? 'message_rows' : 'messages';
  const changes = hasTable(db, 'changes') ? '(SELECT coalesce(max(seq), 0) FROM changes)' : '0';
  const row = db
    .prepare(`SELECT ${changes}, (SELECT coalesce(max(id), 0) FROM ${messages}), (SELECT count(*) FROM chats), (SELECT count(*) FROM people)`)
    .raw()
    .get() as SnapshotMark;
  return row;
}

export function sameSnapshot(a: SnapshotMark, b: SnapshotMark): boolean {
  return a.every((value, i) => value === b[i]);
}

export function hasTable(db: Db, name: string): boolean {
  return db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(name) === 1;
}
