import { anchorFor, ANCHOR_MIN, keyFromBase } from '../identity/key.js';
import { slugFor } from '../identity/slug.js';
import type { ChatRecord, MessageRecord, PersonRecord } from '../model.js';
import { MessageFlags } from '../model.js';
import { ftsIndexedUpTo } from './fts-rows.js';
import { DEFAULT_MERGE_TOLERANCE_MS, TwinResolver } from './merge.js';
import type { Db } from './open.js';
import { MESSAGE_INDEXES } from './schema.js';
import { KnownKeys } from './known-keys.js';
import { dayOf, monthRange, PAGE_SPLIT_THRESHOLD, WHOLE_CHAT } from './periods.js';
import { isPlausibleTime } from './plausible.js';
import { keepStored, keptOfColumns, type KeptColumns } from './keep.js';
import { prepareIdentity, revisionOf, type PreparedBody, type PreparedIdentity } from './prepare.js';
import { CHANGED_STATE_SQL, changedState, SameTimeRepeats } from './repeats.js';

export interface ImportCounts {
  chats: number;
  newMessages: number;
  updatedMessages: number;
  unchangedMessages: number;
  /** Messages another source had already stored under another key (see store/merge.ts). */
  mergedMessages: number;
  media: number;
}

export interface WriterOptions {
  /**
   * Renders a message's body for storage (collector/import/render-body.ts): the store knows no
   * converter. A body rendered ahead (PreparedIdentity.body) must come from this same function.
   */
  render: (chat: string, record: MessageRecord) => PreparedBody;
  /** The CLI full-text index's terms of a text (collector/search/fts.ts), to keep edited rows in sync. */
  ftsTerms: (text: string) => string;
  /** Cross-source duplicate window; 0 turns merging off. Default DEFAULT_MERGE_TOLERANCE_MS. */
  mergeToleranceMs?: number;
}

/** A message as the importer hands it over: identity maybe computed ahead by a reading thread. */
export type IncomingMessage = MessageRecord & { prepared?: PreparedIdentity };

interface ChatState {
  id: number;
  nativeId: string;
  /** key → rev of the chat's stored messages (and those written this run), and its anchors. */
  known: KnownKeys;
  /** Whether another source stored messages in this chat (else no cross-source twin can exist). */
  mayHaveTwins: boolean;
  /** occurrence-0 key → how many times that identity (a native id) was seen since beginChat. */
  seen: Map<string, number>;
  /**
   * The same for id-less messages, kept while the source lasts (StoreWriter.idlessSeen): two
   * identical lines with another chat's between them are two, not one.
   */
  seenIdless: Map<string, number>;
  /** month → new messages this run, to decide page layouts at the end. */
  newByMonth: Map<string, number>;
  /** UTC days (YYYY-MM-DD) with new or changed messages this run: the changes log. */
  changedDays: Set<string>;
}

/**
 * Writes normalized records into the store. The caller owns the transaction (collector/import/index.ts
 * wraps a whole run in one, so an import lands whole or not at all). The current chat's keys and
 * anchors come from known-keys.ts: in memory, as the original design did, once a chat has many
 * messages looked up (re-importing costs a Map lookup per message), by indexed query before (a
 * watch import of one new message does not load a large chat's every key).
 *
 * Into an empty database (a first, usually large, import) the message indexes are dropped and
 * rebuilt at the end: maintaining them row by row is most of an insert's cost (measured: 8 µs a
 * row with both, 5 µs with none), and building them once by sorting is several times cheaper.
 * Uniqueness is enforced by the in-memory anchor set meanwhile, and by the index again when it is
 * rebuilt. Should the import return to a chat it left (which needs the chat index to reload the
 * chat's keys), the indexes are rebuilt at that moment and kept from then on.
 */
export class StoreWriter {
  readonly counts: ImportCounts = {
    chats: 0, newMessages: 0, updatedMessages: 0, unchangedMessages: 0, mergedMessages: 0, media: 0,
  };
  private readonly twins: TwinResolver;
  private chat: ChatState | null = null;
  private readonly touchedMonths = new Map<number, Map<string, number>>();
  private readonly changedDays = new Map<number, Set<string>>();
  /** Chats this run created: their whole history is new, so never logged as WHOLE_CHAT. */
  private readonly createdChats = new Set<number>();
  /**
   * Title and kind of the chats this run retitled, as they were before: compared in finish(),
   * since one run may retitle a chat and back (two Skype accounts' main.db files each name an
   * untitled group by the members other than their own account).
   */
  private readonly titledBefore = new Map<number, { title: string | null; kind: string }>();
  /** chat id → roots of the threads that got new or changed replies this run (their pages list them). */
  private readonly threadRoots = new Map<number, Set<string>>();
  private readonly hadMessagesBefore = new Map<number, boolean>();
  /** chat id → the sources that stored messages in it during this run. */
  private readonly chatSources = new Map<number, Set<number | null>>();
  private readonly people = new Map<string, { id: number; name: string | null }>();
  private readonly seenChats = new Set<number>();
  /**
   * chat id → occurrence counts of id-less messages from the current source, kept when it leaves
   * a chat and returns (an id-less identity is its content: a repeat is another message). Messages
   * with a native id count per visit: the same id met again on a return is the same message.
   */
  private readonly idlessSeen = new Map<number, Map<string, number>>();
  /** Positional messages of the current source that took another place's key (store/repeats.ts). */
  private readonly repeats = new SameTimeRepeats();
  private sourceId: number | null = null;
  private readonly ftsUpTo: number;
  private bulk: boolean;
  /**
   * The database held no message when this writer began: every message of the run is likely new,
   * so rendering each body ahead of the writer wastes nothing (collector/import/threaded.ts).
   */
  readonly fresh: boolean;
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly options: WriterOptions,
  ) {
    this.ftsUpTo = ftsIndexedUpTo(db);
    this.twins = new TwinResolver(db, options.mergeToleranceMs ?? DEFAULT_MERGE_TOLERANCE_MS);
    this.bulk = db.prepare(`SELECT 1 FROM message_rows LIMIT 1`).get() === undefined;
    this.fresh = this.bulk;
    if (this.bulk) db.exec(`DROP INDEX IF EXISTS messages_chat_anchor; DROP INDEX IF EXISTS messages_chat_time`);
    this.stmt = {
      chatByNative: db.prepare(
        `SELECT id, title, kind FROM chats WHERE native_id = ? UNION ALL
         SELECT c.id, c.title, c.kind FROM chat_aliases a JOIN chats c ON c.id = a.chat_id WHERE a.native_id = ? LIMIT 1`,
      ),
      slugTaken: db.prepare(`SELECT 1 FROM chats WHERE slug = ?`),
      insertChat: db.prepare(`INSERT INTO chats (native_id, slug, format, title, kind) VALUES (?, ?, ?, ?, ?)`),
      updateChat: db.prepare(`UPDATE chats SET title = coalesce(?, title), kind = coalesce(?, kind) WHERE id = ?`),
      personByNative: db.prepare(`SELECT id, display_name FROM people WHERE native_id = ?`),
      insertPerson: db.prepare(`INSERT INTO people (native_id, display_name) VALUES (?, ?)`),
      namePerson: db.prepare(`UPDATE people SET display_name = ? WHERE id = ?`),
      addMember: db.prepare(`INSERT OR IGNORE INTO chat_members (chat_id, person_id) VALUES (?, ?)`),
      markOwner: db.prepare(`UPDATE people SET owner = 1 WHERE id = ? AND owner = 0`),
      chatsOfMember: db.prepare(`SELECT chat_id FROM chat_members WHERE person_id = ?`),
      chatTitle: db.prepare(`SELECT title, kind FROM chats WHERE id = ?`),
      known: KnownKeys.statements(db),
      aliasOf: db.prepare(`SELECT message_id FROM message_aliases WHERE key = ?`).pluck(),
      updateAlias: db.prepare(`UPDATE message_aliases SET rev = ? WHERE key = ?`),
      textById: db.prepare(`SELECT coalesce(text, body) FROM message_rows WHERE id = ?`).pluck(),
      timeById: db.prepare(`SELECT time FROM message_rows WHERE id = ?`).pluck(),
      keptById: db.prepare(`SELECT author_name, reply_to_key, attachments, flags FROM message_rows WHERE id = ?`),
      changedById: db
        .prepare(`SELECT ${CHANGED_STATE_SQL} FROM message_rows WHERE id = ?`)
        .pluck(),
      timeByKey: db
        .prepare(`SELECT time FROM message_rows WHERE chat_id = ? AND anchor >= ? AND anchor < ? AND key = ?`)
        .pluck(),
      // A merged message's key, with the fingerprint its provisional row has now.
      aliasFromRow: db.prepare(`INSERT INTO message_aliases (key, message_id, rev) SELECT key, ?, rev FROM message_rows WHERE id = ?`),
      // An id-less message's later state replaces the content; the row keeps its key, rev and anchor.
      takeContent: db.prepare(
        `UPDATE message_rows SET (author_name, kind, markup, body, html, text, edited_at, deleted, reply_to_key, attachments, flags) =
           (SELECT author_name, kind, markup, body, html, text, edited_at, deleted, reply_to_key, attachments, flags
            FROM message_rows WHERE id = ?) WHERE id = ?`,
      ),
      keepColumns: db.prepare(`UPDATE message_rows SET author_name = ?, reply_to_key = ?, attachments = ?, flags = ? WHERE id = ?`),
      deleteRow: db.prepare(`DELETE FROM message_rows WHERE id = ?`),
      insertMessage: db.prepare(
        `INSERT INTO message_rows (chat_id, key, anchor, native_id, author_id, author_name, time, kind, markup,
           body, html, text, edited_at, deleted, reply_to_key, attachments, flags, source_id, rev)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // A key is found through its anchor, which starts with the key's first ANCHOR_MIN digits.
      byKey: db.prepare(
        `SELECT id, coalesce(text, body) AS text FROM message_rows
         WHERE chat_id = ? AND anchor >= ? AND anchor < ? AND key = ?`,
      ),
      updateMessage: db.prepare(
        `UPDATE message_rows SET author_name = ?, kind = ?, markup = ?, body = ?, html = ?, text = ?,
           edited_at = ?, deleted = ?, reply_to_key = ?, attachments = ?, flags = ?, rev = ? WHERE id = ?`,
      ),
      ftsInsert: db.prepare(`INSERT INTO messages_fts (rowid, terms) VALUES (?, ?)`),
      ftsDelete: db.prepare(`DELETE FROM messages_fts WHERE rowid = ?`),
      insertMedia: db.prepare(`INSERT OR IGNORE INTO media (hash, name, type, size, data) VALUES (?, ?, ?, ?, ?)`),
      periodExists: db.prepare(`SELECT 1 FROM periods WHERE chat_id = ? AND month = ?`),
      monthCount: db.prepare(`SELECT count(*) FROM message_rows WHERE chat_id = ? AND time >= ? AND time < ?`).pluck(),
      insertPeriod: db.prepare(`INSERT INTO periods (chat_id, month, by_day) VALUES (?, ?, ?)`),
      logChange: db.prepare(`INSERT INTO changes (chat_id, day) VALUES (?, ?)`),
    };
  }

  /** Names the source (sources.id) the following records come from. */
  beginSource(sourceId: number): void {
    this.sourceId = sourceId;
    this.chat = null; // a chat continued from another source must re-check for twins
    this.idlessSeen.clear(); // another source's repeats of the same lines are the same messages
    this.repeats.reset();
  }

  /**
   * The current source continues after what an earlier run read (an appended log). Its adapter
   * reads again the lines within twice the merge tolerance of where it stopped, so occurrence
   * numbers count on from them (two "ok" lines in one minute stay two) and the rows they are,
   * its own or another source's, are known as its own to the twin resolver, as in a whole read;
   * numbering on past every stored key instead would take another logger's identical lines for
   * its own. What the source wrote earlier is never a twin of what it adds (store/merge.ts).
   */
  resumeSource(): void {
    this.twins.resume(this.sourceId);
  }

  /** Starts (or returns to) a chat: following messages belong to it. Returns its database id. */
  beginChat(record: ChatRecord, format: string): number {
    const id = this.upsertChat(record, format);
    if (record.idScope) this.twins.nameScope(this.sourceId, record.idScope);
    if (!this.seenChats.has(id)) {
      this.seenChats.add(id);
      this.counts.chats++;
    }
    let joined = false;
    for (const member of record.members ?? []) joined = this.stmt.addMember.run(id, this.person(member)).changes > 0 || joined;
    if (joined) this.wholeChatChanged(id);
    if (record.owner) {
      const owner = this.person({ nativeId: record.owner }, false);
      // An untitled chat is titled by its members other than the owner: each of the owner's chats shows a new title.
      if (this.stmt.markOwner.run(owner).changes > 0) {
        for (const chatId of this.stmt.chatsOfMember.pluck().all(owner) as number[]) this.wholeChatChanged(chatId);
      }
    }
    if (this.chat?.id !== id) {
      const returning = this.touchedMonths.has(id);
      if (this.bulk && returning) this.endBulk();
      // In bulk mode a chat met for the first time has no rows yet (and no index to look them up).
      const known = this.bulk ? KnownKeys.empty(id, this.stmt.known) : KnownKeys.stored(id, this.stmt.known);
      if (!returning) this.hadMessagesBefore.set(id, known.hasStoredRows());
      const writers = this.chatSources.get(id);
      const mayHaveTwins =
        this.hadMessagesBefore.get(id)! || (writers !== undefined && [...writers].some((s) => s !== this.sourceId));
      let newByMonth = this.touchedMonths.get(id);
      if (!newByMonth) this.touchedMonths.set(id, (newByMonth = new Map()));
      let changedDays = this.changedDays.get(id);
      if (!changedDays) this.changedDays.set(id, (changedDays = new Set()));
      let seenIdless = this.idlessSeen.get(id);
      if (!seenIdless) this.idlessSeen.set(id, (seenIdless = new Map()));
      this.chat = { id, nativeId: record.nativeId, known, mayHaveTwins, seen: new Map(), seenIdless, newByMonth, changedDays };
    }
    return id;
  }

  /**
   * Stores one message. 'deferred': its key is new in a chat that may hold it under another key
   * (store/merge.ts); whether it is new or merged is decided in finish(), once every exact match
   * of the run is known.
   */
  message(record: IncomingMessage): 'new' | 'updated' | 'unchanged' | 'deferred' {
    const chat = this.chat;
    if (!chat) throw new Error('StoreWriter.message() before beginChat()');
    const positional = record.positional === true && record.nativeId != null;
    if (positional && record.replyToKey) {
      // Its root may have taken another place's key (store/repeats.ts).
      const root = this.repeats.rootKey(chat.id, record.replyToKey);
      if (root !== record.replyToKey) record = { ...record, replyToKey: root, prepared: undefined };
    }
    // Computed ahead by a reading thread (collector/import/threaded.ts), or here.
    const ahead = record.prepared?.chat === chat.nativeId ? record.prepared : undefined;
    const prepared = ahead ?? prepareIdentity(chat.nativeId, record);
    const { base, key0, day } = prepared;
    let { rev, attachments } = prepared;
    const seen = record.nativeId == null ? chat.seenIdless : chat.seen;
    const occurrence = seen.get(key0) ?? 0;
    seen.set(key0, occurrence + 1);
    let key = occurrence === 0 ? key0 : keyFromBase(base, occurrence);

    // Rendered ahead too when the reading thread expected new messages; reset below whenever the
    // record changes what its converter draws.
    let rendered: PreparedBody | undefined = ahead?.body;
    const render = () => (rendered ??= this.options.render(chat.nativeId, record));
    let knownRev = chat.known.rev(key);
    if (positional) {
      const chosen = this.repeats.choose(chat.id, chat.nativeId, record, key, knownRev === rev, () => ({
        text: render().fullText,
        changed: changedState(record),
      }), {
        known: (k) => chat.known.has(k),
        state: (k) => this.repeatState(chat.id, k),
      });
      if (chosen.key !== key) {
        key = chosen.key;
        record = { ...record, nativeId: chosen.nativeId };
        knownRev = chat.known.rev(key);
      }
    }

    const deleted = record.deleted ? 1 : 0;
    if (knownRev !== undefined && chat.mayHaveTwins) this.twins.matchedByKey(key, this.sourceId, chat.known.aliasRow(key));
    // A stored message met again keeps what this export lacks of it (store/keep.ts).
    const old = knownRev !== undefined && knownRev !== rev ? this.storedRow(chat.id, key) : undefined;
    const incoming = record;
    if (old) {
      record = keepStored(record, this.stmt.keptById.get(old.id) as KeptColumns);
      if (record !== incoming) {
        ({ rev, attachments } = revisionOf(record));
        // What a converter draws depends on the files and reply link too (import/render-body.ts).
        rendered = undefined;
      }
    }
    if (knownRev === rev) {
      this.counts.unchangedMessages++;
      return 'unchanged';
    }
    let flags = record.flags ?? 0;
    if (!isPlausibleTime(record.time)) flags |= MessageFlags.implausibleTime;
    const stored = render();
    const authorId = this.person({ nativeId: record.authorId, displayName: incoming.authorName });
    for (const [id, name] of stored.people) this.person({ nativeId: id, displayName: name }, false);
    chat.known.set(key, rev);
    if (flags & MessageFlags.threadReply && record.replyToKey) this.threadReply(chat.id, record.replyToKey);

    if (old) {
      chat.changedDays.add(day);
      if (old.alias) this.stmt.updateAlias.run(rev, key);
      this.stmt.updateMessage.run(
        record.authorName ?? null, record.kind, record.markup, record.body, stored.html, stored.text,
        record.editedAt ?? null, deleted, record.replyToKey ?? null, attachments, flags, rev, old.id,
      );
      if (old.id <= this.ftsUpTo && old.text !== stored.fullText) {
        this.stmt.ftsDelete.run(old.id);
        this.stmt.ftsInsert.run(old.id, this.options.ftsTerms(stored.fullText));
      }
      this.counts.updatedMessages++;
      return 'updated';
    }

    const inserted = this.stmt.insertMessage.run(
      chat.id, key, this.freeAnchor(chat, key), record.nativeId ?? null, authorId, record.authorName ?? null,
      record.time, record.kind, record.markup, record.body, stored.html, stored.text, record.editedAt ?? null,
      deleted, record.replyToKey ?? null, attachments, flags, this.sourceId, rev,
    );
    let writers = this.chatSources.get(chat.id);
    if (!writers) this.chatSources.set(chat.id, (writers = new Set()));
    writers.add(this.sourceId);
    if (chat.mayHaveTwins && this.twins.enabled) {
      this.twins.defer({
        rowId: Number(inserted.lastInsertRowid), chatId: chat.id, key, rev, sourceId: this.sourceId, authorId,
        time: record.time, text: stored.fullText, nativeId: record.nativeId ?? null, attachments,
        edited: (flags & MessageFlags.edited) !== 0, deleted: !!deleted, day,
      });
      return 'deferred';
    }
    this.countNew(chat.id, day);
    return 'new';
  }

  /**
   * A reply changes its thread root's page too (the root lists its replies). A root stored in an
   * earlier run is looked up in finish(); one stored in this run logs its own day.
   */
  private threadReply(chatId: number, rootKey: string): void {
    if (!this.hadMessagesBefore.get(chatId)) return;
    let roots = this.threadRoots.get(chatId);
    if (!roots) this.threadRoots.set(chatId, (roots = new Set()));
    roots.add(rootKey);
  }

  /** The day of a stored message named by one of its keys, if it is stored. */
  private storedDay(chatId: number, key: string): string | null {
    const aliasOf = this.stmt.aliasOf.get(key) as number | undefined;
    const prefix = anchorFor(key, ANCHOR_MIN);
    const time = (aliasOf !== undefined ? this.stmt.timeById.get(aliasOf) : this.stmt.timeByKey.get(chatId, prefix, `${prefix}\uffff`, key)) as
      | number
      | undefined;
    return time === undefined ? null : dayOf(time);
  }

  private countNew(chatId: number, day: string): void {
    const month = day.slice(0, -3); // YYYY-MM (years past 9999 have five digits)
    const newByMonth = this.touchedMonths.get(chatId)!;
    newByMonth.set(month, (newByMonth.get(month) ?? 0) + 1);
    this.changedDays.get(chatId)!.add(day);
    this.counts.newMessages++;
  }

  /**
   * Decides the deferred messages (store/merge.ts): a row of their own, or one more key of a
   * stored row (whose content an id-less message's later state replaces). Their provisional rows
   * were never published: merged ones are removed, anchors and all.
   */
  private resolveTwins(): void {
    for (const { pending: p, into, takeContent } of this.twins.resolve()) {
      if (into === null) {
        this.countNew(p.chatId, p.day);
        continue;
      }
      if (takeContent) {
        const oldText = this.stmt.textById.get(into) as string;
        const before = this.stmt.keptById.get(into) as KeptColumns;
        this.stmt.takeContent.run(p.rowId, into);
        this.keepStoredColumns(into, p.deleted, before);
        if (into <= this.ftsUpTo && oldText !== p.text) {
          this.stmt.ftsDelete.run(into);
          this.stmt.ftsInsert.run(into, this.options.ftsTerms(p.text));
        }
        this.changedDays.get(p.chatId)!.add(dayOf(this.stmt.timeById.get(into) as number));
        this.counts.updatedMessages++;
      } else {
        this.counts.mergedMessages++;
      }
      this.stmt.aliasFromRow.run(into, p.rowId);
      this.stmt.deleteRow.run(p.rowId);
    }
  }

  /** A row that took another's content keeps what that content lacked of its own (store/keep.ts). */
  private keepStoredColumns(id: number, deleted: boolean, before: KeptColumns): void {
    const now = keptOfColumns(this.stmt.keptById.get(id) as KeptColumns, deleted);
    const kept = keepStored(now, before);
    if (kept === now) return;
    const attachments = kept.attachments?.length ? JSON.stringify(kept.attachments) : null;
    this.stmt.keepColumns.run(kept.authorName ?? null, kept.replyToKey ?? null, attachments, kept.flags ?? 0, id);
  }

  /** What store/repeats.ts compares of the row a known key names. */
  private repeatState(chatId: number, key: string): { text: string; changed: boolean } {
    const row = this.storedRow(chatId, key);
    const state = this.stmt.changedById.get(row.id) as number;
    return { text: row.text, changed: state !== 0 };
  }

  /** The row a known key names: its own, or the one it is an alias of. */
  private storedRow(chatId: number, key: string): { id: number; text: string; alias: boolean } {
    const aliasOf = this.stmt.aliasOf.get(key) as number | undefined;
    if (aliasOf !== undefined) return { id: aliasOf, text: this.stmt.textById.get(aliasOf) as string, alias: true };
    const prefix = anchorFor(key, ANCHOR_MIN);
    const row = this.stmt.byKey.get(chatId, prefix, `${prefix}\uffff`, key) as { id: number; text: string };
    return { ...row, alias: false };
  }

  media(hash: string, name: string, type: string | undefined, bytes: Buffer): void {
    const info = this.stmt.insertMedia.run(hash, name, type ?? null, bytes.length, bytes);
    if (info.changes) this.counts.media++;
  }

  /** Decides the page layout of every month that got its first messages in this run. */
  finish(): ImportCounts {
    if (this.bulk) this.endBulk();
    this.resolveTwins();
    for (const [chatId, months] of this.touchedMonths) {
      for (const month of months.keys()) {
        if (this.stmt.periodExists.get(chatId, month)) continue;
        const [start, end] = monthRange(month);
        const count = this.stmt.monthCount.get(chatId, start, end) as number;
        this.stmt.insertPeriod.run(chatId, month, count > PAGE_SPLIT_THRESHOLD ? 1 : 0);
      }
    }
    for (const [chatId, roots] of this.threadRoots) {
      for (const root of roots) {
        const day = this.storedDay(chatId, root);
        if (day !== null) this.changedDays.get(chatId)!.add(day);
      }
    }
    for (const [chatId, before] of this.titledBefore) {
      const now = this.stmt.chatTitle.get(chatId) as { title: string | null; kind: string };
      if (now.title !== before.title || now.kind !== before.kind) this.wholeChatChanged(chatId);
    }
    for (const [chatId, days] of this.changedDays) {
      for (const day of days) this.stmt.logChange.run(chatId, day);
    }
    return this.counts;
  }

  /**
   * Logs the whole chat as changed (the day WHOLE_CHAT): its title, kind or members changed, which
   * every one of its pages shows (an untitled chat is titled by its members), not only the days
   * with new messages. Readers of the log redo a chat whose day they cannot place.
   */
  private wholeChatChanged(chatId: number): void {
    if (this.createdChats.has(chatId)) return; // all of it is new anyway
    let days = this.changedDays.get(chatId);
    if (!days) this.changedDays.set(chatId, (days = new Set()));
    days.add(WHOLE_CHAT);
  }

  private endBulk(): void {
    this.db.exec(MESSAGE_INDEXES);
    this.bulk = false;
  }

  /**
   * The shortest anchor (from ANCHOR_MIN digits up) not yet used in the chat. Only a newcomer's
   * anchor is ever lengthened, so published anchors never change.
   */
  private freeAnchor(chat: ChatState, key: string): string {
    for (let length = ANCHOR_MIN; length <= key.length; length += 2) {
      const anchor = anchorFor(key, length);
      if (!chat.known.anchorTaken(anchor)) {
        chat.known.addAnchor(anchor);
        return anchor;
      }
    }
    throw new Error(`message key ${key} collides with another in its chat`);
  }

  private upsertChat(record: ChatRecord, format: string): number {
    const row = this.stmt.chatByNative.get(record.nativeId, record.nativeId) as { id: number; title: string | null; kind: string } | undefined;
    if (row) {
      if ((record.title != null && record.title !== row.title) || (record.kind != null && record.kind !== row.kind)) {
        if (!this.titledBefore.has(row.id)) this.titledBefore.set(row.id, { title: row.title, kind: row.kind });
        this.stmt.updateChat.run(record.title ?? null, record.kind ?? null, row.id);
      }
      return row.id;
    }
    let slug = slugFor(record.nativeId);
    for (let chars = 9; this.stmt.slugTaken.get(slug); chars += 2) slug = slugFor(record.nativeId, chars);
    const id = Number(this.stmt.insertChat.run(record.nativeId, slug, format, record.title ?? null, record.kind ?? 'group').lastInsertRowid);
    this.createdChats.add(id);
    return id;
  }

  /**
   * A person's id, learning a display name when the source gives one. A name a message's markup
   * showed for someone else (`rename` false) is learnt only for a person with no name yet: the
   * person's own records name them best.
   */
  private person(record: PersonRecord, rename = true): number {
    const name = record.displayName || null;
    let cached = this.people.get(record.nativeId);
    if (!cached) {
      const row = this.stmt.personByNative.get(record.nativeId) as { id: number; display_name: string | null } | undefined;
      cached = row
        ? { id: row.id, name: row.display_name }
        : { id: Number(this.stmt.insertPerson.run(record.nativeId, name).lastInsertRowid), name };
      this.people.set(record.nativeId, cached);
    }
    if (name && name !== cached.name && (rename || cached.name === null)) {
      this.stmt.namePerson.run(name, cached.id);
      cached.name = name;
    }
    return cached.id;
  }
}
