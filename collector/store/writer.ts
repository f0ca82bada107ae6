import { anchorFor, ANCHOR_MIN, identityBase, keyFromBase } from '../identity/key.js';
import { slugFor } from '../identity/slug.js';
import { renderBody } from '../markup/index.js';
import type { ChatRecord, MessageRecord, PersonRecord } from '../sources/types.js';
import { MessageFlags } from '../sources/types.js';
import { fnv1a } from './fingerprint.js';
import type { Db } from './open.js';
import { monthOf, PAGE_SPLIT_THRESHOLD } from './periods.js';

export interface ImportCounts {
  chats: number;
  newMessages: number;
  updatedMessages: number;
  unchangedMessages: number;
  media: number;
}

interface ChatState {
  id: number;
  nativeId: string;
  /** key → rev of every message of this chat already in the database (or written this run). */
  known: Map<string, number>;
  /** occurrence-0 key → how many times that identity was seen in this run. */
  seen: Map<string, number>;
  /** month → new messages this run, to decide page splits at the end. */
  newByMonth: Map<string, number>;
}

const EARLIEST_PLAUSIBLE = Date.UTC(1980, 0, 1);
const LATEST_PLAUSIBLE = Date.UTC(2100, 0, 1);

/**
 * Writes normalized records into the store. One ChatWriter per import run; the caller owns the
 * transaction (collector/import.ts wraps the whole run in one, so an import lands whole or not at
 * all). Keeps the current chat's known keys in memory, as the original design did, so that
 * re-importing costs a Map lookup per message instead of a query.
 */
export class StoreWriter {
  readonly counts: ImportCounts = { chats: 0, newMessages: 0, updatedMessages: 0, unchangedMessages: 0, media: 0 };
  private chat: ChatState | null = null;
  private readonly touchedMonths = new Map<number, Map<string, number>>();
  private readonly people = new Map<string, number>();
  private readonly seenChats = new Set<number>();
  private readonly stmt;

  constructor(private readonly db: Db) {
    this.stmt = {
      chatByNative: db.prepare(
        `SELECT id FROM chats WHERE native_id = ? UNION ALL SELECT chat_id FROM chat_aliases WHERE native_id = ? LIMIT 1`,
      ),
      slugTaken: db.prepare(`SELECT 1 FROM chats WHERE slug = ?`),
      insertChat: db.prepare(`INSERT INTO chats (native_id, slug, format, title, kind) VALUES (?, ?, ?, ?, ?)`),
      updateChat: db.prepare(
        `UPDATE chats SET title = coalesce(?, title), kind = coalesce(?, kind) WHERE id = ?`,
      ),
      personByNative: db.prepare(`SELECT id, display_name FROM people WHERE native_id = ?`),
      insertPerson: db.prepare(`INSERT INTO people (native_id, display_name) VALUES (?, ?)`),
      namePerson: db.prepare(`UPDATE people SET display_name = ? WHERE id = ? AND display_name IS NOT ?`),
      addMember: db.prepare(`INSERT OR IGNORE INTO chat_members (chat_id, person_id) VALUES (?, ?)`),
      knownKeys: db.prepare(`SELECT key, rev FROM messages WHERE chat_id = ?`).raw(),
      insertMessage: db.prepare(
        `INSERT INTO messages (chat_id, key, anchor, native_id, author_id, author_name, time, kind, markup,
           body, html, text, edited_at, deleted, reply_to_key, attachments, flags, rev)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      oldText: db.prepare(`SELECT id, text FROM messages WHERE key = ?`),
      updateMessage: db.prepare(
        `UPDATE messages SET author_name = ?, kind = ?, markup = ?, body = ?, html = ?, text = ?,
           edited_at = ?, deleted = ?, reply_to_key = ?, attachments = ?, flags = ?, rev = ? WHERE id = ?`,
      ),
      ftsInsert: db.prepare(`INSERT INTO messages_fts (rowid, text) VALUES (?, ?)`),
      ftsDelete: db.prepare(`INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', ?, ?)`),
      insertMedia: db.prepare(
        `INSERT OR IGNORE INTO media (hash, name, type, size, data) VALUES (?, ?, ?, ?, ?)`,
      ),
      periodExists: db.prepare(`SELECT 1 FROM periods WHERE chat_id = ? AND month = ?`),
      monthCount: db.prepare(`SELECT count(*) FROM messages WHERE chat_id = ? AND time >= ? AND time < ?`).pluck(),
      insertPeriod: db.prepare(`INSERT INTO periods (chat_id, month, by_day) VALUES (?, ?, ?)`),
    };
  }

  /** Starts (or returns to) a chat: following messages belong to it. Returns its database id. */
  beginChat(record: ChatRecord, format: string): number {
    const id = this.upsertChat(record, format);
    if (!this.seenChats.has(id)) {
      this.seenChats.add(id);
      this.counts.chats++;
    }
    for (const member of record.members ?? []) this.stmt.addMember.run(id, this.person(member));
    if (this.chat?.id !== id) {
      const known = new Map<string, number>();
      for (const [key, rev] of this.stmt.knownKeys.iterate(id) as IterableIterator<[string, number]>) {
        known.set(key, rev);
      }
      this.chat = { id, nativeId: record.nativeId, known, seen: new Map(), newByMonth: this.monthsOf(id) };
    }
    return id;
  }

  message(record: MessageRecord): 'new' | 'updated' | 'unchanged' {
    const chat = this.chat;
    if (!chat) throw new Error('StoreWriter.message() before beginChat()');
    const base = identityBase({
      chat: chat.nativeId,
      author: record.authorId,
      time: record.time,
      identity: record.nativeId ?? record.body,
    });
    const key0 = keyFromBase(base, 0);
    const occurrence = chat.seen.get(key0) ?? 0;
    chat.seen.set(key0, occurrence + 1);
    const key = occurrence === 0 ? key0 : keyFromBase(base, occurrence);

    const attachments = record.attachments?.length ? JSON.stringify(record.attachments) : null;
    const deleted = record.deleted ? 1 : 0;
    const rev = fnv1a(
      `${record.kind}\u0000${record.body}\u0000${record.editedAt ?? ''}\u0000${deleted}\u0000${record.replyToKey ?? ''}\u0000${attachments ?? ''}\u0000${record.authorName ?? ''}`,
    );
    const knownRev = chat.known.get(key);
    if (knownRev === rev) {
      this.counts.unchangedMessages++;
      return 'unchanged';
    }
    let flags = record.flags ?? 0;
    if (!(record.time >= EARLIEST_PLAUSIBLE && record.time < LATEST_PLAUSIBLE)) flags |= MessageFlags.implausibleTime;
    const rendered = renderBody(record.markup, record.body, { chat: chat.nativeId, kind: record.kind, deleted: !!deleted });
    const authorId = this.person({ nativeId: record.authorId, displayName: record.authorName });
    chat.known.set(key, rev);

    if (knownRev !== undefined) {
      const old = this.stmt.oldText.get(key) as { id: number; text: string };
      this.stmt.updateMessage.run(
        record.authorName ?? null, record.kind, record.markup, record.body, rendered.html, rendered.text,
        record.editedAt ?? null, deleted, record.replyToKey ?? null, attachments, flags, rev, old.id,
      );
      if (old.text !== rendered.text) {
        this.stmt.ftsDelete.run(old.id, old.text);
        this.stmt.ftsInsert.run(old.id, rendered.text);
      }
      this.counts.updatedMessages++;
      return 'updated';
    }

    const rowid = this.insertWithUniqueAnchor(chat.id, key, [
      record.nativeId ?? null, authorId, record.authorName ?? null, record.time, record.kind, record.markup,
      record.body, rendered.html, rendered.text, record.editedAt ?? null, deleted, record.replyToKey ?? null,
      attachments, flags, rev,
    ]);
    this.stmt.ftsInsert.run(rowid, rendered.text);
    const month = monthOf(record.time);
    chat.newByMonth.set(month, (chat.newByMonth.get(month) ?? 0) + 1);
    this.counts.newMessages++;
    return 'new';
  }

  media(hash: string, name: string, type: string | undefined, bytes: Buffer): void {
    const info = this.stmt.insertMedia.run(hash, name, type ?? null, bytes.length, bytes);
    if (info.changes) this.counts.media++;
  }

  /** Decides the page layout of every month that got its first messages in this run. */
  finish(): ImportCounts {
    for (const [chatId, months] of this.touchedMonths) {
      for (const [month] of months) {
        if (this.stmt.periodExists.get(chatId, month)) continue;
        const [start, end] = monthRange(month);
        const count = this.stmt.monthCount.get(chatId, start, end) as number;
        this.stmt.insertPeriod.run(chatId, month, count > PAGE_SPLIT_THRESHOLD ? 1 : 0);
      }
    }
    return this.counts;
  }

  private monthsOf(chatId: number): Map<string, number> {
    let months = this.touchedMonths.get(chatId);
    if (!months) {
      months = new Map();
      this.touchedMonths.set(chatId, months);
    }
    return months;
  }

  private insertWithUniqueAnchor(chatId: number, key: string, rest: unknown[]): number {
    for (let length = ANCHOR_MIN; ; length += 2) {
      try {
        return Number(this.stmt.insertMessage.run(chatId, key, anchorFor(key, length), ...rest).lastInsertRowid);
      } catch (err) {
        const message = (err as Error).message;
        // Two keys sharing a prefix within one chat: this message gets a longer anchor. Published
        // anchors never change because only the newcomer's is lengthened.
        if (!message.includes('messages.chat_id, messages.anchor') || length >= key.length) throw err;
      }
    }
  }

  private upsertChat(record: ChatRecord, format: string): number {
    const row = this.stmt.chatByNative.get(record.nativeId, record.nativeId) as { id: number } | undefined;
    if (row) {
      this.stmt.updateChat.run(record.title ?? null, record.kind ?? null, row.id);
      return row.id;
    }
    let slug = slugFor(record.nativeId);
    for (let chars = 9; this.stmt.slugTaken.get(slug); chars += 2) slug = slugFor(record.nativeId, chars);
    return Number(
      this.stmt.insertChat.run(record.nativeId, slug, format, record.title ?? null, record.kind ?? 'group').lastInsertRowid,
    );
  }

  private person(record: PersonRecord): number {
    const cached = this.people.get(record.nativeId);
    if (cached !== undefined && !record.displayName) return cached;
    const row = this.stmt.personByNative.get(record.nativeId) as { id: number; display_name: string | null } | undefined;
    let id: number;
    if (row) {
      id = row.id;
      if (record.displayName && record.displayName !== row.display_name) this.stmt.namePerson.run(record.displayName, id, record.displayName);
    } else {
      id = Number(this.stmt.insertPerson.run(record.nativeId, record.displayName ?? null).lastInsertRowid);
    }
    this.people.set(record.nativeId, id);
    return id;
  }
}

function monthRange(month: string): [number, number] {
  const [y, m] = month.split('-').map(Number);
  return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
}
