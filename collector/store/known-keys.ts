import type { Statement } from 'better-sqlite3';
import { anchorFor, ANCHOR_MIN } from '../identity/key.js';
import type { Db } from './open.js';

/**
 * The keys (with their revision fingerprints) and anchors a chat already has, for the writer. As
 * the original design did, a chat's whole key set is held in memory when many of its messages are
 * looked up, so re-importing costs a Map lookup per message instead of a query. But loading a
 * large chat's keys takes most of a second (300k rows), which a watch import of one new message
 * should not pay: so each chat starts answering by indexed queries, and loads the whole set once
 * it has been asked LOAD_AFTER times. What this run adds is remembered either way.
 */
export const LOAD_AFTER = 2000;

interface Lookups {
  rowRev: Statement;
  aliasRev: Statement;
  anchorUsed: Statement;
  anyRow: Statement;
  allKeys: Statement;
  allAnchorAliases: Statement;
  allAliases: Statement;
}

export class KnownKeys {
  private readonly revs = new Map<string, number>();
  /** Alias key → the row it names (a copy of a message merged into another source's row). */
  private readonly aliasRows = new Map<string, number>();
  private readonly anchors = new Set<string>();
  private loaded: boolean;
  private lookups = 0;

  private constructor(
    private readonly chatId: number,
    private readonly q: Lookups,
    /** True: every key of the chat is in memory (or the chat has none yet). */
    loaded: boolean,
  ) {
    this.loaded = loaded;
  }

  static statements(db: Db): Lookups {
    return {
      // A key is found through its anchor, which starts with the key's first ANCHOR_MIN digits.
      rowRev: db.prepare(`SELECT rev FROM message_rows WHERE chat_id = ? AND anchor >= ? AND anchor < ? AND key = ?`).pluck(),
      aliasRev: db
        .prepare(`SELECT a.rev, a.message_id FROM message_aliases a JOIN message_rows r ON r.id = a.message_id WHERE a.key = ? AND r.chat_id = ?`)
        .raw(),
      // A merged-away row's published anchor stays taken (anchor_aliases, schema 6).
      anchorUsed: db
        .prepare(`SELECT 1 FROM message_rows WHERE chat_id = ? AND anchor = ? UNION ALL SELECT 1 FROM anchor_aliases WHERE chat_id = ? AND anchor = ?`)
        .pluck(),
      anyRow: db.prepare(`SELECT 1 FROM message_rows WHERE chat_id = ? LIMIT 1`).pluck(),
      allKeys: db.prepare(`SELECT key, rev, anchor FROM message_rows WHERE chat_id = ?`).raw(),
      allAnchorAliases: db.prepare(`SELECT anchor FROM anchor_aliases WHERE chat_id = ?`).pluck(),
      allAliases: db
        .prepare(`SELECT a.key, a.rev, a.message_id FROM message_aliases a JOIN message_rows r ON r.id = a.message_id WHERE r.chat_id = ?`)
        .raw(),
    };
  }

  /** A chat with rows in the database (looked up by query until asked often). */
  static stored(chatId: number, q: Lookups): KnownKeys {
    return new KnownKeys(chatId, q, false);
  }

  /** A chat with no rows yet (in a bulk import, the indexes for queries are not even there). */
  static empty(chatId: number, q: Lookups): KnownKeys {
    return new KnownKeys(chatId, q, true);
  }

  /** Whether the chat had any message stored before this run. */
  hasStoredRows(): boolean {
    return !this.loaded && this.q.anyRow.get(this.chatId) !== undefined;
  }

  /** The revision fingerprint stored under `key` (its row's or an alias's), if any. */
  rev(key: string): number | undefined {
    const known = this.revs.get(key);
    if (known !== undefined || this.loaded) return known;
    if (++this.lookups >= LOAD_AFTER) {
      this.load();
      return this.revs.get(key);
    }
    const alias = this.q.aliasRev.get(key, this.chatId) as [number, number] | undefined;
    if (alias) {
      this.revs.set(key, alias[0]);
      this.aliasRows.set(key, alias[1]);
      return alias[0];
    }
    const prefix = anchorFor(key, ANCHOR_MIN);
    const rev = this.q.rowRev.get(this.chatId, prefix, `${prefix}\uffff`, key) as number | undefined;
    if (rev !== undefined) this.revs.set(key, rev);
    return rev;
  }

  /** The row a known alias key names (undefined for a row's own key); after rev() asked for it. */
  aliasRow(key: string): number | undefined {
    return this.aliasRows.get(key);
  }

  has(key: string): boolean {
    return this.rev(key) !== undefined;
  }

  set(key: string, rev: number): void {
    this.revs.set(key, rev);
  }

  anchorTaken(anchor: string): boolean {
    return this.anchors.has(anchor) || (!this.loaded && this.q.anchorUsed.get(this.chatId, anchor, this.chatId, anchor) !== undefined);
  }

  addAnchor(anchor: string): void {
    this.anchors.add(anchor);
  }

  private load(): void {
    // Keys learned by query or written this run are in `revs` already and agree with the rows.
    for (const [key, rev, anchor] of this.q.allKeys.iterate(this.chatId) as IterableIterator<[string, number, string]>) {
      if (!this.revs.has(key)) this.revs.set(key, rev);
      this.anchors.add(anchor);
    }
    for (const anchor of this.q.allAnchorAliases.iterate(this.chatId) as IterableIterator<string>) this.anchors.add(anchor);
    for (const [key, rev, row] of this.q.allAliases.iterate(this.chatId) as IterableIterator<[string, number, number]>) {
      if (!this.revs.has(key)) this.revs.set(key, rev);
      this.aliasRows.set(key, row);
    }
    this.loaded = true;
  }
}
