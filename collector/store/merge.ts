import type { Statement } from 'better-sqlite3';
import { MessageFlags } from '../model.js';
import { differentFiles, filesOf } from './keep.js';
import type { Db } from './open.js';

/** How far apart two sources' clocks may put the same message (the original author saw seconds). */
export const DEFAULT_MERGE_TOLERANCE_MS = 120_000;

/** An incoming message with a key the chat did not know, stored provisionally until the run ends. */
export interface Pending {
  rowId: number;
  chatId: number;
  key: string;
  rev: number;
  sourceId: number | null;
  authorId: number;
  time: number;
  /** The full plain text (what duplicates are compared by). */
  text: string;
  nativeId: string | null;
  /** JSON of the attachments, or null. */
  attachments: string | null;
  edited: boolean;
  deleted: boolean;
  day: string;
}

/**
 * What becomes of a pending message: a row of its own (`into` null), or one more key of the
 * stored row `into` (a message_aliases row); `takeContent`: that row shows this message's content
 * from now on (an id-less message's later state: edited or deleted).
 */
export interface Resolution {
  pending: Pending;
  into: number | null;
  takeContent: boolean;
}

interface Row {
  id: number;
  key: string;
  time: number;
  native_id: string | null;
  source_id: number | null;
  deleted: number;
  flags: number;
  attachments: string | null;
}

const ROW_COLUMNS = `r.id, r.key, r.time, r.native_id, r.source_id, r.deleted, r.flags, r.attachments`;

/**
 * Finds the stored message that an incoming one duplicates when another export (another account's
 * main.db, a later export, the same file re-exported with its clock a second off) saw it under
 * another key: same chat, author and text, time within the tolerance.
 *
 * Decided once the whole run is read, not as messages stream: a stored row that some message of
 * this run matches exactly is that message's, and near matches must not take it first (an export
 * holding only the later of two "ok" 30 s apart, then one holding both: two rows). The rules:
 * - a row holds at most one message of each source of the run (its own writer's, exact matches,
 *   near matches): identical lines within one export stay apart (mayJoin);
 * - native ids decide where they can: in the same id scope (the format's, or what the adapter
 *   names, e.g. a Skype account) two different ids are two messages; an absent id, or ids of two
 *   scopes (a main.db guid and an export's id), leave it to author, text and time;
 * - an appended log continued from its cursor never merges into its own earlier lines;
 * - two states carrying different files at different times are two messages (keep.ts's
 *   differentFiles, distinctFiles below: at the same time, one file with other bytes); a media
 *   message is compared by its caption (its text), so an export's "<Media omitted>" meets the same
 *   message exported with its file, and the file is kept (idLessFile);
 * - candidates are paired deterministically (equal id, then rows without other files, then rows
 *   that exist regardless of this run's merges, then nearest in time, then earliest), so the
 *   same exports give the same messages whatever order they are imported in.
 * Messages without ids (WhatsApp) show an edit as "… <This message was edited>" and a deletion as
 * "This message was deleted" under the original time: such a message with a new key takes the place
 * of the row of the same chat, author and time that nothing of this run claimed (see idLessEdit).
 */
export class TwinResolver {
  private readonly pending: Pending[] = [];
  /** key → the source (or sources) whose message matched that key exactly in this run. */
  private readonly matchedKeys = new Map<string, Matchers>();
  /** Row id → the same, for keys that name a row as its alias (a merged copy). */
  private readonly matchedRows = new Map<number, Matchers>();
  private readonly resumed = new Set<number | null>();
  private readonly scopes = new Map<number | null, string | null>();
  private readonly q: { near: Statement; sameTime: Statement; scope: Statement; setScope: Statement };
  /** Rows with a higher id were written by this run. */
  private readonly lastRowBefore: number;

  constructor(
    db: Db,
    private readonly toleranceMs: number,
  ) {
    this.lastRowBefore = (db.prepare(`SELECT coalesce(max(id), 0) FROM message_rows`).pluck().get() as number) ?? 0;
    this.q = {
      near: db.prepare(
        `SELECT ${ROW_COLUMNS} FROM message_rows r
         WHERE r.chat_id = ? AND r.time BETWEEN ? AND ? AND r.author_id = ? AND coalesce(r.text, r.body) = ? AND r.id <> ?`,
      ),
      sameTime: db.prepare(
        `SELECT ${ROW_COLUMNS} FROM message_rows r
         WHERE r.chat_id = ? AND r.time = ? AND r.author_id = ? AND r.native_id IS NULL AND coalesce(r.text, r.body) <> ? AND r.id <> ?
         ORDER BY r.id`,
      ),
      scope: db.prepare(
        `SELECT coalesce((SELECT value FROM meta WHERE key = 'id-scope:' || s.id), s.format) FROM sources s WHERE s.id = ?`,
      ).pluck(),
      setScope: db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
    };
  }

  get enabled(): boolean {
    return this.toleranceMs > 0;
  }

  /** The source's message ids are unique within `scope` (default: within its format). */
  nameScope(sourceId: number | null, scope: string): void {
    if (sourceId === null || this.scopes.get(sourceId) === scope) return;
    this.q.setScope.run(`id-scope:${sourceId}`, scope);
    this.scopes.set(sourceId, scope);
  }

  /** The source continues an appended log: its new lines never merge into its own earlier ones. */
  resume(sourceId: number | null): void {
    this.resumed.add(sourceId);
  }

  /**
   * An incoming message of `sourceId` matched a stored key exactly (a row's own, or an alias of
   * `aliasOf`): that row holds its message.
   */
  matchedByKey(key: string, sourceId: number | null, aliasOf?: number): void {
    if (!this.enabled) return;
    if (aliasOf === undefined) addMatcher(this.matchedKeys, key, sourceId);
    else addMatcher(this.matchedRows, aliasOf, sourceId);
  }

  defer(pending: Pending): void {
    this.pending.push(pending);
  }

  resolve(): Resolution[] {
    const order = [...this.pending].sort((a, b) => a.chatId - b.chatId || a.time - b.time || a.rowId - b.rowId);
    const pendingRows = new Set(order.map((p) => p.rowId));
    const mergedInto = new Map<number, number>();
    const holds = new Map<number, Holders>();
    const holdsOf = (row: { id: number; key: string; source_id: number | null }): Holders => {
      let set = holds.get(row.id);
      if (!set) {
        holds.set(row.id, (set = new Set()));
        if (row.id > this.lastRowBefore) set.add(row.source_id);
        for (const seen of [this.matchedKeys.get(row.key), this.matchedRows.get(row.id)]) {
          if (seen instanceof Set) for (const s of seen) set.add(s);
          else if (seen !== undefined) set.add(seen);
        }
      }
      return set;
    };
    const out: Resolution[] = [];
    for (const p of order) {
      const self = holdsOf({ id: p.rowId, key: p.key, source_id: p.sourceId });
      const free = (c: Row) =>
        !mergedInto.has(c.id) &&
        !(this.resumed.has(p.sourceId) && c.source_id === p.sourceId) &&
        mayJoin(self, holdsOf(c));
      const sameScope = (c: Row) => c.native_id !== null && p.nativeId !== null && this.scope(p.sourceId) !== null && this.scope(p.sourceId) === this.scope(c.source_id);

      const near = (this.q.near.all(p.chatId, p.time - this.toleranceMs, p.time + this.toleranceMs, p.authorId, p.text, p.rowId) as Row[])
        .filter((c) => free(c) && !(sameScope(c) && c.native_id !== p.nativeId) && !distinctFiles(p, c))
        .map((c) => ({
          c,
          rank: [sameScope(c) ? 0 : 1, differentFiles(p.attachments, c.attachments) ? 1 : 0, pendingRows.has(c.id) ? 1 : 0, Math.abs(c.time - p.time), c.time, c.id],
        }))
        .sort((a, b) => compareRanks(a.rank, b.rank));
      let into: Row | undefined = near[0]?.c;
      let takeContent = into !== undefined && idLessFile(p, into);
      if (!into && p.nativeId === null) {
        into = (this.q.sameTime.all(p.chatId, p.time, p.authorId, p.text, p.rowId) as Row[]).find((c) => free(c) && idLessEdit(p, c) !== null);
        if (into) takeContent = idLessEdit(p, into)!;
      }
      if (!into) {
        out.push({ pending: p, into: null, takeContent: false });
        continue;
      }
      mergedInto.set(p.rowId, into.id);
      joinHolders(holdsOf(into), self);
      out.push({ pending: p, into: into.id, takeContent });
    }
    // A pending row that took others in and then merged itself: its others follow it.
    const final = (id: number): number => {
      while (mergedInto.has(id)) id = mergedInto.get(id)!;
      return id;
    };
    for (const r of out) if (r.into !== null) r.into = final(r.into);
    return out;
  }

  private scope(sourceId: number | null): string | null {
    if (sourceId === null) return null;
    let scope = this.scopes.get(sourceId);
    if (scope === undefined) this.scopes.set(sourceId, (scope = (this.q.scope.get(sourceId) as string | undefined) ?? null));
    return scope;
  }
}

/**
 * An id-less message and a stored one of the same author and time with another text are one
 * message when one of them is a later state of it (edited or deleted): null when neither is.
 * True: the incoming one is the later state and replaces the content (a deletion beats an edit;
 * of two edits, the stored one stays).
 */
function idLessEdit(p: Pending, c: Row): boolean | null {
  const storedEdited = (c.flags & MessageFlags.edited) !== 0;
  if (!p.edited && !p.deleted && !storedEdited && !c.deleted) return null;
  if (p.deleted) return !c.deleted;
  return p.edited && !storedEdited && !c.deleted;
}

/**
 * Whether the files of two near matches make them two messages. Different files (keep.ts's
 * differentFiles) at different times are two: a picture sent again a minute later with another
 * file, which an export holding only one of the two would otherwise merge into the other (a
 * loss). At the same time they are one message whose file one export holds with other bytes (one
 * phone's re-compressed copy, under that phone's own file name): kept apart, each account's
 * export would double it. Two pictures of one minute stay two where an export holds both (a row
 * takes one message of each source) and where another holds one of them (it meets the row with its
 * own file first; with other bytes, the earlier of the two, which keeps its own content). What
 * this cannot tell apart: two pictures of the same time, author and caption, each export holding
 * only the other one, become one; and a copy with other bytes whose clock is off by a second or
 * more stays a second message (a double, where the other choice would risk a loss).
 */
function distinctFiles(p: Pending, c: Row): boolean {
  return c.time !== p.time && differentFiles(p.attachments, c.attachments);
}

/**
 * An id-less message with its file and a stored twin without one (WhatsApp's "<Media omitted>":
 * the export left the files out) are one message shown with the file: the incoming one replaces
 * the content. The other way round the stored row stays as it is (its key names it, its file stays).
 */
function idLessFile(p: Pending, c: Row): boolean {
  return p.nativeId === null && c.native_id === null && !c.deleted && !p.deleted && filesOf(p.attachments).length > 0 && filesOf(c.attachments).length === 0;
}

/**
 * A source that holds a message of a stored row without the store naming it: the one whose key
 * became the row's alias (message_aliases records no source). Only the repair of stored rows
 * (repair.ts) meets it; an import knows every source of its own run by name.
 */
export const UNNAMED_SOURCE: unique symbol = Symbol('a source the store does not name');

/** The sources whose messages a row holds (its own writer's, and those merged into it). */
export type Holders = Set<number | null | typeof UNNAMED_SOURCE>;

/**
 * The rule of what two rows may become one: a row holds at most one message of each source, so
 * two rows are one message only when no source holds both (identical lines of one export stay
 * apart). A source the store does not name may be any: a row holding one is joined with nothing.
 */
export function mayJoin(a: Holders, b: Holders): boolean {
  if (a.size === 0 || b.size === 0) return true;
  if (a.has(UNNAMED_SOURCE) || b.has(UNNAMED_SOURCE)) return false;
  for (const s of a) if (b.has(s)) return false;
  return true;
}

/** `into` now holds what `from` held too (`from` was merged into it). */
export function joinHolders(into: Holders, from: Holders): void {
  for (const s of from) into.add(s);
}

/** The source, or sources, whose messages matched one key or row (a Set only when several did). */
type Matchers = number | null | Set<number | null>;

function addMatcher<K>(map: Map<K, Matchers>, at: K, sourceId: number | null): void {
  const seen = map.get(at);
  if (seen === undefined) map.set(at, sourceId);
  else if (seen instanceof Set) seen.add(sourceId);
  else if (seen !== sourceId) map.set(at, new Set([seen, sourceId]));
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
