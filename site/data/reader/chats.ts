import type { Db } from '../../../collector/store/contract.js';

export interface ChatRow {
  id: number;
  native_id: string;
  slug: string;
  format: string;
  title: string | null;
  kind: string;
}

/** Every chat, by id. */
export function chats(db: Db): ChatRow[] {
  return db.prepare(`SELECT id, native_id, slug, format, title, kind FROM chats ORDER BY id`).all() as ChatRow[];
}

/** Other native ids that name a stored chat (collector/store/schema.ts), for options that name chats. */
export function aliases(db: Db): { native_id: string; chat_id: number }[] {
  return db.prepare(`SELECT native_id, chat_id FROM chat_aliases`).all() as { native_id: string; chat_id: number }[];
}

/** chat id → member person ids. */
export function members(db: Db): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const [chatId, personId] of db.prepare(`SELECT chat_id, person_id FROM chat_members ORDER BY chat_id, person_id`).raw().iterate() as IterableIterator<
    [number, number]
  >) {
    let list = map.get(chatId);
    if (!list) map.set(chatId, (list = []));
    list.push(personId);
  }
  return map;
}

/** `YYYY-MM` → by_day for one chat: whether the collector split that month into day pages. */
export function periods(db: Db, chatId: number): Map<string, boolean> {
  const map = new Map<string, boolean>();
  for (const [month, byDay] of db.prepare(`SELECT month, by_day FROM periods WHERE chat_id = ?`).raw().iterate(chatId) as IterableIterator<[string, number]>) {
    map.set(month, byDay !== 0);
  }
  return map;
}
