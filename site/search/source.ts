import type { Statement } from 'better-sqlite3';
import { type Db, DATED_END, DATED_MIN, FAR, slotOf, type Slot } from '../../collector/store/contract.js';
import { AuthorNamer, resolveRefsText } from '../data/authors.js';
import { chatTitle, peopleWords, publicSlug, titleMembers } from '../data/public-chat.js';
import { changesSince, lastChange } from '../data/reader/change-log.js';
import { publicAnchors, type PublicAnchors } from '../data/public-anchor.js';
import { redactedAnchors } from '../data/reader/anchors.js';
import { members as chatMembers } from '../data/reader/chats.js';
import { databaseIdOf, ReadSnapshot, snapshotMark } from '../data/snapshot.js';
import type { AuthorMode } from '../options.js';

/**
 * What the search index reads from the database, in the order it numbers documents: by archive
 * period first (UTC month; messages dated before year 1 or after 9999 in an "early" and a "late"
 * slot, like the site's out-of-range pages), then by chat, then by time. So every (month, chat) —
 * a "group", one archive page or its day pages — is a contiguous range of document ids: a chat
 * filter, the chat field of a query and the page path of a hit need only the small group table,
 * and "newest first" is month order plus a sort inside one month.
 */

export interface SearchChat {
  /** Position in the manifest's chat list. */
  index: number;
  id: number;
  slug: string;
  /** As the site shows it. */
  title: string;
}

export interface Group {
  slot: number;
  chat: number;
  byDay: boolean;
  /** First document id. */
  start: number;
  count: number;
}

export interface SearchDoc {
  id: number;
  chat: SearchChat;
  group: Group;
  anchor: string;
  /** Author as the site names it (null when authors are hidden). */
  author: string | null;
  time: number;
  text: string;
}

/** A chat's messages in [from, to), all within one slot. */
export interface ChatRange {
  chat: SearchChat;
  from: number;
  to: number;
}

/** What documents() reads: the slots in order, and per slot the chat ranges in chat order. */
export interface SourcePlan {
  slots: Slot[];
  ranges: ChatRange[][];
}

/** A message is a document when it has text (deleted messages are filtered in SQL). */
function isIndexed(text: string | null): text is string {
  return !!text && /\S/.test(text);
}

export interface SourceOptions {
  db: string;
  /** Chats to index (database ids); default: every chat. */
  chatIds?: readonly number[] | null;
  authors: AuthorMode;
  pseudonymSalt?: string;
  /** The plugin's `excludeAuthors` and `redact` options (site/options.ts). */
  excludeAuthors?: readonly string[];
  redact?: readonly string[];
  /**
   * The read snapshot to index, opened with the same `excludeAuthors` (the pages' own, or the one
   * the index worker agreed on: snapshot-gate.ts). Borrowed: close() leaves it open. Default: a
   * snapshot of its own.
   */
  snapshot?: ReadSnapshot;
}

export class SearchSource {
  readonly db: Db;
  private readonly snapshot: ReadSnapshot;
  private readonly ownSnapshot: boolean;
  readonly chats: SearchChat[] = [];
  readonly slots: Slot[] = [];
  /** Filled while documents() runs; complete when it ends. */
  readonly groups: Group[] = [];
  private readonly namer: AuthorNamer;
  private readonly people = new Map<number, [string, string | null, number]>();
  private readonly authorNames = new Map<number | null, Map<string | null, string | null>>();
  /** Option `redact`: `<chat id>/<published anchor>` of messages whose text is not indexed, as the pages redact them. */
  private readonly redacted: Set<string>;
  /** How anchors are published (public-anchor.ts), as the pages publish them. */
  private readonly anchors: PublicAnchors;

  constructor(private readonly options: SourceOptions) {
    this.ownSnapshot = !options.snapshot;
    this.snapshot = options.snapshot ?? new ReadSnapshot(options.db, { excludeAuthors: options.excludeAuthors, cacheKiB: 32768 });
    this.db = this.snapshot.db;
    try {
      this.anchors = publicAnchors(options.authors, options.pseudonymSalt ?? '', options.authors === 'show' ? null : databaseIdOf(this.db));
      this.redacted = redactedAnchors(this.db, options.redact ?? [], this.anchors);
    } catch (err) {
      if (this.ownSnapshot) this.snapshot.close();
      throw err;
    }
    const names = new Map<string, string | null>();
    this.namer = new AuthorNamer(options.authors, options.pseudonymSalt ?? '', (nativeId) => names.get(nativeId) ?? null, options.excludeAuthors);
    for (const [id, nativeId, name, owner] of this.db.prepare('SELECT id, native_id, display_name, owner FROM people').raw().iterate() as IterableIterator<
      [number, string, string | null, number]
    >) {
      this.people.set(id, [nativeId, name, owner]);
      names.set(nativeId, name);
    }
    this.loadChats();
  }

  private loadChats(): void {
    const wanted = this.options.chatIds ? new Set(this.options.chatIds) : null;
    const members = chatMembers(this.db);
    const rows = this.db.prepare('SELECT id, native_id, slug, title, kind FROM chats ORDER BY id').all() as {
      id: number; native_id: string; slug: string; title: string | null; kind: string;
    }[];
    const mode = this.namer.mode;
    const people = mode === 'show' ? [] : peopleWords([...this.people.values()].map(([nativeId, displayName]) => ({ nativeId, displayName })));
    for (const row of rows) {
      if (wanted && !wanted.has(row.id)) continue;
      const slug = publicSlug(row, mode, this.options.pseudonymSalt ?? '');
      const names =
        mode === 'hide'
          ? []
          : titleMembers(
              row.kind,
              (members.get(row.id) ?? [])
                .map((id) => this.people.get(id))
                .filter((p): p is [string, string | null, number] => p !== undefined)
                .map(([nativeId, name, owner]) => ({ name: this.namer.author(nativeId, null, name).name, owner: owner === 1, named: !!name?.trim() })),
            );
      this.chats.push({ index: this.chats.length, id: row.id, slug, title: chatTitle(row, slug, names, mode, people) });
    }
  }

  /**
   * Every indexed message in document order; fills `slots` first and `groups` as it goes.
   * `plan`: which chats and time ranges, per slot (default: every message of every chat).
   */
  *documents(plan: SourcePlan = this.plan()): Generator<SearchDoc> {
    this.slots.push(...plan.slots);
    const rows = this.db
      .prepare(
        `SELECT anchor, author_id, author_name, time, text FROM messages
         WHERE chat_id = ? AND time >= ? AND time < ? AND deleted = 0 ORDER BY time, id`,
      )
      .raw();
    const layouts = this.db.prepare('SELECT by_day FROM periods WHERE chat_id = ? AND month = ?').pluck();
    let id = 0;
    for (let s = 0; s < plan.slots.length; s++) {
      const slot = plan.slots[s];
      for (const { chat, from, to } of plan.ranges[s]) {
        const byDay = slot.label.length === 7 ? layouts.get(chat.id, slot.label) === 1 : false;
        const group: Group = { slot: s, chat: chat.index, byDay, start: id, count: 0 };
        for (const [stored, authorId, authorName, time, text] of rows.all(chat.id, from, to) as Array<
          [string, number | null, string | null, number, string | null]
        >) {
          if (!isIndexed(text)) continue;
          const anchor = this.anchors.shown(stored);
          if (this.redacted.size > 0 && this.redacted.has(`${chat.id}/${anchor}`)) continue;
          const author = this.authorOf(authorId, authorName);
          group.count++;
          yield { id: id++, chat, group, anchor, author, time, text: resolveRefsText(this.namer, text) };
        }
        if (group.count > 0) this.groups.push(group);
      }
    }
  }

  /** How many messages of a chat in [from, to) are documents (the same test as documents()). */
  countDocuments(chatId: number, from: number, to: number): number {
    this.countRows ??= this.db.prepare<[number, number, number], string | null>(
      'SELECT text FROM messages WHERE chat_id = ? AND time >= ? AND time < ? AND deleted = 0',
    ).pluck();
    let n = 0;
    for (const text of this.countRows.iterate(chatId, from, to)) if (isIndexed(text)) n++;
    return n;
  }

  private countRows: Statement<[number, number, number], string | null> | undefined;

  /** `meta.database_id` (null: a database no import has given one): the key of the base index's sealed facts. */
  databaseId(): string | null {
    return databaseIdOf(this.db);
  }

  /** The change log's last sequence number in this snapshot (0: none). */
  changeSeq(): number {
    return lastChange(this.db);
  }

  /** The chat-days (UTC `YYYY-MM-DD`) logged after `seq`, per chat id. */
  changesSince(seq: number): Map<number, Set<string>> {
    return changesSince(this.db, seq).days;
  }

  /** The author's name as the site shows it, cached per (author id, name on the message). */
  private authorOf(authorId: number | null, authorName: string | null): string | null {
    let names = this.authorNames.get(authorId);
    if (!names) this.authorNames.set(authorId, (names = new Map()));
    let name = names.get(authorName);
    if (name === undefined) {
      const person = authorId === null ? undefined : this.people.get(authorId);
      name = this.namer.author(person?.[0] ?? null, authorName, person?.[1] ?? null).name;
      names.set(authorName, name);
    }
    return name;
  }

  /** Every message of `chats` (default all): the slots and which chats have messages in each (index seeks only). */
  plan(chats: readonly SearchChat[] = this.chats): SourcePlan {
    const first = this.db.prepare('SELECT min(time) FROM messages WHERE chat_id = ? AND time >= ?').pluck();
    const any = this.db.prepare('SELECT 1 FROM messages WHERE chat_id = ? AND time >= ? AND time < ? LIMIT 1').pluck();
    const early: SearchChat[] = [];
    const late: SearchChat[] = [];
    const months = new Map<number, SearchChat[]>();
    for (const chat of chats) {
      if (any.get(chat.id, -FAR, DATED_MIN)) early.push(chat);
      if (any.get(chat.id, DATED_END, FAR)) late.push(chat);
      let t = first.get(chat.id, DATED_MIN) as number | null;
      while (t !== null && t < DATED_END) {
        const slot = slotOf(t);
        let list = months.get(slot.start);
        if (!list) months.set(slot.start, (list = []));
        list.push(chat);
        t = first.get(chat.id, slot.end) as number | null;
      }
    }
    const plan: SourcePlan = { slots: [], ranges: [] };
    const add = (slot: Slot, chats: SearchChat[]) => {
      plan.slots.push(slot);
      plan.ranges.push(chats.map((chat) => ({ chat, from: slot.start, to: slot.end })));
    };
    if (early.length) add(slotOf(-FAR), early);
    for (const start of [...months.keys()].sort((a, b) => a - b)) add(slotOf(start), months.get(start)!);
    if (late.length) add(slotOf(DATED_END), late);
    return plan;
  }

  /**
   * A short fingerprint of the database state: changes whenever an import changed anything. The
   * snapshot's mark (index lookups and two tiny counts): every commit that changes what is
   * published logs a change or adds a message, chat or person, and committed rows are never
   * deleted. A count of the messages here read the whole (chat, time) index on every watch rebuild.
   */
  stateFingerprint(): string {
    return snapshotMark(this.db).join('/');
  }

  close(): void {
    if (this.ownSnapshot) this.snapshot.close();
  }
}
