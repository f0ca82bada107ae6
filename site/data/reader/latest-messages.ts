import type { Statement } from 'better-sqlite3';
import { PLAUSIBLE_SQL } from '../../../collector/store/contract.js';
import type { PublicAnchors } from '../public-anchor.js';
import type { MessageTable } from './message-table.js';
import { messageColumns, unpackAll, type Message, type PackedRow } from './packed-message.js';

/** A chat's newest plausible rows, newest first, read with this limit. */
export interface LatestRows {
  limit: number;
  rows: Message[];
}

/** Rows fetched at least per chat for latestPlausible: covers the default feed and landing sizes. */
const LATEST_BATCH = 100;

/**
 * A chat's newest messages (landing pages, feeds, the index's latest message), with key and text.
 * The plausibly dated ones are cached per chat: the index, the landing page, the chat's feed and
 * the site feed all ask for the same rows, and a watch rebuild keeps those of unchanged chats.
 */
export class LatestMessages {
  private readonly cache = new Map<number, LatestRows>();
  private readonly any: Statement;
  private readonly plausible: Statement;
  private readonly anchors: PublicAnchors;

  constructor({ db, table, direct, anchors }: MessageTable) {
    this.anchors = anchors;
    const full = messageColumns(direct, true);
    this.any = db.prepare(`SELECT ${full} FROM ${table} WHERE chat_id = ? ORDER BY time DESC, id DESC LIMIT ?`).raw();
    this.plausible = db.prepare(`SELECT ${full} FROM ${table} WHERE chat_id = ? AND ${PLAUSIBLE_SQL} ORDER BY time DESC, id DESC LIMIT ?`).raw();
  }

  /** The newest `limit` messages of a chat, oldest first. */
  latestMessages(chatId: number, limit: number): Message[] {
    return unpackAll(this.any.all(chatId, limit) as PackedRow[], this.anchors).reverse();
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

  /** A chat's newest `limit` plausible messages, newest first, cached. */
  private latestPlausible(chatId: number, limit: number): Message[] {
    const cached = this.cache.get(chatId);
    // A cached list serves any limit it covers, or any limit at all if it holds the whole chat.
    if (cached && (cached.rows.length >= limit || cached.rows.length < cached.limit)) return cached.rows.slice(0, limit);
    const rows = unpackAll(this.plausible.all(chatId, Math.max(limit, LATEST_BATCH)) as PackedRow[], this.anchors);
    this.cache.set(chatId, { limit: Math.max(limit, LATEST_BATCH), rows });
    return rows.slice(0, limit);
  }

  /** Every chat's newest rows read so far (PluginState carries them to the next incremental build). */
  get latestRead(): ReadonlyMap<number, LatestRows> {
    return this.cache;
  }

  /** Newest rows of chats that have not changed since they were read, from an earlier snapshot. */
  adoptLatest(rows: Iterable<[number, LatestRows]>): void {
    for (const [chatId, entry] of rows) if (!this.cache.has(chatId)) this.cache.set(chatId, entry);
  }
}
