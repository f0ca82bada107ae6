import type { Statement } from 'better-sqlite3';
import { dayStart, FAR, PLAUSIBLE_SQL, slotOf, viewHtmlOf, type Db } from '../../collector/store/contract.js';
import { hasTable, ReadSnapshot } from './snapshot.js';

/**
 * Read-only access to a chatchannels database for one build. The whole build reads inside one
 * read transaction, so it sees one consistent snapshot even while the collector keeps writing
 * (WAL: readers never block the writer). Statements are prepared once and reused per page; rows
 * come back as arrays (`.raw()`) because a page renders thousands of them.
 */

/** A message as the site renders it. */
export interface Message {
  chatId: number;
  anchor: string;
  authorId: number | null;
  /** The name the source showed with this message. */
  authorName: string | null;
  /** UTC ms. */
  time: number;
  kind: string;
  /** Sanitized HTML (messages.html). */
  html: string;
  editedAt: number | null;
  deleted: boolean;
  replyTo: string | null;
  /** JSON, see collector/sources/types.ts (Attachment). */
  attachments: string | null;
  flags: number;
  /** Only from the feed and latest-message queries: */
  key?: string;
  text?: string;
}

/**
 * What a message query returns per row. Every column better-sqlite3 hands over costs time, and an
 * archive build reads every message once, so the row is packed: the rarely set columns in one
 * JSON array that is NULL for most messages, and the strings in one, separated by U+001F.
 *
 * The `messages` view rebuilds html for most messages with a chain of SQL replace() calls
 * (collector/store/schema.ts), which costs more per row than the rest of the query: when the
 * database has the underlying `message_rows` table, the site reads it and expands html in
 * JavaScript with the collector's own mirror of that expression (collector/store/compact.ts).
 */
const SEP = '\u001f';
type PackedRow = [time: number, authorId: number | null, extras: string | null, authorName: string | null, packed: string, chatId?: number, key?: string, text?: string];

function messageColumns(direct: boolean, full: boolean): string {
  const extras = `CASE WHEN edited_at IS NULL AND deleted = 0 AND reply_to_key IS NULL AND attachments IS NULL AND flags = 0
    THEN NULL ELSE json_array(edited_at, deleted, reply_to_key, attachments, flags) END`;
  const body = direct ? `CASE WHEN html IS NULL THEN 't' || coalesce(text, body) ELSE 'h' || html END` : `'h' || html`;
  // Anchors are hex and kinds are a fixed vocabulary: neither contains the separator.
  const packed = `anchor || char(31) || kind || char(31) || ${body}`;
  return `time, author_id, ${extras}, author_name, ${packed}${full ? `, chat_id, key, ${direct ? 'coalesce(text, body)' : 'text'}` : ''}`;
}

function unpack(row: PackedRow, chatId: number): Message {
  const packed = row[4];
  const a = packed.indexOf(SEP);
  const b = packed.indexOf(SEP, a + 1);
  const body = packed.slice(b + 2);
  const message: Message = {
    chatId: row.length > 5 ? row[5]! : chatId,
    anchor: packed.slice(0, a),
    authorId: row[1],
    authorName: row[3],
    time: row[0],
    kind: packed.slice(a + 1, b),
    html: packed.charCodeAt(b + 1) === 116 /* t */ ? viewHtmlOf(body) : body,
    editedAt: null,
    deleted: false,
    replyTo: null,
    attachments: null,
    flags: 0,
  };
  if (row[2] !== null) {
    const [editedAt, deleted, replyTo, attachments, flags] = JSON.parse(row[2]) as [number | null, number, string | null, string | null, number];
    message.editedAt = editedAt;
    message.deleted = deleted !== 0;
    message.replyTo = replyTo;
    message.attachments = attachments;
    message.flags = flags;
  }
  if (row.length > 5) {
    message.key = row[6];
    message.text = row[7];
  }
  return message;
}

function unpackAll(rows: PackedRow[], chatId = 0): Message[] {
  const out = new Array<Message>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = unpack(rows[i], chatId);
  return out;
}

export interface ChatRow {
  id: number;
  native_id: string;
  slug: string;
  format: string;
  title: string | null;
  kind: string;
}

export interface PersonRow {
  nativeId: string;
  displayName: string | null;
  /** Whose archive this is (people.owner): a direct chat is titled with the other member. */
  owner?: boolean;
}

export interface ReplyTarget {
  key: string;
  chatId: number;
  anchor: string;
  time: number;
  authorId: number | null;
  authorName: string | null;
}

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

export interface MediaRow {
  hash: string;
  name: string;
  type: string | null;
  size: number;
}

/** A message with attachments, as the media gallery reads it (ArchiveReader.mediaMessages). */
export interface MediaMessage {
  anchor: string;
  time: number;
  authorId: number | null;
  authorName: string | null;
  /** JSON, see collector/sources/types.ts (Attachment). */
  attachments: string;
}

/** One author of a chat's messages (a person, or a name the source gave without a person). */
export interface Participant {
  authorId: number | null;
  /** The source's name, for messages without a person. */
  name: string | null;
  count: number;
  /** Of those, system lines (events, calls). */
  system: number;
  first: number | null;
  last: number | null;
}

/** A chat's newest plausible rows, newest first, read with this limit. */
export interface LatestRows {
  limit: number;
  rows: Message[];
}

export class ArchiveReader {
  /** The read snapshot this reader owns (search plans from it too: site/search/register.ts). */
  readonly snapshot: ReadSnapshot;
  readonly db: Db;
  private readonly people = new Map<number, PersonRow | null>();
  private readonly latestCache = new Map<number, LatestRows>();
  private readonly threaded = new Map<number, boolean>();
  private threadStmt: { any: Statement; page: Statement } | undefined;
  private readonly stmt: Record<
    | 'pageMessages' | 'latestMessages' | 'latestPlausible' | 'person' | 'replyByAnchor' | 'replyByAlias' | 'media'
    | 'mediaData' | 'firstAtOrAfter' | 'lastBefore' | 'firstPlausible' | 'lastPlausible'
    | 'countInRange' | 'dayCounts' | 'pageAnchors' | 'anyPlausibleInRange',
    Statement
  >;

  /** The table messages are read from (message_rows when the database has it). */
  private readonly table: string;

  constructor(file: string, excludeAuthors: readonly string[] = []) {
    this.snapshot = new ReadSnapshot(file, { excludeAuthors });
    this.db = this.snapshot.db;
    const direct = this.db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'message_rows'`).pluck().get() === 1;
    const table = direct ? 'message_rows' : 'messages';
    this.table = table;
    const page = messageColumns(direct, false);
    const full = messageColumns(direct, true);
    const db = this.db;
    this.stmt = {
      pageMessages: db.prepare(`SELECT ${page} FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ? ORDER BY time, id`).raw(),
      // The same rows and order as pageMessages, anchors only (anchor maps of pages not rendered).
      pageAnchors: db.prepare(`SELECT anchor FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ? ORDER BY time, id`).pluck(),
      latestMessages: db.prepare(`SELECT ${full} FROM ${table} WHERE chat_id = ? ORDER BY time DESC, id DESC LIMIT ?`).raw(),
      latestPlausible: db
        .prepare(`SELECT ${full} FROM ${table} WHERE chat_id = ? AND ${PLAUSIBLE_SQL} ORDER BY time DESC, id DESC LIMIT ?`)
        .raw(),
      person: db.prepare(`SELECT native_id, display_name, owner FROM people WHERE id = ?`).raw(),
      // Keys have no index of their own: a key is found through its anchor, which is `m` plus the
      // key's first 10 or more hex digits, unique per chat (collector/identity/key.ts).
      replyByAnchor: db
        .prepare(`SELECT chat_id, anchor, time, author_id, author_name FROM ${table} WHERE chat_id = ? AND anchor >= ? AND anchor < ? AND key = ?`)
        .raw(),
      // …or it is another source's key for a stored message (collector/store/merge.ts).
      replyByAlias: hasTable(db, 'message_aliases')
        ? db
            .prepare(
              `SELECT m.chat_id, m.anchor, m.time, m.author_id, m.author_name FROM message_aliases a
               JOIN ${table} m ON m.id = a.message_id WHERE a.key = ?`,
            )
            .raw()
        : db.prepare(`SELECT chat_id, anchor, time, author_id, author_name FROM ${table} WHERE key = ?`).raw(),
      media: db.prepare(`SELECT hash, name, type, size FROM media WHERE hash IN (SELECT value FROM json_each(?))`).raw(),
      mediaData: db.prepare(`SELECT data FROM media WHERE hash = ?`).pluck(),
      firstAtOrAfter: db.prepare(`SELECT min(time) FROM ${table} WHERE chat_id = ? AND time >= ?`).pluck(),
      lastBefore: db.prepare(`SELECT max(time) FROM ${table} WHERE chat_id = ? AND time < ?`).pluck(),
      firstPlausible: db.prepare(`SELECT time FROM ${table} WHERE chat_id = ? AND ${PLAUSIBLE_SQL} ORDER BY time LIMIT 1`).pluck(),
      lastPlausible: db.prepare(`SELECT time FROM ${table} WHERE chat_id = ? AND ${PLAUSIBLE_SQL} ORDER BY time DESC LIMIT 1`).pluck(),
      anyPlausibleInRange: db
        .prepare(`SELECT 1 FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ? AND ${PLAUSIBLE_SQL} LIMIT 1`)
        .pluck(),
      countInRange: db.prepare(`SELECT count(*) FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ?`).pluck(),
      dayCounts: db
        .prepare(
          `SELECT CAST((time - ?) / 86400000 AS INTEGER) AS day, count(*) FROM ${table}
           WHERE chat_id = ? AND time >= ? AND time < ? GROUP BY day ORDER BY day`,
        )
        .raw(),
    };
  }

  close(): void {
    this.snapshot.close();
  }

  /** Anchors of one archive page's time range, in page order. */
  pageAnchors(chatId: number, start: number, end: number): string[] {
    return this.stmt.pageAnchors.all(chatId, start, end) as string[];
  }

  /**
   * The change log (collector/store/writer.ts): the last sequence number in this snapshot, and
   * the UTC days of each chat changed after `since`.
   */
  changesSince(since: number): { upTo: number; days: Map<number, Set<string>> } {
    const days = new Map<number, Set<string>>();
    if (!hasTable(this.db, 'changes')) return { upTo: 0, days };
    let upTo = since;
    const rows = this.db.prepare(`SELECT seq, chat_id, day FROM changes WHERE seq > ? ORDER BY seq`).raw().iterate(since);
    for (const [seq, chatId, day] of rows as IterableIterator<[number, number, string]>) {
      upTo = seq;
      let set = days.get(chatId);
      if (!set) days.set(chatId, (set = new Set()));
      set.add(day);
    }
    return { upTo: Math.max(upTo, this.lastChange()), days };
  }

  /** The last change-log sequence number in this snapshot (0: none). */
  lastChange(): number {
    if (!hasTable(this.db, 'changes')) return 0;
    return this.db.prepare(`SELECT coalesce(max(seq), 0) FROM changes`).pluck().get() as number;
  }

  chats(): ChatRow[] {
    return this.db.prepare(`SELECT id, native_id, slug, format, title, kind FROM chats ORDER BY id`).all() as ChatRow[];
  }

  aliases(): { native_id: string; chat_id: number }[] {
    return this.db.prepare(`SELECT native_id, chat_id FROM chat_aliases`).all() as { native_id: string; chat_id: number }[];
  }

  /** chat id → member person ids. */
  members(): Map<number, number[]> {
    const map = new Map<number, number[]>();
    for (const [chatId, personId] of this.db
      .prepare(`SELECT chat_id, person_id FROM chat_members ORDER BY chat_id, person_id`)
      .raw()
      .iterate() as IterableIterator<[number, number]>) {
      let list = map.get(chatId);
      if (!list) map.set(chatId, (list = []));
      list.push(personId);
    }
    return map;
  }

  /**
   * Everyone who posted in a chat: person ids, and the names of authors without one. Sources
   * list members incompletely (people who left, exports that carry no member list); a reader
   * expects everyone who spoke among the members. One pass over the chat's rows.
   */
  posters(chatId: number): { personIds: number[]; names: string[] } {
    const personIds: number[] = [];
    const names: string[] = [];
    // The participants query reads the same rows once for both (who talks: site/data/activity.ts).
    for (const { authorId, name } of this.participants(chatId)) {
      if (authorId !== null) personIds.push(authorId);
      else if (name) names.push(name);
    }
    return { personIds, names };
  }

  private readonly participantsCache = new Map<number, Participant[]>();
  private participantsStmt: Statement | undefined;
  /** chat id → UTC slot start → that slot's participants (slotParticipants), kept across incremental builds. */
  private readonly participantSlots = new Map<number, Map<number, Participant[]>>();

  /**
   * Everyone who posted in a chat with their counts, cached (the catalog's member list and the
   * "who talks" table both ask). First and last times are of plausibly dated messages only (null
   * when all of them are implausible). Counted per UTC slot (month, or the early/late slot) and
   * summed: a watch rebuild takes the slots without changed days from the previous build
   * (adoptParticipants), so one new message costs a GROUP BY over its month, not over its chat
   * (every row of the chat read back: over a second at 850k messages).
   */
  participants(chatId: number): Participant[] {
    let list = this.participantsCache.get(chatId);
    if (list) return list;
    const known = this.participantSlots.get(chatId);
    const slots = new Map<number, Participant[]>();
    const merged = new Map<string, Participant>();
    for (let t = this.firstAtOrAfter(chatId, -FAR); t !== null; ) {
      const { start, end } = slotOf(t);
      const part = known?.get(start) ?? this.slotParticipants(chatId, start, end);
      slots.set(start, part);
      for (const p of part) {
        const key = p.authorId !== null ? `i${p.authorId}` : p.name === null ? 'n' : `s${p.name}`;
        const seen = merged.get(key);
        if (!seen) merged.set(key, { ...p });
        else {
          seen.count += p.count;
          seen.system += p.system;
          if (p.first !== null && (seen.first === null || p.first < seen.first)) seen.first = p.first;
          if (p.last !== null && (seen.last === null || p.last > seen.last)) seen.last = p.last;
        }
      }
      t = this.firstAtOrAfter(chatId, end); // the late slot ends at FAR: none after it
    }
    this.participantSlots.set(chatId, slots);
    // As SQLite orders them: nulls first, names by their UTF-8 bytes.
    list = [...merged.values()].sort((a, b) => nullsFirst(a.authorId, b.authorId, (x, y) => x - y) || nullsFirst(a.name, b.name, utf8Order));
    this.participantsCache.set(chatId, list);
    return list;
  }

  /** One slot's participants (one GROUP BY over its rows). */
  private slotParticipants(chatId: number, start: number, end: number): Participant[] {
    this.participantsStmt ??= this.db
      .prepare(
        `SELECT author_id, CASE WHEN author_id IS NULL THEN author_name END AS name, count(*),
           sum(kind IN ('event', 'call')), min(CASE WHEN ${PLAUSIBLE_SQL} THEN time END), max(CASE WHEN ${PLAUSIBLE_SQL} THEN time END)
         FROM ${this.table} WHERE chat_id = ? AND time >= ? AND time < ? GROUP BY author_id, name ORDER BY author_id, name`,
      )
      .raw();
    return (this.participantsStmt.all(chatId, start, end) as [number | null, string | null, number, number, number | null, number | null][]).map(
      ([authorId, name, count, system, first, last]) => ({ authorId, name, count, system, first, last }),
    );
  }

  /** Every chat's participants per slot read so far (PluginState carries them to the next incremental build). */
  get participantsRead(): ReadonlyMap<number, ReadonlyMap<number, Participant[]>> {
    return this.participantSlots;
  }

  /**
   * Per-slot participants from an earlier snapshot, for the slots that hold none of `changedDays`
   * (chat id → UTC days changed since: the change log). A chat with a day the log cannot place
   * takes none.
   */
  adoptParticipants(slots: ReadonlyMap<number, ReadonlyMap<number, Participant[]>>, changedDays: ReadonlyMap<number, ReadonlySet<string>>): void {
    for (const [chatId, bySlot] of slots) {
      if (this.participantSlots.has(chatId)) continue;
      const dirty = new Set<number>();
      let placed = true;
      for (const day of changedDays.get(chatId) ?? []) {
        const t = dayStart(day);
        if (t === null) placed = false;
        else dirty.add(slotOf(t).start);
      }
      if (!placed) continue;
      this.participantSlots.set(chatId, new Map([...bySlot].filter(([start]) => !dirty.has(start))));
    }
  }

  /** The table messages are read from (message_rows when the database has it; aggregation queries). */
  get messageTable(): string {
    return this.table;
  }

  /** `YYYY-MM` → by_day for one chat. */
  periods(chatId: number): Map<string, boolean> {
    const map = new Map<string, boolean>();
    for (const [month, byDay] of this.db
      .prepare(`SELECT month, by_day FROM periods WHERE chat_id = ?`)
      .raw()
      .iterate(chatId) as IterableIterator<[string, number]>) {
      map.set(month, byDay !== 0);
    }
    return map;
  }

  person(id: number | null): PersonRow | null {
    if (id === null) return null;
    let person = this.people.get(id);
    if (person === undefined) {
      const row = this.stmt.person.get(id) as [string, string | null, number] | undefined;
      person = row ? { nativeId: row[0], displayName: row[1], owner: row[2] === 1 } : null;
      this.people.set(id, person);
    }
    return person;
  }

  /** A person's display name by native id (person references in markup), cached. */
  displayNameOf(nativeId: string): string | null {
    let name = this.namesByNativeId.get(nativeId);
    if (name === undefined) {
      this.personByNativeId ??= this.db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
      name = (this.personByNativeId.get(nativeId) as string | null | undefined) ?? null;
      this.namesByNativeId.set(nativeId, name);
    }
    return name;
  }

  private readonly namesByNativeId = new Map<string, string | null>();
  private personByNativeId: ReturnType<Db['prepare']> | undefined;

  /**
   * Whether some rows still have the stored form of before person references (names baked into
   * event lines): the next import renders them again (collector/store/rerender.ts).
   */
  needsRerender(): boolean {
    return this.db.prepare(`SELECT 1 FROM meta WHERE key = 'rerender'`).get() !== undefined;
  }

  /** Option `redact`: the messages named by anchor or key, as `<chat id>/<anchor>`. */
  redactedAnchors(entries: readonly string[]): Set<string> {
    const found = new Set<string>();
    if (entries.length === 0) return found;
    const marks = entries.map(() => '?').join(', ');
    for (const [chatId, anchor] of this.db
      .prepare(`SELECT chat_id, anchor FROM messages WHERE anchor IN (${marks}) OR key IN (${marks})`)
      .raw()
      .iterate(...entries, ...entries) as IterableIterator<[number, string]>) {
      found.add(`${chatId}/${anchor}`);
    }
    return found;
  }

  /** Every person of the database (for the privacy checks of chat titles). */
  allPeople(): PersonRow[] {
    return (this.db.prepare('SELECT native_id, display_name FROM people').raw().all() as [string, string | null][]).map(
      ([nativeId, displayName]) => ({ nativeId, displayName }),
    );
  }

  /** A chat's messages in [start, end), oldest first (without key and text). */
  pageMessages(chatId: number, start: number, end: number): Message[] {
    return unpackAll(this.stmt.pageMessages.all(chatId, start, end) as PackedRow[], chatId);
  }

  /** The newest `limit` messages of a chat, oldest first. */
  latestMessages(chatId: number, limit: number): Message[] {
    return unpackAll(this.stmt.latestMessages.all(chatId, limit) as PackedRow[]).reverse();
  }

  /**
   * The newest `limit` messages with plausible times across chats, newest first: each chat's
   * newest through its (chat, time) index, then merged.
   */
  latestAcross(chatIds: number[], limit: number): Message[] {
    const all: Message[] = [];
    for (const chatId of chatIds) all.push(...this.latestPlausible(chatId, limit));
    if (chatIds.length > 1) all.sort((a, b) => b.time - a.time || (a.key! < b.key! ? -1 : 1));
    return all.length > limit ? all.slice(0, limit) : all;
  }

  /**
   * A chat's newest `limit` plausible messages, newest first. Cached: the index, the landing page,
   * the chat's feed and the site feed all ask for the same rows.
   */
  private latestPlausible(chatId: number, limit: number): Message[] {
    const cached = this.latestCache.get(chatId);
    // A cached list serves any limit it covers, or any limit at all if it holds the whole chat.
    if (cached && (cached.rows.length >= limit || cached.rows.length < cached.limit)) return cached.rows.slice(0, limit);
    const rows = unpackAll(this.stmt.latestPlausible.all(chatId, Math.max(limit, LATEST_BATCH)) as PackedRow[]);
    this.latestCache.set(chatId, { limit: Math.max(limit, LATEST_BATCH), rows });
    return rows.slice(0, limit);
  }

  /** Every chat's newest rows read so far (PluginState carries them to the next incremental build). */
  get latestRead(): ReadonlyMap<number, LatestRows> {
    return this.latestCache;
  }

  /** Newest rows of chats that have not changed since they were read, from an earlier snapshot. */
  adoptLatest(rows: Iterable<[number, LatestRows]>): void {
    for (const [chatId, entry] of rows) if (!this.latestCache.has(chatId)) this.latestCache.set(chatId, entry);
  }

  /**
   * The threads whose roots are in [start, end) of a chat (MessageFlags.threadReply, bit 4):
   * root anchor → its replies, the first `first` of them by time (the list under the root). Through
   * the partial index of thread replies (schema version 4), by key from each root of the range; a
   * chat without thread replies costs one index probe per build.
   */
  pageThreads(chatId: number, start: number, end: number, first: number): Map<string, Thread> {
    const threads = new Map<string, Thread>();
    const stmt = (this.threadStmt ??= this.threadStatements());
    let any = this.threaded.get(chatId);
    if (any === undefined) this.threaded.set(chatId, (any = stmt.any.get(chatId) !== undefined));
    if (!any) return threads;
    for (const [root, anchor, time, authorId, authorName, text, deleted, count, last] of stmt.page.iterate(chatId, start, end, first) as
      IterableIterator<[string, string, number, number | null, string | null, string, number, number, number]>) {
      let thread = threads.get(root);
      if (!thread) threads.set(root, (thread = { count, last, replies: [] }));
      thread.replies.push({ anchor, time, authorId, authorName, text, deleted: deleted !== 0 });
    }
    return threads;
  }

  private threadStatements(): { any: Statement; page: Statement } {
    const table = this.table;
    const text = table === 'message_rows' ? 'coalesce(r.text, r.body)' : 'r.text';
    return {
      // The order names the partial index's columns: without it the planner may walk the chat's
      // (chat, time) index, every message of a chat without threads.
      any: this.db.prepare(`SELECT 1 FROM ${table} WHERE chat_id = ? AND (flags & 4) != 0 ORDER BY reply_to_key LIMIT 1`).pluck(),
      page: this.db
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

  /** The messages that these keys name (in `chatId`, or any chat through message aliases). */
  replyTargets(chatId: number, keys: string[]): Map<string, ReplyTarget> {
    const map = new Map<string, ReplyTarget>();
    for (const key of keys) {
      if (map.has(key) || !/^[0-9a-f]{10,}$/.test(key)) continue;
      const low = `m${key.slice(0, 10)}`;
      const row = (this.stmt.replyByAnchor.get(chatId, low, `${low}g`, key) ?? this.stmt.replyByAlias.get(key)) as
        | [number, string, number, number | null, string | null]
        | undefined;
      if (row) map.set(key, { key, chatId: row[0], anchor: row[1], time: row[2], authorId: row[3], authorName: row[4] });
    }
    return map;
  }

  media(hashes: string[]): Map<string, MediaRow> {
    const map = new Map<string, MediaRow>();
    if (hashes.length === 0) return map;
    for (const [hash, name, type, size] of this.stmt.media.all(JSON.stringify(hashes)) as [string, string, string | null, number][]) {
      map.set(hash, { hash, name, type, size });
    }
    return map;
  }

  mediaData(hash: string): Buffer | undefined {
    return this.stmt.mediaData.get(hash) as Buffer | undefined;
  }

  /**
   * Anchors of a chat's messages stored after message id `id` (ids only grow): through the
   * primary key, `+chat_id` keeping the planner off the chat's indexes, which would read all of it.
   */
  anchorsAddedAfter(chatId: number, id: number): string[] {
    this.addedAnchorsStmt ??= this.db.prepare(`SELECT anchor FROM ${this.table} WHERE id > ? AND +chat_id = ?`).pluck();
    return this.addedAnchorsStmt.all(id, chatId) as string[];
  }

  private addedAnchorsStmt: Statement | undefined;

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

  /**
   * A chat's messages that carry attachments, newest first (the media gallery): only the columns
   * it needs, never the bodies, through the partial index `messages_chat_media` (schema version
   * 5), which holds only those rows.
   */
  mediaMessages(chatId: number): MediaMessage[] {
    this.mediaMessagesStmt ??= this.db.prepare(
      `SELECT anchor, time, author_id, author_name, attachments FROM ${this.table}
       WHERE chat_id = ? AND attachments IS NOT NULL ORDER BY time DESC, id DESC`,
    ).raw();
    return (this.mediaMessagesStmt.all(chatId) as [string, number, number | null, string | null, string][]).map(
      ([anchor, time, authorId, authorName, attachments]) => ({ anchor, time, authorId, authorName, attachments }),
    );
  }

  private mediaMessagesStmt: Statement | undefined;

  /** Whether any message of these chats carries attachments (the same partial index: a lookup per chat). */
  anyAttachments(chatIds: Iterable<number>): boolean {
    this.anyAttachmentsStmt ??= this.db.prepare(`SELECT 1 FROM ${this.table} WHERE chat_id = ? AND attachments IS NOT NULL LIMIT 1`).pluck();
    for (const chatId of chatIds) if (this.anyAttachmentsStmt.get(chatId) !== undefined) return true;
    return false;
  }

  private anyAttachmentsStmt: Statement | undefined;

  /** [day index from `start`, count] for the days of [start, end) that have messages. */
  dayCounts(chatId: number, start: number, end: number): [number, number][] {
    return this.stmt.dayCounts.all(start, chatId, start, end) as [number, number][];
  }
}

function nullsFirst<T>(a: T | null, b: T | null, order: (x: T, y: T) => number): number {
  return a === b ? 0 : a === null ? -1 : b === null ? 1 : order(a, b);
}

function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Rows fetched at least per chat for latestPlausible: covers the default feed and landing sizes. */
const LATEST_BATCH = 100;

