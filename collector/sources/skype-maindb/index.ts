/**
 * Skype classic (≤ 7, before 2017): the local SQLite database `main.db` that kept every chat.
 *
 *   Accounts       the owner (skypename, fullname)
 *   Contacts       people (skypename, fullname, displayname)
 *   Conversations  one row per dialog (type 1, identity = partner) or group (type 2, identity =
 *                  `#alice/$bob;hash`, `19:…@thread.skype`, or a temporary `#alice/$*T;id` whose
 *                  real id is in alt_identity); Participants lists their members
 *   Chats          the older per-"chat" rows (name = Messages.chatname; type 2 dialog, 4 group),
 *                  linked to a conversation by conv_dbid; ChatMembers lists their members
 *   Messages       convo_id, chatname, author, from_dispname, guid (32-byte blob), timestamp (s),
 *                  type, body_xml, identities (space-separated skypenames), edited_timestamp,
 *                  remote_id, call_guid…
 *   Transfers      files of type-68 messages (chatmsg_guid = Messages.guid: filename, filesize)
 *   Calls, CallMembers   durations of calls; SMSes the text of SMS messages
 *
 * The file is the user's archive: it is read, never written. A database in rollback-journal mode
 * without a journal beside it (every finished Skype ≤ 7 main.db) is opened read-only in place:
 * SQLite then only takes shared locks and creates no file. Anything else (WAL mode, whose readers
 * create -wal/-shm files; a hot journal or WAL left by a crash, which a reader would have to
 * replay) is copied to a private temporary folder first and read there.
 *
 * Columns differ between Skype versions: every query is built from `PRAGMA table_info`, a missing
 * column reads as NULL, and missing tables are simply not used.
 *
 * Mapping: messages are grouped by conversation (convo_id), falling back to Chats/chatname for
 * rows without one; chat ids are canonical (collector/identity/skype-ids.ts) so that both Skype
 * sources and both sides of a dialog agree. Authors are `8:<skypename>`. `body_xml` is kept as the
 * body (markup 'skype'); events without one get a small body in the same markup (`<addmember>`,
 * `<deletemember>`, `<topicupdate>` with ids only, as exports write them; `<partlist>`, `<files>`,
 * `<sms>`) or a plain sentence (contact shared, group created…).
 * Identity: the message guid (hex) — the same in every account for peer-to-peer messages; cloud
 * (`19:`) thread messages get a different guid per account, and their clocks differ by a second
 * or so, so those meet through the store's near-duplicate merge. edited_timestamp → editedAt; an
 * emptied text → deleted. Unknown types are imported as events and counted in one warning each.
 */
import { copyFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalSkypeChatId, skypePersonId } from '../../identity/skype-ids.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent, type SourceWarning } from '../types.js';
import { type Attachment, type ChatRecord, type MessageKind, type MessageRecord, type PersonRecord } from '../../model.js';
import { readHead } from '../kit/files.js';
import { ownedTempDir, removeTempDir } from '../../temp-dir.js';

type Db = Database.Database;

export const skypeMainDb: SourceAdapter = {
  format: 'skype-maindb',
  description: 'Skype classic (≤ 7) main.db SQLite database, read without modifying it',
  detect,
  read,
};

const SQLITE_MAGIC = 'SQLite format 3\u0000';
/** How much of the file detect() scans for the Messages schema. */
const DETECT_BYTES = 4 << 20;
/** Progress every this many messages. */
const PROGRESS_EVERY = 2000;
/** Individual warnings per file before they are only counted. */
const MAX_WARNINGS = 200;

// ---------------------------------------------------------------------------------------------
// detect

async function detect(path: string): Promise<boolean> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    size = info.size;
  } catch {
    return false;
  }
  if (size < 512) return false;
  let head: Buffer;
  try {
    head = await readHead(path, Math.min(size, DETECT_BYTES));
  } catch {
    return false;
  }
  if (head.toString('latin1', 0, 16) !== SQLITE_MAGIC) return false;
  const text = head.toString('latin1');
  if (/CREATE TABLE "?Messages"?\s*\(/.test(text) && text.includes('body_xml') && text.includes('chatname')) return true;
  // The schema was not near the start: ask SQLite, when that can be done without side effects.
  if (isWalHeader(head) || (await nonEmpty(`${path}-journal`)) || (await nonEmpty(`${path}-wal`))) return false;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const schema = new Schema(db);
      return schema.has('Messages', 'chatname') && (schema.has('Messages', 'body_xml') || schema.has('Messages', 'body'));
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/** File format read/write versions 2: the database is in WAL mode. */
function isWalHeader(head: Buffer): boolean {
  return head.length >= 20 && (head[18] === 2 || head[19] === 2);
}

async function nonEmpty(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Opening without side effects

interface Opened {
  db: Db;
  /** Why a private copy was read, when one was. */
  copied: string | null;
  close(): Promise<void>;
}

async function openSafely(path: string): Promise<Opened> {
  let head: Buffer;
  try {
    head = await readHead(path, 100);
  } catch (err) {
    throw new SourceError(path, null, `cannot read: ${(err as Error).message}`);
  }
  if (head.length < 100 || head.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
    throw new SourceError(path, 'byte 0', 'not an SQLite database (a Skype main.db is one)');
  }
  const wal = isWalHeader(head);
  const sidecars: string[] = [];
  for (const suffix of ['-journal', '-wal']) if (await nonEmpty(`${path}${suffix}`)) sidecars.push(suffix);

  if (!wal && sidecars.length === 0) {
    let db: Db;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('query_only = ON');
    } catch (err) {
      throw new SourceError(path, null, `cannot open as SQLite: ${(err as Error).message}`);
    }
    return { db, copied: null, close: async () => void db.close() };
  }

  // A reader would create files beside it or replay a journal: read a private copy instead.
  const dir = ownedTempDir('cc-maindb-');
  const copy = join(dir, 'main.db');
  try {
    await copyFile(path, copy);
    for (const suffix of sidecars) await copyFile(`${path}${suffix}`, `${copy}${suffix}`);
    const db = new Database(copy, { fileMustExist: true });
    db.pragma('query_only = ON');
    const reason = sidecars.length
      ? `a ${sidecars.map((s) => s.slice(1)).join(' and ')} file lies beside the database (was Skype still running?)`
      : 'the database is in WAL mode';
    return {
      db,
      copied: reason,
      close: async () => {
        db.close();
        removeTempDir(dir);
      },
    };
  } catch (err) {
    removeTempDir(dir);
    throw new SourceError(path, null, `cannot open as SQLite: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Schema introspection

class Schema {
  /** lower-case table name → [real name, lower-case column names]. */
  private readonly tables = new Map<string, { name: string; columns: Set<string> }>();

  constructor(private readonly db: Db) {
    // CAST: in a damaged file even the schema's names may not be text.
    const names = db.prepare(`SELECT CAST(name AS TEXT) FROM sqlite_master WHERE type = 'table' AND name IS NOT NULL`).pluck().all() as string[];
    for (const name of names) this.tables.set(name.toLowerCase(), { name, columns: new Set() });
  }

  has(table: string, column?: string): boolean {
    const entry = this.tables.get(table.toLowerCase());
    if (!entry) return false;
    if (column === undefined) return true;
    return this.columns(entry).has(column.toLowerCase());
  }

  /** `"Table"` as the file spells it. */
  table(table: string): string {
    return quote(this.tables.get(table.toLowerCase())?.name ?? table);
  }

  /** `alias."column" AS column` when it exists (text columns cast to text), else `NULL AS column`. */
  select(table: string, alias: string, columns: readonly string[]): string {
    return columns
      .map((c) => {
        if (!this.has(table, c)) return `NULL AS ${quote(c)}`;
        const value = `${alias}.${quote(c)}`;
        return `${TEXT_COLUMNS.has(c) ? `CAST(${value} AS TEXT)` : value} AS ${quote(c)}`;
      })
      .join(', ');
  }

  private columns(entry: { name: string; columns: Set<string> }): Set<string> {
    if (entry.columns.size === 0) {
      const rows = this.db.prepare(`PRAGMA table_info(${quote(entry.name)})`).all() as { name: string }[];
      for (const row of rows) entry.columns.add(String(row.name).toLowerCase());
    }
    return entry.columns;
  }
}

/**
 * Columns the reader treats as strings. SQLite lets any cell hold any type, and a damaged or
 * hand-made file may put a number or a blob there: read as text, they cannot trip string code.
 */
const TEXT_COLUMNS = new Set([
  'skypename', 'fullname', 'displayname', 'given_displayname', 'identity', 'meta_topic', 'alt_identity', 'name', 'topic',
  'friendlyname', 'dialog_partner', 'participants', 'activemembers', 'filename', 'dispname', 'target_numbers', 'chatname',
  'author', 'from_dispname', 'body_xml', 'body', 'identities', 'call_guid',
]);

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// Rows

interface MessageRow {
  id: number;
  convo_id: number | null;
  chatname: string | null;
  author: string | null;
  from_dispname: string | null;
  guid: Buffer | string | null;
  dialog_partner: string | null;
  timestamp: number | null;
  type: number | null;
  chatmsg_type: number | null;
  chatmsg_status: number | null;
  edited_timestamp: number | null;
  body_xml: string | null;
  body: string | null;
  identities: string | null;
  remote_id: number | null;
  call_guid: string | null;
}
const MESSAGE_COLUMNS = [
  'id', 'convo_id', 'chatname', 'author', 'from_dispname', 'guid', 'dialog_partner', 'timestamp', 'type',
  'chatmsg_type', 'chatmsg_status', 'edited_timestamp', 'body_xml', 'body', 'identities', 'remote_id', 'call_guid',
] as const;

interface ConversationRow {
  id: number;
  identity: string | null;
  type: number | null;
  displayname: string | null;
  given_displayname: string | null;
  meta_topic: string | null;
  alt_identity: string | null;
}

interface ChatRow {
  name: string | null;
  type: number | null;
  topic: string | null;
  friendlyname: string | null;
  dialog_partner: string | null;
  participants: string | null;
  activemembers: string | null;
  conv_dbid: number | null;
}

interface Transfer {
  name: string;
  size: number | null;
  index: number | null;
}

interface CallInfo {
  duration: number | null;
  begin: number | null;
  members: { identity: string; name: string | null; duration: number | null }[];
}

/** One chat to emit: everything main.db files under the same canonical id. */
interface Unit {
  nativeId: string;
  kind: 'direct' | 'group';
  title: string | null;
  /** Skypenames (or prefixed ids) of the members. */
  members: Set<string>;
  convoIds: Set<number>;
  /** Chatnames of messages that belong to no known conversation. */
  chatnames: Set<string>;
  /** Messages in the unit (for progress). */
  count: number;
}

// ---------------------------------------------------------------------------------------------
// Reading

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return readMainDb(path, options);
}

async function* readMainDb(path: string, options: ReadOptions): AsyncGenerator<SourceEvent> {
  const opened = await openSafely(path);
  try {
    const reader = new MainDbReader(path, opened.db);
    if (opened.copied) reader.warn('file', `read from a private copy because ${opened.copied}; the file itself was not touched`);
    yield* reader.events(options, (await stat(path)).size);
  } catch (err) {
    // A damaged file fails wherever a query first meets the damage (schema, rows, indexes).
    if (err instanceof Database.SqliteError) throw new SourceError(path, null, `cannot read the database: ${err.message}`);
    throw err;
  } finally {
    await opened.close();
  }
}

class MainDbReader {
  private readonly schema: Schema;
  private readonly warnings: SourceWarning[] = [];
  private warningCount = 0;
  private readonly unknownTypes = new Map<number | string, { count: number; first: number }>();
  private skippedNoTime = 0;
  private skippedNoAuthor = 0;
  private skippedNoChat = 0;

  /** skypename → display name (Accounts, Contacts, then the latest from_dispname). */
  private readonly names = new Map<string, string>();
  private owner: string | null = null;
  private readonly conversations = new Map<number, ConversationRow>();
  private readonly chatsByName = new Map<string, ChatRow>();
  private readonly chatsByConvo = new Map<number, ChatRow[]>();
  private readonly transfers = new Map<string, Transfer[]>();
  private readonly callsByGuid = new Map<string, CallInfo>();
  private readonly callsByConvo = new Map<number, CallInfo[]>();
  private readonly smses = new Map<number, { body: string; targets: string[] }>();

  constructor(
    private readonly path: string,
    private readonly db: Db,
  ) {
    this.schema = new Schema(db);
  }

  warn(position: string, message: string): void {
    this.warningCount++;
    if (this.warningCount <= MAX_WARNINGS) this.warnings.push({ position, message });
  }

  private *takeWarnings(): Generator<SourceEvent> {
    const pending = this.warnings.splice(0);
    for (const warning of pending) yield { type: 'warning', warning };
  }

  async *events(options: ReadOptions, fileSize: number): AsyncGenerator<SourceEvent> {
    const s = this.schema;
    if (!s.has('Messages')) throw new SourceError(this.path, null, 'not a Skype main.db: it has no Messages table');
    if (!s.has('Messages', 'timestamp') || !s.has('Messages', 'author') || !(s.has('Messages', 'body_xml') || s.has('Messages', 'body'))) {
      throw new SourceError(this.path, null, 'not a Skype main.db: its Messages table lacks timestamp, author or body_xml');
    }
    this.loadPeople();
    this.loadChats();
    this.loadAttachments();
    const units = this.units();
    const total = (this.db.prepare(`SELECT count(*) FROM ${s.table('Messages')}`).pluck().get() as number) || 1;
    let done = 0;
    yield* this.takeWarnings();

    const wantChat = options.wantChat ?? (() => true);
    for (const unit of units) {
      if (!wantChat(unit.nativeId)) {
        done += unit.count;
        continue;
      }
      yield { type: 'chat', chat: this.chatRecord(unit) };
      for (const row of this.messagesOf(unit)) {
        done++;
        const record = this.messageRecord(row);
        if (record) yield { type: 'message', message: record };
        if (done % PROGRESS_EVERY === 0) yield { type: 'progress', done: Math.round((fileSize * done) / total), total: fileSize };
      }
      yield* this.takeWarnings();
    }
    this.finalWarnings();
    yield* this.takeWarnings();
    if (this.warningCount > MAX_WARNINGS) {
      yield { type: 'warning', warning: { position: 'file', message: `${this.warningCount - MAX_WARNINGS} more warnings not shown` } };
    }
    yield { type: 'progress', done: fileSize, total: fileSize };
  }

  private finalWarnings(): void {
    for (const [type, { count, first }] of this.unknownTypes) {
      this.warn(`Messages row ${first}`, `${count} message${count === 1 ? '' : 's'} of unknown type ${type} imported as events`);
    }
    if (this.skippedNoTime) this.warn('Messages', `${this.skippedNoTime} messages without a timestamp were skipped`);
    if (this.skippedNoAuthor) this.warn('Messages', `${this.skippedNoAuthor} messages without an author were skipped`);
    if (this.skippedNoChat) this.warn('Messages', `${this.skippedNoChat} messages without a conversation or chat name were skipped`);
  }

  // --- people ---------------------------------------------------------------------------------

  private loadPeople(): void {
    const s = this.schema;
    const fromMessages = (): void => {
      // The latest name each author used, for people without a contact entry.
      if (!s.has('Messages', 'from_dispname')) return;
      const rows = this.db
        .prepare(
          `SELECT author, from_dispname, max(timestamp) FROM ${s.table('Messages')}
           WHERE author IS NOT NULL AND from_dispname IS NOT NULL AND from_dispname != '' GROUP BY author`,
        )
        .raw()
        .all() as [string, string, number][];
      for (const [author, name] of rows) if (!this.names.has(author)) this.names.set(author, name);
    };
    for (const table of ['Accounts', 'Contacts']) {
      if (!s.has(table, 'skypename')) continue;
      const rows = this.db
        .prepare(`SELECT ${s.select(table, 't', ['skypename', 'fullname', 'displayname'])} FROM ${s.table(table)} t ORDER BY t.rowid`)
        .all() as { skypename: string | null; fullname: string | null; displayname: string | null }[];
      for (const row of rows) {
        if (!row.skypename) continue;
        const name = nonBlank(row.fullname) ?? nonBlank(row.displayname);
        if (name && !this.names.has(row.skypename)) this.names.set(row.skypename, name);
        if (table === 'Accounts' && !this.owner) this.owner = row.skypename;
      }
    }
    fromMessages();
    if (!this.owner) this.owner = this.guessOwner();
    if (!this.owner) this.warn('Accounts', 'the account owner is unknown: dialogs are named by their partner only');
  }

  /** No Accounts row: the author of outgoing messages, else the folder Skype keeps main.db in. */
  private guessOwner(): string | null {
    const s = this.schema;
    if (s.has('Messages', 'chatmsg_status')) {
      const author = this.db
        .prepare(
          `SELECT author FROM ${s.table('Messages')} WHERE chatmsg_status IN (1, 2) AND author IS NOT NULL
           GROUP BY author ORDER BY count(*) DESC LIMIT 1`,
        )
        .pluck()
        .get() as string | undefined;
      if (author) return author;
    }
    const folder = basename(dirname(this.path));
    const seen = this.db.prepare(`SELECT 1 FROM ${s.table('Messages')} WHERE author = ? LIMIT 1`).get(folder);
    return seen ? folder : null;
  }

  private nameOf(skypename: string): string | null {
    return this.names.get(skypename) ?? null;
  }

  private person(skypename: string): PersonRecord | null {
    const nativeId = skypePersonId(skypename);
    if (!nativeId) return null;
    const displayName = this.nameOf(skypename.trim());
    return displayName ? { nativeId, displayName } : { nativeId };
  }

  // --- chats ----------------------------------------------------------------------------------

  private loadChats(): void {
    const s = this.schema;
    if (s.has('Conversations')) {
      const rows = this.db
        .prepare(
          `SELECT ${s.select('Conversations', 'c', ['id', 'identity', 'type', 'displayname', 'given_displayname', 'meta_topic', 'alt_identity'])}
           FROM ${s.table('Conversations')} c`,
        )
        .all() as ConversationRow[];
      for (const row of rows) if (row.id != null) this.conversations.set(row.id, row);
    }
    if (s.has('Chats', 'name')) {
      const rows = this.db
        .prepare(
          `SELECT ${s.select('Chats', 'c', ['name', 'type', 'topic', 'friendlyname', 'dialog_partner', 'participants', 'activemembers', 'conv_dbid'])}
           FROM ${s.table('Chats')} c ORDER BY ${s.has('Chats', 'timestamp') ? 'c."timestamp" DESC, ' : ''}c.rowid DESC`,
        )
        .all() as ChatRow[];
      // Newest first: the first topic found for a conversation is its latest.
      for (const row of rows) {
        if (!row.name || this.chatsByName.has(row.name)) continue;
        this.chatsByName.set(row.name, row);
        if (row.conv_dbid != null) {
          const list = this.chatsByConvo.get(row.conv_dbid);
          if (list) list.push(row);
          else this.chatsByConvo.set(row.conv_dbid, [row]);
        }
      }
    }
  }

  /** `convo_id` is set and names a known conversation. */
  private orphanCondition(alias: string): string {
    const s = this.schema;
    if (!s.has('Messages', 'convo_id') || !s.has('Conversations', 'id')) return '1';
    return `(${alias}.convo_id IS NULL OR ${alias}.convo_id NOT IN (SELECT id FROM ${s.table('Conversations')}))`;
  }

  /** Every chat with messages, by canonical id (several conversations or chat names may share one). */
  private units(): Unit[] {
    const s = this.schema;
    const M = s.table('Messages');
    const units = new Map<string, Unit>();
    const unitFor = (nativeId: string, kind: Unit['kind']): Unit => {
      let unit = units.get(nativeId);
      if (!unit) {
        unit = { nativeId, kind, title: null, members: new Set(), convoIds: new Set(), chatnames: new Set(), count: 0 };
        units.set(nativeId, unit);
      }
      return unit;
    };

    if (s.has('Messages', 'convo_id') && this.conversations.size) {
      const counts = this.db.prepare(`SELECT convo_id, count(*) FROM ${M} WHERE convo_id IS NOT NULL GROUP BY convo_id`).raw().all() as [number, number][];
      for (const [convoId, count] of counts) {
        const conv = this.conversations.get(convoId);
        if (!conv) continue;
        const unit = this.conversationUnit(conv, unitFor);
        if (!unit) {
          this.skippedNoChat += count;
          continue;
        }
        unit.convoIds.add(convoId);
        unit.count += count;
      }
    }

    const orphans = this.db
      .prepare(`SELECT m.chatname, count(*) FROM ${M} m WHERE ${this.orphanCondition('m')} GROUP BY m.chatname`)
      .raw()
      .all() as [string | null, number][];
    for (const [chatname, count] of orphans) {
      if (!chatname || !chatname.trim()) {
        this.skippedNoChat += count;
        continue;
      }
      const chat = this.chatsByName.get(chatname);
      const conv = chat?.conv_dbid != null ? this.conversations.get(chat.conv_dbid) : undefined;
      let unit: Unit | null;
      if (conv) {
        unit = this.conversationUnit(conv, unitFor);
      } else if (chat?.type === 2 || (!chat && isBareName(chatname))) {
        const partner = nonBlank(chat?.dialog_partner) ?? dialogPartnerOf(chatname, this.owner);
        unit = partner ? this.dialogUnit(partner, unitFor) : null;
      } else {
        const nativeId = canonicalSkypeChatId(chatname, this.owner);
        unit = unitFor(nativeId, nativeId.includes('|') ? 'direct' : 'group');
        this.addChatDetails(unit, chat);
      }
      if (!unit) {
        this.skippedNoChat += count;
        continue;
      }
      unit.chatnames.add(chatname);
      unit.count += count;
    }
    return [...units.values()].sort((a, b) => (a.nativeId < b.nativeId ? -1 : a.nativeId > b.nativeId ? 1 : 0));
  }

  private dialogUnit(partner: string, unitFor: (id: string, kind: Unit['kind']) => Unit): Unit | null {
    const nativeId = canonicalSkypeChatId(partner, this.owner);
    if (!nativeId) return null;
    const unit = unitFor(nativeId, 'direct');
    unit.members.add(partner.trim());
    if (this.owner) unit.members.add(this.owner);
    return unit;
  }

  private conversationUnit(conv: ConversationRow, unitFor: (id: string, kind: Unit['kind']) => Unit): Unit | null {
    const identity = nonBlank(conv.identity);
    if (conv.type === 1) {
      return identity ? this.dialogUnit(identity, unitFor) : null;
    }
    let id = identity;
    const alt = nonBlank(conv.alt_identity);
    if (!id || TEMPORARY_NAME.test(id)) {
      // A group being created has a temporary name; its real (cloud) id came later.
      id = (alt && alt.startsWith('19:') ? alt : null) ?? this.threadIdFromMessages(conv.id) ?? id;
    }
    if (!id) return null;
    const nativeId = canonicalSkypeChatId(id, this.owner);
    const unit = unitFor(nativeId, nativeId.includes('|') ? 'direct' : 'group');
    unit.title ??= nonBlank(conv.meta_topic);
    for (const chat of this.chatsByConvo.get(conv.id) ?? []) this.addChatDetails(unit, chat);
    unit.title ??= nonBlank(conv.given_displayname);
    if (this.schema.has('Participants', 'convo_id') && this.schema.has('Participants', 'identity')) {
      const members = this.db
        .prepare(`SELECT identity FROM ${this.schema.table('Participants')} WHERE convo_id = ? ORDER BY rowid`)
        .pluck()
        .all(conv.id) as (string | null)[];
      for (const member of members) if (member) unit.members.add(member);
    }
    if (!unit.title && unit.members.size > 4) unit.title = nonBlank(conv.displayname);
    return unit;
  }

  private addChatDetails(unit: Unit, chat: ChatRow | undefined): void {
    if (!chat) return;
    unit.title ??= nonBlank(chat.topic);
    for (const list of [chat.participants, chat.activemembers]) {
      for (const member of splitNames(list)) unit.members.add(member);
    }
    if (chat.name && this.schema.has('ChatMembers', 'chatname') && this.schema.has('ChatMembers', 'identity')) {
      const members = this.db
        .prepare(`SELECT identity FROM ${this.schema.table('ChatMembers')} WHERE chatname = ? ORDER BY rowid`)
        .pluck()
        .all(chat.name) as (string | null)[];
      for (const member of members) if (member) unit.members.add(member);
    }
  }

  private threadIdFromMessages(convoId: number): string | null {
    const s = this.schema;
    if (!s.has('Messages', 'dialog_partner')) return null;
    const id = this.db
      .prepare(`SELECT dialog_partner FROM ${s.table('Messages')} WHERE convo_id = ? AND dialog_partner LIKE '19:%' LIMIT 1`)
      .pluck()
      .get(convoId) as string | undefined;
    return id ?? null;
  }

  private chatRecord(unit: Unit): ChatRecord {
    const members: PersonRecord[] = [];
    const seen = new Set<string>();
    for (const member of unit.members) {
      const person = this.person(member);
      if (!person || seen.has(person.nativeId)) continue;
      seen.add(person.nativeId);
      members.push(person);
    }
    // A dialog's title is its members' names (the site's default): the same from both sides.
    // Guids of cloud-thread messages differ between accounts (local ids between files): only one
    // account's ids tell two messages apart.
    const idScope = this.owner ? `skype-maindb:${skypePersonId(this.owner)}` : `skype-maindb:${this.path}`;
    const owner = this.owner ? (this.person(this.owner)?.nativeId ?? null) : null;
    return { nativeId: unit.nativeId, title: unit.kind === 'direct' ? null : unit.title, kind: unit.kind, members, idScope, owner };
  }

  // --- files, calls, SMS ----------------------------------------------------------------------

  private loadAttachments(): void {
    const s = this.schema;
    if (s.has('Transfers', 'chatmsg_guid') && s.has('Transfers', 'filename')) {
      const rows = this.db
        .prepare(
          `SELECT ${s.select('Transfers', 't', ['chatmsg_guid', 'chatmsg_index', 'filename', 'filesize'])}
           FROM ${s.table('Transfers')} t WHERE t.chatmsg_guid IS NOT NULL ORDER BY t.rowid`,
        )
        .all() as { chatmsg_guid: Buffer | string; chatmsg_index: number | null; filename: string | null; filesize: string | number | null }[];
      for (const row of rows) {
        const guid = hexOf(row.chatmsg_guid);
        const name = nonBlank(row.filename);
        if (!guid || !name) continue;
        // An outgoing transfer to a group has one row per recipient: one file.
        const list = this.transfers.get(guid) ?? [];
        if (list.some((t) => t.name === name && t.index === row.chatmsg_index)) continue;
        const size = Number(row.filesize);
        list.push({ name, size: Number.isFinite(size) && size > 0 ? size : null, index: row.chatmsg_index });
        this.transfers.set(guid, list);
      }
    }
    if (s.has('Calls', 'id')) {
      const calls = new Map<number, CallInfo>();
      const rows = this.db
        .prepare(`SELECT ${s.select('Calls', 'c', ['id', 'conv_dbid', 'begin_timestamp', 'duration'])} FROM ${s.table('Calls')} c`)
        .all() as { id: number; conv_dbid: number | null; begin_timestamp: number | null; duration: number | null }[];
      for (const row of rows) {
        const call: CallInfo = { duration: positive(row.duration), begin: row.begin_timestamp, members: [] };
        calls.set(row.id, call);
        if (row.conv_dbid != null) {
          const list = this.callsByConvo.get(row.conv_dbid) ?? [];
          list.push(call);
          this.callsByConvo.set(row.conv_dbid, list);
        }
      }
      for (const list of this.callsByConvo.values()) list.sort((a, b) => (a.begin ?? 0) - (b.begin ?? 0));
      if (s.has('CallMembers', 'call_db_id')) {
        const members = this.db
          .prepare(
            `SELECT ${s.select('CallMembers', 'm', ['call_db_id', 'guid', 'identity', 'dispname', 'call_duration'])}
             FROM ${s.table('CallMembers')} m ORDER BY m.rowid`,
          )
          .all() as { call_db_id: number | null; guid: string | null; identity: string | null; dispname: string | null; call_duration: number | null }[];
        for (const member of members) {
          const call = member.call_db_id != null ? calls.get(member.call_db_id) : undefined;
          if (!call) continue;
          if (member.identity) call.members.push({ identity: member.identity, name: nonBlank(member.dispname), duration: positive(member.call_duration) });
          if (member.guid) this.callsByGuid.set(member.guid, call);
        }
      }
    }
    if (s.has('SMSes', 'chatmsg_id') && s.has('SMSes', 'body')) {
      const rows = this.db
        .prepare(`SELECT ${s.select('SMSes', 's', ['chatmsg_id', 'body', 'target_numbers'])} FROM ${s.table('SMSes')} s WHERE s.chatmsg_id IS NOT NULL`)
        .all() as { chatmsg_id: number; body: string | null; target_numbers: string | null }[];
      for (const row of rows) {
        if (row.body) this.smses.set(row.chatmsg_id, { body: row.body, targets: splitNames(row.target_numbers) });
      }
    }
  }

  /** The call a type-30/39 message belongs to: by call_guid, else the latest begun in its conversation. */
  private callOf(row: MessageRow): CallInfo | null {
    if (row.call_guid) {
      const call = this.callsByGuid.get(row.call_guid);
      if (call) return call;
    }
    const list = row.convo_id != null ? this.callsByConvo.get(row.convo_id) : undefined;
    if (!list || row.timestamp == null) return null;
    let found: CallInfo | null = null;
    for (const call of list) {
      if (call.begin != null && call.begin <= row.timestamp) found = call;
      else break;
    }
    return found;
  }

  // --- messages -------------------------------------------------------------------------------

  private messagesOf(unit: Unit): IterableIterator<MessageRow> {
    const s = this.schema;
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (unit.convoIds.size) {
      where.push(`m.convo_id IN (${[...unit.convoIds].map(() => '?').join(', ')})`);
      params.push(...unit.convoIds);
    }
    if (unit.chatnames.size) {
      where.push(`(${this.orphanCondition('m')} AND m.chatname IN (${[...unit.chatnames].map(() => '?').join(', ')}))`);
      params.push(...unit.chatnames);
    }
    const columns = s.select('Messages', 'm', MESSAGE_COLUMNS.filter((c) => c !== 'id'));
    return this.db
      .prepare(
        `SELECT m.rowid AS id, ${columns} FROM ${s.table('Messages')} m WHERE ${where.join(' OR ')} ORDER BY m."timestamp", m.rowid`,
      )
      .iterate(...params) as IterableIterator<MessageRow>;
  }

  private messageRecord(row: MessageRow): MessageRecord | null {
    if (row.timestamp == null || !Number.isFinite(Number(row.timestamp))) {
      this.skippedNoTime++;
      return null;
    }
    const author = nonBlank(row.author);
    const authorId = author ? skypePersonId(author) : null;
    if (!author || !authorId) {
      this.skippedNoAuthor++;
      return null;
    }
    const time = Number(row.timestamp) * 1000;
    const type = row.type ?? legacyType(row.chatmsg_type);
    const raw = (row.body_xml ?? row.body ?? '').replace(/\u0000/g, '');
    const guid = hexOf(row.guid);
    const nativeId = guid ?? (row.remote_id != null ? `remote:${row.remote_id}` : `local:${row.id}`);
    const authorName = nonBlank(row.from_dispname) ?? this.nameOf(author);
    const edited = positive(row.edited_timestamp);
    const editedAt = edited !== null ? edited * 1000 : null;
    const targets = splitNames(row.identities);
    // People in the lines written here are <ccperson> references (collector/markup/skype.ts), so
    // the site can show names, pseudonyms or nothing.
    const actor = (): string => personXml(author, authorName);
    const namesOf = (list: string[]): string => list.map((t) => personXml(t, this.nameOf(t))).join(', ');

    let kind: MessageKind;
    let body = raw;
    let attachments: Attachment[] | undefined;
    switch (type) {
      case 61:
        kind = 'text';
        break;
      case 60:
        kind = 'emote';
        break;
      case 68: {
        kind = 'file';
        const files = (guid && this.transfers.get(guid)) || filesInBody(raw);
        if (files.length) attachments = files.map((f) => (f.size !== null ? { name: f.name, size: f.size } : { name: f.name }));
        if (!raw.trim() && files.length) {
          body = `<files alt="">${files
            .map((f, i) => `<file index="${f.index ?? i}"${f.size !== null ? ` size="${f.size}"` : ''}>${esc(f.name)}</file>`)
            .join('')}</files>`;
        }
        break;
      }
      case 201:
        kind = 'media';
        break;
      case 70:
      case 253:
        kind = 'media';
        if (!raw.trim()) body = 'Video message';
        break;
      case 63:
        kind = 'contact';
        break;
      case 50:
        kind = 'contact';
        if (!raw.trim()) body = `${actor()} would like to add ${namesOf(targets) || 'you'} as a contact.`;
        break;
      case 51:
        kind = 'event';
        body = `${actor()} has shared contact details with ${namesOf(targets) || 'you'}.`;
        break;
      case 53:
        kind = 'event';
        body = `${actor()} has blocked ${namesOf(targets) || 'a contact'}.`;
        break;
      case 64: {
        kind = 'sms';
        const sms = this.smses.get(row.id);
        if (!raw.trim() && sms) {
          body =
            `<sms alt="${esc(sms.body)}"><targets>${sms.targets.map((t) => `<target>${esc(t)}</target>`).join('')}</targets>` +
            `<body><chunk id="0">${esc(sms.body)}</chunk></body></sms>`;
        }
        break;
      }
      case 30:
      case 39:
        kind = 'call';
        body = this.callBody(row, raw, type === 30 ? 'started' : 'ended', author, authorName, targets);
        break;
      case 10:
        kind = 'event';
        body = raw.trim() ? raw : this.activity('addmember', row, author, targets);
        break;
      case 12:
        kind = 'event';
        body = raw.trim() ? raw : this.activity('deletemember', row, author, targets);
        break;
      case 13:
        kind = 'event';
        body = this.activity('deletemember', row, author, targets.length ? targets : [author]);
        break;
      case 2:
        kind = 'event';
        body = raw.trim()
          ? this.activity('topicupdate', row, author, [], raw)
          : this.activity('pictureupdate', row, author, []);
        break;
      case 4:
        kind = 'event';
        body = `${actor()} created a group conversation${targets.length ? ` with ${namesOf(targets)}` : ''}.`;
        break;
      case 110:
        kind = 'event';
        body = `🎂 ${namesOf(targets) || actor()} has a birthday.`;
        break;
      default: {
        kind = 'event';
        const key = type ?? 'none';
        const entry = this.unknownTypes.get(key);
        if (entry) entry.count++;
        else this.unknownTypes.set(key, { count: 1, first: row.id });
        if (!raw.trim()) body = `${actor()}: Skype event (type ${type ?? 'unknown'})`;
      }
    }
    const textual = kind === 'text' || kind === 'emote' || kind === 'file' || kind === 'media';
    const deleted = textual && body.trim() === '';
    const record: MessageRecord = {
      nativeId,
      authorId,
      authorName,
      time,
      kind,
      body,
      markup: 'skype',
      editedAt,
      deleted,
    };
    if (attachments) record.attachments = attachments;
    return record;
  }

  /**
   * `<addmember>`, `<deletemember>`, `<topicupdate>`… exactly as exports write them: ids only, no
   * display names. The store merges the same event seen by another source (another account's
   * main.db, a later export) by its rendered text, and names differ between sources' contact lists
   * where ids never do.
   */
  private activity(tag: string, row: MessageRow, author: string, targets: string[], value?: string): string {
    let xml = `<${tag}><eventtime>${Number(row.timestamp) * 1000}</eventtime><initiator>${esc(skypePersonId(author) ?? author)}</initiator>`;
    for (const target of targets) xml += `<target>${esc(skypePersonId(target) ?? target)}</target>`;
    if (value !== undefined) xml += `<value>${value}</value>`;
    return `${xml}</${tag}>`;
  }

  /** A call's `<partlist>`: the one main.db has (typed), else one built from identities and Calls. */
  private callBody(row: MessageRow, raw: string, type: 'started' | 'ended', author: string, authorName: string | null, targets: string[]): string {
    if (/<partlist\b/i.test(raw)) {
      return /<partlist\b[^>]*\btype=/i.test(raw) ? raw : raw.replace(/<partlist\b/i, `<partlist type="${type}"`);
    }
    const call = type === 'ended' ? this.callOf(row) : null;
    const parts = new Map<string, { name: string | null; duration: number | null }>();
    parts.set(author, { name: authorName, duration: null });
    for (const target of targets) if (!parts.has(target)) parts.set(target, { name: this.nameOf(target), duration: null });
    if (call) {
      for (const member of call.members) {
        const part = parts.get(member.identity) ?? { name: member.name ?? this.nameOf(member.identity), duration: null };
        part.duration = member.duration ?? part.duration;
        parts.set(member.identity, part);
      }
      if (call.duration !== null && ![...parts.values()].some((p) => p.duration !== null)) {
        for (const part of parts.values()) part.duration = call.duration;
      }
    }
    let xml = `<partlist type="${type}" alt="">`;
    for (const [identity, part] of parts) {
      xml += `<part identity="${esc(identity)}">`;
      if (part.name) xml += `<name>${esc(part.name)}</name>`;
      if (type === 'ended' && part.duration !== null) xml += `<duration>${part.duration}</duration>`;
      xml += '</part>';
    }
    return `${xml}</partlist>`;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** `#alice/$*T;189`: a group's name while Skype was still creating it. */
const TEMPORARY_NAME = /\/\$\*T;/;

function nonBlank(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}

function positive(value: unknown): number | null {
  const n = Number(value);
  return value != null && Number.isFinite(n) && n > 0 ? n : null;
}

function splitNames(list: string | null | undefined): string[] {
  if (!list) return [];
  return list.split(/\s+/).filter(Boolean);
}

/** A chat name that is a skypename (old dialogs, contact requests), not a `#…` or `19:` id. */
function isBareName(chatname: string): boolean {
  return !chatname.startsWith('#') && !/^\d+:/.test(chatname) && !/\s/.test(chatname.trim());
}

/** The partner in a dialog chat name: `bob`, or the side of `#alice/$bob;hash` that is not the owner. */
function dialogPartnerOf(chatname: string, owner: string | null): string | null {
  const name = chatname.trim();
  if (isBareName(name)) return name;
  const match = /^#([^/]*)\/\$([^;]*);/.exec(name);
  if (!match) return null;
  const [a, b] = [match[1], match[2]];
  if (!b || b === '*T') return null;
  if (owner && a === owner) return b;
  if (owner && b === owner) return a;
  return b;
}

/** Before `type` existed only chatmsg_type did: 3 was a said message. */
function legacyType(chatmsgType: number | null): number | null {
  if (chatmsgType === 3) return 61;
  return null;
}

function hexOf(value: Buffer | string | null | undefined): string | null {
  if (value == null) return null;
  if (Buffer.isBuffer(value)) return value.length ? value.toString('hex') : null;
  const text = String(value).trim();
  return text ? text.toLowerCase() : null;
}

/** `<files><file size="…" index="…">name</file></files>` → the files it names. */
function filesInBody(body: string): Transfer[] {
  const files: Transfer[] = [];
  if (body.indexOf('<file') < 0) return files;
  for (const m of body.matchAll(/<file\b([^>]*)>([^<]*)<\/file>/gi)) {
    const name = decodeXml(m[2]).trim();
    if (!name) continue;
    const size = Number(/\bsize="(\d+)"/.exec(m[1])?.[1]);
    const index = Number(/\bindex="(\d+)"/.exec(m[1])?.[1]);
    files.push({ name, size: Number.isFinite(size) && size > 0 ? size : null, index: Number.isFinite(index) ? index : null });
  }
  return files;
}

/** A person in a line this adapter writes: `<ccperson id="…">name</ccperson>` (the skype converter's reference). */
function personXml(skypename: string, name: string | null): string {
  return `<ccperson id="${esc(skypename)}">${esc(name ?? skypename)}</ccperson>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

function decodeXml(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi, (whole, dec: string, hex: string, name: string) => {
    if (dec || hex) {
      const cp = dec ? Number(dec) : parseInt(hex, 16);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[name.toLowerCase()];
  });
}
