/**
 * Slack workspace export (Workspace settings → Import/Export data): the `.zip` download, read in
 * place (collector/archive/zip.ts), or its unpacked folder.
 *
 *   users.json                 [{"id": "U…", "team_id", "name", "real_name", "profile":
 *                                {"display_name", "real_name"}, "is_bot"}…]
 *   channels.json, groups.json  public and private channels: [{"id": "C…", "name", "members"}…];
 *                              their messages are in the folder named after `name`
 *   mpims.json                 group DMs, folder named after `name` (`mpdm-alice--bob-1`)
 *   dms.json                   DMs: [{"id": "D…", "members": [U…, U…]}], folder named after `id`
 *   <folder>/YYYY-MM-DD.json   one day's messages: [{"ts": "1458980525.000012", "user", "text",
 *                              "subtype", "thread_ts", "edited": {"ts"}, "reactions", "files",
 *                              "file", "attachments", "bot_id", "username", "bot_profile"}…]
 *
 * Memory stays flat: the metadata files are parsed whole (they are small next to the messages;
 * over MAX_JSON_FILE_BYTES the import stops), then one conversation at a time, one day file at a time (in name order, i.e. by date), each
 * day's messages sorted by ts. A zip is never unpacked: each day file is inflated when its turn
 * comes.
 *
 * Mapping:
 * - Chat native id `slack:<team id>:<channel id>` (the team from users.json's `team_id`s, the most
 *   common one; `slack:<channel id>` when no user names a team). Ids are stable, names are not.
 *   Kind: channels and private channels → channel, group DMs → group, DMs → direct.
 * - People: `slack:<user id>`; bots without a user `slack:<bot id>`. Names: profile.display_name,
 *   else real_name, else name; bot messages show their `username` or bot_profile.name, else the
 *   name the `bot_add` event linked the integration with (`<…/services/B…|github>`).
 * - A message's identity is its `ts` (nativeId), its time `ts` in ms (rounded down: messages are
 *   emitted in full ts order, so sub-ms order holds); `edited.ts` → editedAt; `tombstone` →
 *   deleted. Threads: a reply's replyToKey is the key of its `thread_ts` parent, whose author is
 *   remembered from earlier in the walk (parents come first: their ts is smaller), else taken from
 *   the reply's `parent_user_id`.
 * - Body: the mrkdwn text with `<@U…>`/`<#C…>` resolved to `<@U…|name>`/`<#C…|name>` (the
 *   converter has no users.json; it writes the user as a person reference with the id and this
 *   name), wrapped in a JSON envelope with legacy attachments (bot cards, link previews) and
 *   reactions (with who reacted, by id and name) when there are any (collector/markup/slack.ts). Files (`file`,
 *   `files`) → attachments with name, size, type and the Slack permalink (Slack-hosted files need
 *   a login, so no bytes are copied; export URLs' `?t=` tokens are dropped).
 * - Kinds: plain and bot messages text, `me_message` emote, file shares file, the other subtypes
 *   (joins, leaves, topic, purpose, name, pins, integrations…) event.
 *
 * Bad input: an archive or folder without users.json and a conversation list, a damaged zip, or
 * unreadable metadata is a SourceError; a day file that is not a JSON list, and a message without
 * a valid ts, are skipped with a warning naming the entry (and index).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { duplicateWarnings, isZipFile, openZip, ZipError, type ZipArchive, type ZipEntry } from '../../archive/zip.js';
import { FileTooLarge, readFileCapped } from '../kit/files.js';
import { formatLimit, MAX_JSON_FILE_BYTES } from '../kit/limits.js';
import { messageKey } from '../../identity/key.js';
import type { SlackCard, SlackEnvelope, SlackReaction, SlackReactor } from '../../markup/slack.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent, type SourceWarning } from '../types.js';
import { type Attachment, type ChatRecord, type MessageKind, type MessageRecord, type PersonRecord } from '../../model.js';
import { safeName } from '../kit/media-files.js';
import { unreadableMessage } from '../kit/unreadable.js';

export const slack: SourceAdapter = {
  format: 'slack',
  description: 'Slack workspace export: the .zip download or its unpacked folder',
  detect,
  read,
};

/** Individual warnings per export before they are only counted. */
const MAX_WARNINGS = 200;
/** The conversation lists, in the order their chats are emitted. */
const LISTS = [
  { file: 'channels.json', kind: 'channel', folderBy: 'name' },
  { file: 'groups.json', kind: 'channel', folderBy: 'name' },
  { file: 'mpims.json', kind: 'group', folderBy: 'name' },
  { file: 'dms.json', kind: 'direct', folderBy: 'id' },
] as const;
const DAY_FILE = /^\d{4}-\d\d-\d\d\.json$/;

// ---------------------------------------------------------------------------------------------
// detect

async function detect(path: string): Promise<boolean> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return false;
  }
  if (info.isDirectory()) {
    try {
      return looksLikeExport(new Set(await readdir(path)));
    } catch {
      return false;
    }
  }
  if (!info.isFile() || !(await isZipFile(path))) return false;
  let zip: ZipArchive | null = null;
  try {
    zip = await openZip(path); // the central directory only
    return zipRoot(zip.entries) !== null;
  } catch {
    return false;
  } finally {
    zip?.close();
  }
}

/** users.json beside at least one conversation list. */
function looksLikeExport(names: Set<string>): boolean {
  return names.has('users.json') && LISTS.some((l) => names.has(l.file));
}

/** The folder prefix of the export inside a zip ('' or `name/`), or null if it holds none. */
function zipRoot(entries: readonly ZipEntry[]): string | null {
  const byFolder = new Map<string, Set<string>>();
  for (const entry of entries) {
    if (entry.isDirectory || entry.name.startsWith('__MACOSX/')) continue;
    const m = /^((?:[^/]+\/)?)([^/]+\.json)$/.exec(entry.name);
    if (!m) continue;
    let names = byFolder.get(m[1]);
    if (!names) byFolder.set(m[1], (names = new Set()));
    names.add(m[2]);
  }
  if (byFolder.has('') && looksLikeExport(byFolder.get('')!)) return '';
  const folders = [...byFolder.keys()].filter((f) => f && looksLikeExport(byFolder.get(f)!)).sort();
  return folders[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Input: the zip or the folder

interface DayFile {
  /** Name shown in warnings: the entry's path inside the export, e.g. `general/2016-01-14.json`. */
  where: string;
  size: number;
  read(): Promise<Buffer>;
}

interface ExportInput {
  /** The path named in errors. */
  file: string;
  /** The export's folder inside a zip (`name/`), so that warnings name whole entries; '' otherwise. */
  prefix: string;
  /** A top-level file's bytes, or null when the export has none (a SourceError over MAX_JSON_FILE_BYTES). */
  readMeta(name: string): Promise<Buffer | null>;
  /** What the container itself is worth a warning for (names stored twice in the zip). */
  warnings: SourceWarning[];
  /** Every folder holding day files. */
  folders(): Promise<string[]>;
  /** A folder's day files in name (date) order; [] when it does not exist. */
  dayFiles(folder: string): Promise<DayFile[]>;
  close(): void;
}

async function openInput(path: string): Promise<ExportInput> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceError(path, null, 'no such file or folder');
  }
  if (info.isDirectory()) return openFolder(path);
  if (!(await isZipFile(path))) throw new SourceError(path, null, 'not a Slack export: neither a zip archive nor a folder');
  return openZipInput(path);
}

async function openFolder(path: string): Promise<ExportInput> {
  const top = await readdir(path, { withFileTypes: true });
  const names = new Set(top.filter((d) => d.isFile()).map((d) => d.name));
  if (!looksLikeExport(names)) {
    throw new SourceError(path, null, 'not a Slack export: the folder has no users.json beside channels.json (or groups, mpims, dms.json)');
  }
  const folders = new Set(top.filter((d) => d.isDirectory()).map((d) => d.name));
  const dayNames = async (folder: string): Promise<string[]> =>
    folders.has(folder)
      ? (await readdir(join(path, folder), { withFileTypes: true })).filter((d) => d.isFile() && DAY_FILE.test(d.name)).map((d) => d.name).sort()
      : [];
  return {
    file: path,
    prefix: '',
    async readMeta(name) {
      if (!names.has(name)) return null;
      try {
        return await readFileCapped(join(path, name), MAX_JSON_FILE_BYTES);
      } catch (err) {
        if (err instanceof FileTooLarge) throw new SourceError(path, name, err.message);
        throw err;
      }
    },
    warnings: [],
    async folders() {
      const out: string[] = [];
      for (const folder of folders) if ((await dayNames(folder)).length) out.push(folder);
      return out;
    },
    async dayFiles(folder) {
      const out: DayFile[] = [];
      for (const day of await dayNames(folder)) {
        const file = join(path, folder, day);
        out.push({ where: `${folder}/${day}`, size: (await stat(file)).size, read: () => readFileCapped(file, MAX_JSON_FILE_BYTES) });
      }
      return out;
    },
    close() {},
  };
}

async function openZipInput(path: string): Promise<ExportInput> {
  let zip: ZipArchive;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw err instanceof ZipError ? new SourceError(path, null, err.message) : err;
  }
  const root = zipRoot(zip.entries);
  if (root === null) {
    zip.close();
    throw new SourceError(path, null, 'not a Slack export: the archive has no users.json beside channels.json (or groups, mpims, dms.json), at the top or in one folder');
  }
  const meta = new Map<string, ZipEntry>();
  const days = new Map<string, ZipEntry[]>();
  for (const entry of zip.entries) {
    if (entry.isDirectory || !entry.name.startsWith(root)) continue;
    const parts = entry.name.slice(root.length).split('/');
    if (parts.length === 1) meta.set(parts[0], entry);
    else if (parts.length === 2 && DAY_FILE.test(parts[1])) {
      const list = days.get(parts[0]);
      if (list) list.push(entry);
      else days.set(parts[0], [entry]);
    }
  }
  const read = async (entry: ZipEntry): Promise<Buffer> => {
    try {
      return await zip.read(entry, MAX_JSON_FILE_BYTES);
    } catch (err) {
      // A damaged entry means a damaged archive: the import stops and rolls back.
      if (err instanceof ZipError) throw new SourceError(path, `entry ${entry.name}`, err.message.replace(`${entry.name}: `, ''));
      throw err;
    }
  };
  return {
    file: path,
    prefix: root,
    async readMeta(name) {
      const entry = meta.get(name);
      return entry ? read(entry) : null;
    },
    warnings: duplicateWarnings(zip),
    async folders() {
      return [...days.keys()];
    },
    async dayFiles(folder) {
      const list = days.get(folder) ?? [];
      return list
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((entry) => ({ where: entry.name, size: entry.size, read: () => read(entry) }));
    },
    close: () => zip.close(),
  };
}

// ---------------------------------------------------------------------------------------------
// Metadata: users and conversations

interface User {
  name: string | null;
  team: string | null;
}

interface Conversation {
  id: string;
  folder: string;
  kind: 'channel' | 'group' | 'direct';
  name: string | null;
  members: string[];
}

async function readList(input: ExportInput, name: string): Promise<unknown[] | null> {
  const bytes = await input.readMeta(name);
  if (bytes === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch (err) {
    throw new SourceError(input.file, input.prefix + name, `not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new SourceError(input.file, input.prefix + name, 'not a JSON list');
  return value;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decodeUtf8(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new Error('not valid UTF-8');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** How Slack shows a person: display name, else real name, else the account name. */
function nameOf(user: Record<string, unknown>): string | null {
  const profile = isObject(user.profile) ? user.profile : {};
  return (
    str(profile.display_name)?.trim() ||
    str(profile.real_name)?.trim() ||
    str(user.real_name)?.trim() ||
    str(user.display_name)?.trim() ||
    str(user.name)?.trim() ||
    null
  );
}

function readUsers(list: unknown[]): { users: Map<string, User>; team: string | null } {
  const users = new Map<string, User>();
  const teams = new Map<string, number>();
  for (const item of list) {
    if (!isObject(item)) continue;
    const id = str(item.id);
    if (!id) continue;
    const team = str(item.team_id) ?? str(item.team);
    users.set(id, { name: nameOf(item), team });
    if (team) teams.set(team, (teams.get(team) ?? 0) + 1);
  }
  // The workspace's own team is the one most users belong to (shared channels bring others).
  let team: string | null = null;
  let most = 0;
  for (const [id, count] of teams) {
    if (count > most || (count === most && team !== null && id < team)) {
      team = id;
      most = count;
    }
  }
  return { users, team };
}

/** A folder name from the export may only name a folder inside it. */
function safeFolder(name: string | null): string | null {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name)) return null;
  return name;
}

// ---------------------------------------------------------------------------------------------
// read

async function* read(path: string, options: ReadOptions): AsyncGenerator<SourceEvent> {
  const input = await openInput(path);
  try {
    yield* readExport(input, options);
  } finally {
    input.close();
  }
}

async function* readExport(input: ExportInput, options: ReadOptions): AsyncGenerator<SourceEvent> {
  const warnings = new Warnings(input.file);
  for (const w of input.warnings) warnings.add(w.position, w.message);
  const usersList = await readList(input, 'users.json');
  if (!usersList) throw new SourceError(input.file, null, 'not a Slack export: no users.json');
  const { users, team } = readUsers(usersList);

  const conversations: Conversation[] = [];
  const channelNames = new Map<string, string>();
  let lists = 0;
  for (const list of LISTS) {
    const items = await readList(input, list.file);
    if (!items) continue;
    lists++;
    items.forEach((item, i) => {
      if (!isObject(item) || !str(item.id)) {
        warnings.add(`${input.prefix}${list.file} [${i}]`, 'a conversation without an id: skipped');
        return;
      }
      const id = str(item.id)!;
      const name = str(item.name);
      const folder = safeFolder(list.folderBy === 'id' ? id : name);
      if (name && list.kind === 'channel') channelNames.set(id, name);
      if (!folder) {
        warnings.add(`${input.prefix}${list.file} [${i}]`, `conversation ${id} has no usable folder name: skipped`);
        return;
      }
      const members = Array.isArray(item.members) ? item.members.filter((m): m is string => typeof m === 'string' && m !== '') : [];
      conversations.push({ id, folder, kind: list.kind, name, members });
    });
  }
  if (lists === 0) throw new SourceError(input.file, null, 'not a Slack export: no channels.json, groups.json, mpims.json or dms.json');

  // Folders with day files that no list names cannot be given a stable id: reported, not guessed.
  const listed = new Set(conversations.map((c) => c.folder));
  for (const folder of (await input.folders()).sort()) {
    if (!listed.has(folder)) warnings.add(`${input.prefix}${folder}`, 'a folder of day files that no conversation list names: skipped');
  }

  const context: MessageContext = { users, channelNames, chat: '', parents: new Map(), botNames: new Map() };
  const wanted: { conversation: Conversation; chat: ChatRecord; days: DayFile[] }[] = [];
  let total = 0;
  const seenFolders = new Set<string>();
  for (const conversation of conversations) {
    if (seenFolders.has(conversation.folder)) continue; // listed twice: read once
    seenFolders.add(conversation.folder);
    const chat = chatRecord(conversation, team, users);
    if (options.wantChat && !options.wantChat(chat.nativeId)) continue;
    const days = await input.dayFiles(conversation.folder);
    if (!days.length) continue; // no messages: not a chat of the archive
    wanted.push({ conversation, chat, days });
    for (const day of days) total += day.size;
  }

  let done = 0;
  for (const { chat, days } of wanted) {
    yield { type: 'chat', chat };
    context.chat = chat.nativeId;
    context.parents = new Map();
    for (const day of days) {
      const messages = await readDay(day, warnings);
      done += day.size;
      // A message listed twice stays twice, as in every source: the writer numbers the occurrences.
      for (const { raw, index, ts } of messages) {
        let record: MessageRecord;
        try {
          record = messageRecord(raw, ts, context);
        } catch (err) {
          warnings.add(`${day.where} [${index}]`, err instanceof BadMessage ? err.message : unreadableMessage(err));
          continue;
        }
        yield { type: 'message', message: record };
      }
      yield* warnings.take();
      yield { type: 'progress', done, total };
    }
  }
  yield* warnings.summary();
  yield { type: 'progress', done: total, total };
}

function chatRecord(conversation: Conversation, team: string | null, users: Map<string, User>): ChatRecord {
  const members: PersonRecord[] = conversation.members.map((id) => ({ nativeId: personId(id), displayName: users.get(id)?.name ?? null }));
  let title: string | null;
  if (conversation.kind === 'channel') title = conversation.name ? `#${conversation.name}` : null;
  else title = members.map((m) => m.displayName ?? m.nativeId.slice('slack:'.length)).join(', ') || conversation.name;
  return {
    nativeId: team ? `slack:${team}:${conversation.id}` : `slack:${conversation.id}`,
    title,
    kind: conversation.kind,
    members,
  };
}

function personId(id: string): string {
  return `slack:${id}`;
}

interface DayMessage {
  raw: Record<string, unknown>;
  /** Position in the day file, for warnings. */
  index: number;
  ts: string;
  /** ts as microseconds since the epoch: the sort key. */
  order: number;
}

/** A day file's messages in ts order; [] with a warning when the file cannot be read as one. */
async function readDay(day: DayFile, warnings: Warnings): Promise<DayMessage[]> {
  if (day.size > MAX_JSON_FILE_BYTES) {
    warnings.add(day.where, `a day file of ${day.size} bytes, over the limit of ${formatLimit(MAX_JSON_FILE_BYTES)} read into memory: skipped`);
    return [];
  }
  const bytes = await day.read(); // a damaged zip or unreadable file stops the import
  let value: unknown;
  try {
    value = JSON.parse(decodeUtf8(bytes));
  } catch (err) {
    warnings.add(day.where, `not valid JSON (${(err as Error).message}): the day file is skipped`);
    return [];
  }
  if (!Array.isArray(value)) {
    warnings.add(day.where, 'not a JSON list of messages: the day file is skipped');
    return [];
  }
  const out: DayMessage[] = [];
  value.forEach((raw: unknown, index) => {
    if (!isObject(raw)) {
      warnings.add(`${day.where} [${index}]`, 'not a message object: skipped');
      return;
    }
    const ts = tsText(raw.ts);
    const order = ts === null ? NaN : tsMicros(ts);
    if (ts === null || !Number.isFinite(order)) {
      const given = raw.ts === undefined ? 'none' : JSON.stringify(raw.ts).slice(0, 40);
      warnings.add(`${day.where} [${index}]`, `a message without a valid ts (${given}): skipped`);
      return;
    }
    out.push({ raw, index, ts, order });
  });
  // Sorted by ts, ties in file order (Array.prototype.sort is stable).
  out.sort((a, b) => a.order - b.order);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Times

const TS = /^(\d{1,11})(?:\.(\d{1,6}))?$/;

/** The ts as written (a string; a number is accepted from hand-made files). */
function tsText(value: unknown): string | null {
  if (typeof value === 'string') return TS.test(value) ? value : null;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value.toFixed(6);
  return null;
}

/** `1458980525.000012` → 1458980525000012 (exact: below 2^53 until the year 2255). */
export function tsMicros(ts: string): number {
  const m = TS.exec(ts);
  if (!m) return NaN;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** ts → ms since the epoch, rounded down. */
export function tsMillis(ts: string): number {
  return Math.floor(tsMicros(ts) / 1000);
}

function timeOf(value: unknown): number | null {
  const ts = tsText(value);
  if (ts === null) return null;
  const ms = tsMillis(ts);
  return ms > 0 ? ms : null;
}

// ---------------------------------------------------------------------------------------------
// Messages

interface MessageContext {
  users: Map<string, User>;
  channelNames: Map<string, string>;
  /** Native id of the current chat. */
  chat: string;
  /** Thread parents of the current chat seen so far: ts → author id. */
  parents: Map<string, string>;
  /** Integrations' names from their `bot_add` events: bot id → name. */
  botNames: Map<string, string>;
}

class BadMessage extends Error {}

/** Subtypes that are someone saying something (the rest are events). */
const SPOKEN: ReadonlyMap<string, MessageKind> = new Map<string, MessageKind>([
  ['bot_message', 'text'],
  ['me_message', 'emote'],
  ['thread_broadcast', 'text'],
  ['reply_broadcast', 'text'],
  ['file_share', 'file'],
  ['file_comment', 'text'],
  ['file_mention', 'text'],
  ['slackbot_response', 'text'],
  ['tombstone', 'text'],
  ['huddle_thread', 'text'],
]);

function messageRecord(raw: Record<string, unknown>, ts: string, context: MessageContext): MessageRecord {
  const subtype = str(raw.subtype);
  const files = filesOf(raw, subtype);
  let kind: MessageKind = subtype ? (SPOKEN.get(subtype) ?? 'event') : 'text';
  if (kind === 'text' && files.length && !(str(raw.text) ?? '').trim()) kind = 'file';
  if (subtype === 'bot_add') learnBotName(str(raw.text) ?? '', context.botNames);
  const { authorId, authorName } = authorOf(raw, context);
  const time = tsMillis(ts);
  if (!(time > 0)) throw new BadMessage(`ts ${ts} is not a time`);

  // Threads: parents are remembered so that later replies can name them.
  const threadTs = tsText(raw.thread_ts);
  let replyToKey: string | null = null;
  if (threadTs && threadTs !== ts) {
    const parentUser = str(raw.parent_user_id);
    const parentAuthor = context.parents.get(threadTs) ?? (parentUser ? personId(parentUser) : null);
    if (parentAuthor) {
      replyToKey = messageKey({ chat: context.chat, author: parentAuthor, time: tsMillis(threadTs), identity: threadTs });
    }
  } else if (threadTs === ts || (typeof raw.reply_count === 'number' && raw.reply_count > 0) || Array.isArray(raw.replies)) {
    context.parents.set(ts, authorId);
  }

  let text = str(raw.text) ?? '';
  if (!text.trim() && Array.isArray(raw.blocks)) text = blocksText(raw.blocks);
  if (!text.trim() && kind === 'event' && subtype) text = subtype.replace(/_/g, ' ');
  // Events read "<who> <did what>" in Slack; some exports leave the who out of the text (bot_add).
  const actor = str(raw.user);
  if (kind === 'event' && actor && !text.startsWith('<@')) text = `<@${actor}> ${text}`;
  const envelope: SlackEnvelope = { text: resolveMentions(text, context) };
  const cards = cardsOf(raw.attachments, context);
  if (cards.length) envelope.attachments = cards;
  const reactions = reactionsOf(raw.reactions, context.users);
  if (reactions.length) envelope.reactions = reactions;
  // Plain text stays plain; anything more, or text that could pass for an envelope, is wrapped.
  const body = cards.length || reactions.length || envelope.text.charCodeAt(0) === 0x7b ? JSON.stringify(envelope) : envelope.text;

  const edited = isObject(raw.edited) ? timeOf(raw.edited.ts) : null;
  const deleted = subtype === 'tombstone' || subtype === 'message_deleted';
  return {
    nativeId: ts,
    authorId,
    authorName,
    time,
    kind,
    body,
    markup: 'slack',
    editedAt: edited,
    deleted,
    replyToKey,
    attachments: files.length ? files : undefined,
  };
}

function authorOf(raw: Record<string, unknown>, context: MessageContext): { authorId: string; authorName: string | null } {
  const users = context.users;
  const profile = isObject(raw.user_profile) ? raw.user_profile : null;
  const bot = isObject(raw.bot_profile) ? raw.bot_profile : null;
  const override = raw.subtype === 'bot_message' ? (str(raw.username)?.trim() || str(bot?.name)?.trim() || null) : null;
  const comment = isObject(raw.comment) ? raw.comment : null;
  const user = str(raw.user) ?? str(comment?.user);
  if (user) {
    const known = users.get(user)?.name ?? (profile ? nameOf(profile) : null) ?? (user === 'USLACKBOT' ? 'Slackbot' : null);
    return { authorId: personId(user), authorName: override ?? known ?? null };
  }
  const botId = str(raw.bot_id) ?? str(bot?.id);
  if (botId) return { authorId: personId(botId), authorName: override ?? (str(raw.username)?.trim() || context.botNames.get(botId) || `Bot ${botId}`) };
  const username = str(raw.username)?.trim();
  if (username) return { authorId: personId(`bot:${username}`), authorName: username };
  return { authorId: personId('unknown'), authorName: null };
}

const BOT_LINK = /<https?:\/\/[\w.-]+\.slack\.com\/services\/(B[A-Z0-9]+)\|([^<>|]+)>/g;

/** "added an integration to this channel: <https://x.slack.com/services/B0JL6RASU|github>". */
function learnBotName(text: string, names: Map<string, string>): void {
  for (const [, id, name] of text.matchAll(BOT_LINK)) {
    const decoded = name.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
    if (decoded) names.set(id, decoded);
  }
}

const MENTION = /<([@#])([A-Z0-9]+)(?:\|([^>]*))?>/g;

/** `<@U123>` → `<@U123|alice>`, `<#C123>` → `<#C123|general>`: current names for the converter. */
function resolveMentions(text: string, context: MessageContext): string {
  if (text.indexOf('<') === -1) return text;
  return text.replace(MENTION, (whole, sigil: string, id: string) => {
    const name = sigil === '@' ? context.users.get(id)?.name : context.channelNames.get(id);
    return name ? `<${sigil}${id}|${escapeMrkdwn(name)}>` : whole;
  });
}

/** Names go into mrkdwn: Slack's own escaping of `&`, `<`, `>`. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const CARD_FIELDS = ['pretext', 'service_name', 'author_name', 'title', 'title_link', 'text', 'footer', 'fallback', 'image_url', 'from_url'] as const;

/** Legacy attachments: the fields a reader sees, mentions resolved. */
function cardsOf(value: unknown, context: MessageContext): SlackCard[] {
  if (!Array.isArray(value)) return [];
  const cards: SlackCard[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const card: SlackCard = {};
    for (const field of CARD_FIELDS) {
      const v = str(item[field]);
      if (v) card[field] = field.endsWith('_url') || field === 'title_link' ? v : resolveMentions(v, context);
    }
    // A shared message names its author: a person reference when it names a member.
    const authorId = str(item.author_id);
    if (authorId && card.author_name) {
      card.author_id = authorId;
      card.author_name = context.users.get(authorId)?.name ?? card.author_name;
    }
    if (Array.isArray(item.fields)) {
      const fields = item.fields.filter(isObject).map((f) => ({ title: str(f.title) ?? '', value: resolveMentions(str(f.value) ?? '', context) }));
      if (fields.length) card.fields = fields;
    }
    if (Array.isArray(item.blocks) && !card.text) {
      const text = blocksText(item.blocks);
      if (text) card.text = resolveMentions(text, context);
    }
    if (Object.keys(card).length) cards.push(card);
  }
  return cards;
}

function reactionsOf(value: unknown, users: Map<string, User>): SlackReaction[] {
  if (!Array.isArray(value)) return [];
  const out: SlackReaction[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const name = str(item.name);
    if (!name) continue;
    const ids = Array.isArray(item.users) ? item.users.filter((u): u is string => typeof u === 'string') : [];
    const count = typeof item.count === 'number' && Number.isSafeInteger(item.count) && item.count > 0 ? item.count : Math.max(ids.length, 1);
    out.push({ name, count, users: ids.map((id): SlackReactor => ({ id, name: users.get(id)?.name ?? id })) });
  }
  return out;
}

/** The text of Block Kit blocks (section, header, context; rich_text), for messages with no `text`. */
function blocksText(blocks: unknown[]): string {
  const lines: string[] = [];
  const textOf = (v: unknown): string => (isObject(v) && typeof v.text === 'string' ? v.text : '');
  for (const block of blocks.slice(0, 100)) {
    if (!isObject(block)) continue;
    const t = textOf(block.text);
    if (t) lines.push(block.type === 'header' ? `*${t}*` : t);
    if (Array.isArray(block.fields)) for (const f of block.fields) if (textOf(f)) lines.push(textOf(f));
    if (Array.isArray(block.elements)) {
      const parts: string[] = [];
      collectRichText(block.elements, parts, 0);
      if (parts.length) lines.push(parts.join(''));
    }
  }
  return lines.join('\n');
}

/** rich_text elements → mrkdwn-ish text (links and mentions as Slack writes them in `text`). */
function collectRichText(elements: unknown[], out: string[], depth: number): void {
  if (depth > 8) return;
  for (const el of elements.slice(0, 1000)) {
    if (!isObject(el)) continue;
    switch (el.type) {
      case 'text':
        if (typeof el.text === 'string') out.push(escapeMrkdwn(el.text));
        break;
      case 'mrkdwn':
      case 'plain_text':
        if (typeof el.text === 'string') out.push(el.text);
        break;
      case 'link':
        if (typeof el.url === 'string') out.push(`<${el.url}${typeof el.text === 'string' ? `|${escapeMrkdwn(el.text)}` : ''}>`);
        break;
      case 'user':
        if (typeof el.user_id === 'string') out.push(`<@${el.user_id}>`);
        break;
      case 'channel':
        if (typeof el.channel_id === 'string') out.push(`<#${el.channel_id}>`);
        break;
      case 'emoji':
        if (typeof el.name === 'string') out.push(`:${el.name}:`);
        break;
      default:
        if (Array.isArray(el.elements)) {
          if (out.length && el.type !== 'rich_text_section') out.push('\n');
          collectRichText(el.elements, out, depth + 1);
        }
    }
  }
}

/** `file` (old exports) and `files` (newer) → attachments; a file comment's file is not its own. */
function filesOf(raw: Record<string, unknown>, subtype: string | null): Attachment[] {
  const list: unknown[] = Array.isArray(raw.files) ? raw.files : [];
  if (isObject(raw.file) && subtype !== 'file_comment') list.unshift(raw.file);
  const out: Attachment[] = [];
  const seen = new Set<string>();
  for (const file of list) {
    if (!isObject(file)) continue;
    const id = str(file.id);
    if (id) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    const mode = str(file.mode);
    const name =
      str(file.name) ?? str(file.title) ?? (mode === 'tombstone' ? 'File deleted' : mode === 'hidden_by_limit' ? 'File hidden by the workspace plan' : 'File');
    const attachment: Attachment = { name: safeName(name) };
    if (typeof file.size === 'number' && Number.isFinite(file.size) && file.size >= 0) attachment.size = file.size;
    const type = str(file.mimetype);
    if (type && /^[\w.+-]+\/[\w.+-]+$/.test(type)) attachment.type = type;
    const url = str(file.permalink) ?? str(file.url_private) ?? str(file.url_private_download);
    if (url) attachment.url = withoutToken(url);
    out.push(attachment);
  }
  return out;
}

/** Export URLs can carry a `t=xoxe-…` token: never publish it. */
function withoutToken(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.searchParams.has('t')) return url;
    parsed.searchParams.delete('t');
    return parsed.href;
  } catch {
    return url;
  }
}

// ---------------------------------------------------------------------------------------------
// Warnings

class Warnings {
  private count = 0;
  private pending: SourceEvent[] = [];

  constructor(private readonly file: string) {}

  add(position: string, message: string): void {
    this.count++;
    if (this.count <= MAX_WARNINGS) this.pending.push({ type: 'warning', warning: { position, message } satisfies SourceWarning });
  }

  take(): SourceEvent[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  summary(): SourceEvent[] {
    if (this.count > MAX_WARNINGS) {
      this.pending.push({ type: 'warning', warning: { position: this.file, message: `${this.count - MAX_WARNINGS} more warnings like the ones above were not listed` } });
    }
    return this.take();
  }
}
