import type { Statement } from 'better-sqlite3';
import type { Db } from '../../../collector/store/contract.js';
import { hasTable } from '../snapshot.js';
import type { PublicAnchors } from '../public-anchor.js';
import type { MessageTable } from './message-table.js';

/**
 * Which anchors a chat has where: anchor maps (`chats/<slug>/anchors/`) and pages not rendered.
 * Besides each message's own anchor, the anchors of rows merged into it after they were published
 * (`anchor_aliases`, collector/store/repair.ts): listed right after its own, so they resolve to
 * its page, and given to the page (aliasesOfPage) as extra ids on the message. Every anchor comes
 * out as published (public-anchor.ts).
 */
export class Anchors {
  private readonly db: Db;
  private readonly table: string;
  private readonly shown: PublicAnchors;
  private readonly ofPage: Statement;
  private addedAfter: Statement | undefined;
  private withPrefix: Statement | undefined;
  /** Null when the database has no anchor alias (nearly always): no page pays a query for them. */
  private readonly aliases: { ofPage: Statement; ofChat: Statement; withPrefix: Statement } | null;

  constructor({ db, table, anchors }: MessageTable) {
    this.db = db;
    this.table = table;
    this.shown = anchors;
    // The same rows and order as PageMessages (page-messages.ts), anchors only.
    this.ofPage = db.prepare(`SELECT anchor FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ? ORDER BY time, id`).pluck();
    // Joined with the message table: an alias of a message the build leaves out is left out too.
    this.aliases =
      hasTable(db, 'anchor_aliases') && db.prepare(`SELECT 1 FROM anchor_aliases LIMIT 1`).get() !== undefined
        ? {
            ofPage: db
              .prepare(
                `SELECT r.anchor, a.anchor FROM anchor_aliases a JOIN ${table} r ON r.id = a.message_id
                 WHERE a.chat_id = ? AND r.time >= ? AND r.time < ? ORDER BY a.anchor`,
              )
              .raw(),
            ofChat: db.prepare(`SELECT a.anchor FROM anchor_aliases a JOIN ${table} r ON r.id = a.message_id WHERE a.chat_id = ?`).pluck(),
            withPrefix: db
              .prepare(
                `SELECT a.anchor, r.time, r.id FROM anchor_aliases a JOIN ${table} r ON r.id = a.message_id
                 WHERE a.chat_id = ? AND a.anchor >= ? AND a.anchor < ? ORDER BY a.anchor`,
              )
              .raw(),
          }
        : null;
  }

  /** Anchors of one archive page's time range, in page order (a message's aliases after its own). */
  pageAnchors(chatId: number, start: number, end: number): string[] {
    const anchors = this.published(this.ofPage.all(chatId, start, end) as string[]);
    const aliases = this.aliasesOfPage(chatId, start, end);
    return aliases.size === 0 ? anchors : anchors.flatMap((anchor) => [anchor, ...(aliases.get(anchor) ?? [])]);
  }

  /** A page's messages' anchor → the other anchors that name them (published before a merge). */
  aliasesOfPage(chatId: number, start: number, end: number): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (!this.aliases) return out;
    for (const [stored, storedAlias] of this.aliases.ofPage.all(chatId, start, end) as [string, string][]) {
      const anchor = this.shown.shown(stored);
      const alias = this.shown.shown(storedAlias);
      const list = out.get(anchor);
      if (list) list.push(alias);
      else out.set(anchor, [alias]);
    }
    return out;
  }

  /**
   * Anchors of a chat's messages stored after message id `id` (ids only grow): through the
   * primary key, `+chat_id` keeping the planner off the chat's indexes, which would read all of it.
   * With every anchor alias of the chat: an alias is added to an older message, and the few there
   * are cost a map file rewritten at most.
   */
  anchorsAddedAfter(chatId: number, id: number): string[] {
    this.addedAfter ??= this.db.prepare(`SELECT anchor FROM ${this.table} WHERE id > ? AND +chat_id = ?`).pluck();
    const added = this.addedAfter.all(id, chatId) as string[];
    return this.published(this.aliases ? [...added, ...(this.aliases.ofChat.all(chatId) as string[])] : added);
  }

  /**
   * A chat's anchors that begin with `m` + one of `prefixes` (of one length: anchor map files'),
   * with each one's time and id (its page and its place there). Stored anchors are read through
   * the (chat_id, anchor) index, so a file costs its own anchors, not its chat's; keyed ones have
   * no order to range over, so the chat's are read once and picked. Aliases come after their
   * prefix's anchors, with their message's time and id.
   */
  anchorsWithPrefixes(chatId: number, prefixes: ReadonlySet<string>): [anchor: string, time: number, id: number][] {
    if (!this.shown.keyed) return [...prefixes].flatMap((prefix) => this.anchorsWithPrefix(chatId, prefix));
    const width = prefixes.values().next().value?.length ?? 0;
    const out: [string, number, number][] = [];
    for (const [stored, time, id] of this.anchorsWithPrefix(chatId, '')) {
      const anchor = this.shown.shown(stored);
      if (prefixes.has(anchor.slice(1, 1 + width))) out.push([anchor, time, id]);
    }
    return out;
  }

  /** The stored anchors that begin with `m` + `prefix`, aliases last. */
  private anchorsWithPrefix(chatId: number, prefix: string): [anchor: string, time: number, id: number][] {
    this.withPrefix ??= this.db.prepare(`SELECT anchor, time, id FROM ${this.table} WHERE chat_id = ? AND anchor >= ? AND anchor < ?`).raw();
    const low = `m${prefix}`;
    // The first string after every one that starts with `low`: its last character, one higher.
    const high = low.slice(0, -1) + String.fromCharCode(low.charCodeAt(low.length - 1) + 1);
    const rows = this.withPrefix.all(chatId, low, high) as [string, number, number][];
    return this.aliases ? [...rows, ...(this.aliases.withPrefix.all(chatId, low, high) as [string, number, number][])] : rows;
  }

  private published(stored: string[]): string[] {
    if (!this.shown.keyed) return stored;
    for (let i = 0; i < stored.length; i++) stored[i] = this.shown.shown(stored[i]);
    return stored;
  }
}

/**
 * Option `redact`: the messages named by anchor or key, as `<chat id>/<published anchor>`. A
 * message merged into another after it was published is named by its old anchor and key still
 * (anchor_aliases, message_aliases): the message they lead to is redacted, else what was hidden
 * would show again. With keyed anchors (public-anchor.ts) an entry may name a message by its
 * published anchor or feed entry key, or by its stored ones.
 */
export function redactedAnchors(db: Db, given: readonly string[], anchors: PublicAnchors): Set<string> {
  const found = new Set<string>();
  if (given.length === 0) return found;
  const entries = anchors.keyed ? [...new Set(given.flatMap((entry) => [entry, ...anchors.storedForms(entry)]))] : given;
  const marks = entries.map(() => '?').join(', ');
  let sql = `SELECT chat_id, anchor FROM messages WHERE anchor IN (${marks}) OR key IN (${marks})`;
  const params = [...entries, ...entries];
  for (const [table, column] of [['anchor_aliases', 'anchor'], ['message_aliases', 'key']]) {
    if (!hasTable(db, table)) continue;
    sql += ` UNION ALL SELECT m.chat_id, m.anchor FROM ${table} a JOIN messages m ON m.id = a.message_id WHERE a.${column} IN (${marks})`;
    params.push(...entries);
  }
  for (const [chatId, anchor] of db.prepare(sql).raw().iterate(...params) as IterableIterator<[number, string]>) {
    found.add(`${chatId}/${anchors.shown(anchor)}`);
  }
  return found;
}
