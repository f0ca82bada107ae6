import type { Db } from '../../collector/store/contract.js';

/**
 * Option `excludeAuthors`: these people's messages are not published at all. Rather than adding a
 * condition to every query of the site (pages, counts, feeds, replies, search), a reading
 * connection gets TEMP views named like the tables it reads, which SQLite resolves before the
 * main schema's: every query then sees the archive without those messages, and still uses the
 * tables' indexes (the views are flattened). A message without an author stays.
 */
export function excludeAuthorsOn(db: Db, nativeIds: readonly string[]): void {
  if (nativeIds.length === 0) return;
  const list = nativeIds.map((id) => `'${id.replace(/'/g, "''")}'`).join(', ');
  const kept = `author_id IS NULL OR author_id NOT IN (SELECT id FROM main.people WHERE native_id IN (${list}))`;
  db.exec(`CREATE TEMP VIEW IF NOT EXISTS message_rows AS SELECT * FROM main.message_rows WHERE ${kept}`);
  db.exec(`CREATE TEMP VIEW IF NOT EXISTS messages AS SELECT * FROM main.messages WHERE ${kept}`);
  db.exec(`CREATE TEMP VIEW IF NOT EXISTS chat_members AS SELECT * FROM main.chat_members WHERE person_id NOT IN (SELECT id FROM main.people WHERE native_id IN (${list}))`);
}
