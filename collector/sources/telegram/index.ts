/**
 * Telegram Desktop "Export chat history" (one chat) and "Export Telegram data" (everything), in
 * the machine-readable JSON format: `result.json`, or the export folder holding it.
 *
 *   one chat     {"name", "type": "private_supergroup"…, "id": 1712691810, "messages": [message…]}
 *   full export  {"about", "personal_information": {"user_id", "first_name"…}, …,
 *                 "chats": {"about", "list": [chat…]}, "left_chats": {"about", "list": [chat…]}, …}
 *   message      {"id", "type": "message"|"service", "date": "2022-06-05T15:42:59" (the exporting
 *                 machine's local time, no offset), "date_unixtime": "1654418579" (newer exports),
 *                 "edited", "edited_unixtime", "from", "from_id": "user123"|"channel123" (a number in
 *                 old exports), "actor", "actor_id", "action", "reply_to_message_id",
 *                 "forwarded_from", "via_bot", "photo", "file", "file_name", "media_type",
 *                 "mime_type", "sticker_emoji", "poll", "reactions", "text": "…" | [part…],
 *                 "text_entities": [{"type", "text"…}…] (newer exports)}
 *   files        paths relative to result.json (`photos/photo_1@05-06-2022_15-43-13.jpg`), or a
 *                note when the export left the file out: "(File not included. Change data
 *                exporting settings to download.)", "(File exceeds maximum size…)", "(File
 *                unavailable, please try again later)".
 *
 * Streaming: the file goes through collector/json/scanner.ts chunk by chunk; each message object is
 * taken alone and `JSON.parse`d, so memory holds one chunk's messages, never the export. Messages
 * are emitted in file order (Telegram writes each chat oldest first). Telegram Desktop writes
 * control characters in strings as `\x0B`, which JSON does not allow: the scanner only follows
 * string and bracket structure inside a message, and each message's text has those escapes
 * rewritten as `\u000B` before it is parsed.
 *
 * Mapping:
 * - Chat `telegram:<id>` (ids are stable; names change); kind from `type` (personal, bot and saved
 *   chats direct, channels channel, the rest group). Left chats are imported like the others.
 * - Message identity: its id (nativeId). Time: `date_unixtime`; only without it `date`, read as UTC
 *   (the exporter's zone is unknown), and one warning per chat counts the messages timed that way.
 *   `edited_unixtime` (else `edited`) → editedAt.
 * - People `telegram:<from_id>` (`telegram:user123`); `"from": null` is a deleted account, named
 *   "Deleted Account", `telegram:deleted` when it has no id either (identity/telegram-ids.ts, which
 *   the converter's person references share). Service messages are credited to their `actor`. Service actions are kind event, calls (phone_call, group_call…) call;
 *   photos and media documents media, other documents file, polls poll, contacts contact.
 * - Replies (`reply_to_message_id`, and the message a `pin_message` names): replyToKey is the key
 *   of the target when it is in the same chat of this file (its author and time are known), else
 *   the envelope keeps the id (`cc_reply_missing`) and the converter says the target is not in
 *   the archive. A reply to a later message waits for the chat's end (at most MAX_DEFERRED).
 * - Files: a photo or file present beside result.json is read, hashed (sha256) and emitted as a
 *   media event before its message, which gets an attachment with that hash; one the export left
 *   out, or that is missing from the folder, gets an attachment without a hash and a placeholder in
 *   the body. Paths leading outside the export's folder are never read.
 * - Body: plain text, or an envelope (collector/markup/telegram.ts) for anything more; of the
 *   ids, it keeps those of the people a message names (PERSON_ID_FIELDS).
 *
 * Bad input: a file that is not JSON or not a Telegram export, truncated, or not UTF-8 is a
 * SourceError with the byte offset (the importer then rolls the whole import back). A message
 * that cannot be parsed or has no id or time is skipped with a warning naming its chat and offset.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { messageKey } from '../../identity/key.js';
import { own } from '../../own.js';
import { JsonScanError, JsonScanner, ScanAction, type PathKey, type ScanHandler, type ScannedValue } from '../../json/scanner.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { type Attachment, type ChatRecord, type MessageKind, type MessageRecord, type PersonRecord } from '../../model.js';
import { formatLimit } from '../kit/limits.js';
import { flatten } from '../kit/batches.js';
import { chunksAhead, isFile, notAJsonObject, readAt, readHead } from '../kit/files.js';
import { safeName, mimeOf, DEFAULT_MAX_MEDIA_BYTES } from '../kit/media-files.js';
import { ExportFolder } from '../kit/export-folder.js';
import { unreadableMessage } from '../kit/unreadable.js';
import { TELEGRAM_DELETED, telegramNamedId, telegramPersonId } from '../../identity/telegram-ids.js';

export const telegram: SourceAdapter = {
  format: 'telegram',
  description: 'Telegram Desktop export in JSON: result.json (one chat or all data) or its folder',
  detect,
  read,
};

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const telegramTuning = {
  /** Bytes read from result.json per scanner chunk; also how often progress is reported. */
  chunkBytes: 4 << 20,
};
/** Individual warnings per file before they are only counted. */
const MAX_WARNINGS = 200;
/** Replies to later messages held back per chat until its end; beyond, they are not linked. */
const MAX_DEFERRED = 10_000;
/** Distinct authors listed as a chat's members. */
const MAX_MEMBERS = 5_000;

const CHAT_TYPES: Record<string, ChatRecord['kind']> = {
  personal_chat: 'direct',
  bot_chat: 'direct',
  saved_messages: 'direct',
  private_group: 'group',
  private_supergroup: 'group',
  public_supergroup: 'group',
  replies: 'channel',
  verification_codes: 'channel',
  private_channel: 'channel',
  public_channel: 'channel',
};
const CALL_ACTIONS = new Set(['phone_call', 'conference_call', 'group_call', 'invite_to_group_call', 'group_call_scheduled']);

// ---------------------------------------------------------------------------------------------
// detect

const HEAD_BYTES = 4096;
const FULL_EXPORT_SECTIONS = ['personal_information', 'chats', 'left_chats', 'profile_pictures', 'contacts', 'frequent_contacts', 'sessions'];

async function detect(path: string): Promise<boolean> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return false;
  }
  if (info.isDirectory()) {
    const json = join(path, 'result.json');
    return (await isFile(json)) && looksLikeExport(await readHead(json, HEAD_BYTES));
  }
  return info.isFile() && looksLikeExport(await readHead(path, HEAD_BYTES));
}

/**
 * The head of a Telegram export, judged by the root object's own keys only: a full export starts
 * with "about" and has Telegram's sections; one chat has a Telegram chat type, a numeric id and a
 * "messages" list. Skype ("conversations"), Discord ("guild", "channel") and Slack files have none
 * of these at their top level, whatever their messages contain.
 */
export function looksLikeExport(head: Buffer): boolean {
  const keys = topLevelKeys(head.toString('utf8'));
  if (!keys) return false;
  const first = keys.keys().next().value;
  if (first === 'about' && keys.get('about')!.startsWith('"') && FULL_EXPORT_SECTIONS.some((k) => keys.has(k))) return true;
  const type = keys.get('type');
  return (
    type !== undefined &&
    /^"[a-z_]+"$/.test(type) &&
    own(CHAT_TYPES, type.slice(1, -1)) !== undefined &&
    /^-?\d/.test(keys.get('id') ?? '') &&
    (keys.get('messages') ?? '').startsWith('[')
  );
}

/**
 * The keys of the root object in a JSON head, each with the start of its value (a string value
 * whole when it ends within 64 characters, else its first character), in order; null when the
 * head is not an object. Nested values are stepped over, strings skipped with their escapes.
 */
function topLevelKeys(text: string): Map<string, string> | null {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '{') return null;
  const keys = new Map<string, string>();
  let depth = 0;
  let expectKey = false;
  let key: string | null = null;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) break;
      if (depth === 1) {
        if (expectKey) {
          key = text.slice(i + 1, j);
          expectKey = false;
        } else if (key !== null) {
          keys.set(key, j - i < 66 ? text.slice(i, j + 1) : '"');
          key = null;
        }
      }
      i = j;
    } else if (c === '{' || c === '[') {
      if (depth === 1 && key !== null) {
        keys.set(key, c);
        key = null;
      }
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) break;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    } else if (depth === 1 && key !== null && !/[\s:]/.test(c)) {
      keys.set(key, text.slice(i, i + 24));
      key = null;
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// read

interface ExportInput {
  /** The path named in errors (what the user gave). */
  file: string;
  /** Prefix for positions, `result.json ` when the user named the folder. */
  where: string;
  /** The folder file paths in the export are relative to. */
  root: string;
  fh: FileHandle;
  size: number;
}

async function openInput(path: string): Promise<ExportInput> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceError(path, null, 'no such file or folder');
  }
  let json = path;
  let where = '';
  if (info.isDirectory()) {
    json = join(path, 'result.json');
    where = 'result.json ';
    if (!(await isFile(json))) throw new SourceError(path, null, 'not a Telegram export: the folder has no result.json');
  }
  const fh = await open(json, 'r');
  return { file: path, where, root: resolve(dirname(json)), fh, size: (await fh.stat()).size };
}

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options));
}

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const input = await openInput(path);
  try {
    const what = await notAJsonObject(input.fh, 0, input.size);
    if (what) throw new SourceError(input.file, null, `not a Telegram export: ${input.where || 'the file '}is ${what}`);
    const reader = new ExportReader(input, options);
    const scanner = new JsonScanner(reader);
    let done = 0;
    for await (const chunk of chunksAhead(input.fh, 0, input.size, telegramTuning.chunkBytes)) {
      try {
        scanner.push(chunk);
      } catch (err) {
        throw reader.sourceError(err);
      }
      done += chunk.length;
      const out = await reader.drain();
      out.push({ type: 'progress', done, total: input.size });
      yield out;
    }
    try {
      scanner.end();
    } catch (err) {
      throw reader.sourceError(err);
    }
    yield await reader.drain();
    if (!reader.sawChats) {
      throw new SourceError(input.file, null, `not a Telegram export: ${input.where || 'the JSON '}has neither a "messages" list nor a "chats" list`);
    }
    yield reader.summaryWarnings();
  } finally {
    await input.fh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The scanner's handler: chats, their headers, their messages

const LBRACE = 0x7b;
const LBRACKET = 0x5b;

/** One chat object of the file: its header fields and what was read of it. */
class Chat {
  name: unknown = undefined;
  type: unknown = undefined;
  id: unknown = undefined;
  nativeId = '';
  /** Its messages were skipped (an unwanted chat). */
  skipped = false;
  /** The chat event went out (it does before the chat's first message). */
  announced = false;
  /** Messages seen before the header's id: their byte ranges, read again when the chat closes. */
  early: { starts: number[]; ends: number[] } | null = null;
  readonly index = new MessageIndex();
  readonly authors = new Map<string, string | null>();
  deferred: Prepared[] = [];
  datedLocally = 0;
  messages = 0;

  constructor(
    readonly label: string,
    readonly offset: number,
  ) {}

  get title(): string {
    if (typeof this.name === 'string' && this.name.trim()) return this.name;
    if (this.type === 'saved_messages') return 'Saved Messages';
    if (this.type === 'replies') return 'Replies';
    return this.name === null ? 'Deleted Account' : `Telegram chat ${typeof this.id === 'number' || typeof this.id === 'string' ? this.id : ''}`.trim();
  }

  describe(): string {
    return typeof this.name === 'string' && this.name.trim() ? `chat "${this.name}"` : this.label;
  }
}

/** What the scanner found, in file order, for the asynchronous part (media, events) to process. */
type Found =
  | { kind: 'message'; chat: Chat; message: unknown; offset: number }
  | { kind: 'end'; chat: Chat };

/** A chat object is at path [] (one-chat export) or ['chats' | 'left_chats', 'list', i]. */
function chatDepth(path: readonly PathKey[]): number {
  return path.length >= 3 && (path[0] === 'chats' || path[0] === 'left_chats') && path[1] === 'list' ? 3 : 0;
}

class ExportReader implements ScanHandler {
  sawChats = false;
  private readonly found: Found[] = [];
  private chat: Chat | null = null;
  private self: PersonRecord | null = null;
  private readonly wantChat: (nativeId: string) => boolean;
  private warningCount = 0;
  private readonly pendingWarnings: SourceEvent[] = [];
  private readonly media = new Map<string, MediaInfo | null>();
  private missingFiles = 0;
  private firstMissing = '';
  private unsupported = 0;
  private readonly folder: ExportFolder;

  constructor(
    private readonly input: ExportInput,
    options: ReadOptions,
  ) {
    this.wantChat = options.wantChat ?? (() => true);
    this.folder = new ExportFolder(input.root, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, (position, message) => this.warn(position, message));
  }

  // --- ScanHandler ---------------------------------------------------------------------------

  open(path: readonly PathKey[], first: number, offset: number): ScanAction {
    const n = path.length;
    if (n === 0) {
      this.chat = new Chat('the chat', offset); // a one-chat export; a full export's chats come later
      return ScanAction.enter;
    }
    const key = path[n - 1];
    if (n === 1) {
      if (key === 'chats' || key === 'left_chats') return first === LBRACE ? ScanAction.enter : ScanAction.skip;
      if (key === 'personal_information') return first === LBRACE ? ScanAction.take : ScanAction.skip;
    }
    if (n === 2 && (path[0] === 'chats' || path[0] === 'left_chats')) {
      if (key !== 'list') return ScanAction.skip;
      this.sawChats = true;
      return first === LBRACKET ? ScanAction.enter : ScanAction.skip;
    }
    if (n === 3 && chatDepth(path) === 3) {
      if (first !== LBRACE) {
        this.warn(`${path[0]} #${key} (${this.at(offset)})`, 'not an object; skipped');
        return ScanAction.skip;
      }
      this.chat = new Chat(`${path[0] === 'left_chats' ? 'left chat' : 'chat'} #${key}`, offset);
      return ScanAction.enter;
    }
    const depth = n >= 3 && chatDepth(path) === 3 ? 3 : 0;
    const chat = this.chat;
    if (!chat) return ScanAction.skip;
    if (n === depth + 1) {
      if (key === 'name' || key === 'type' || key === 'id') return ScanAction.take;
      if (key !== 'messages') return ScanAction.skip;
      this.sawChats = true;
      if (first !== LBRACKET) {
        this.warn(`${chat.describe()} (${this.at(offset)})`, '"messages" is not a list; skipped');
        return ScanAction.skip;
      }
      if (chat.id === undefined) {
        chat.early = { starts: [], ends: [] }; // the header comes later: keep where the messages are
        return ScanAction.enter;
      }
      return this.beginMessages(chat) ? ScanAction.enter : ScanAction.skip;
    }
    if (n === depth + 2 && path[depth] === 'messages') {
      if (first !== LBRACE) {
        this.warn(`${chat.describe()}, message #${key} (${this.at(offset)})`, 'not an object; skipped');
        return ScanAction.skip;
      }
      return ScanAction.take;
    }
    return ScanAction.skip;
  }

  tooLarge(path: readonly PathKey[], offset: number, limit: number): void {
    const key = path[path.length - 1];
    const where = this.chat && path[path.length - 2] === 'messages' ? `${this.chat.describe()}, message #${key}` : path.join('.');
    this.warn(`${where} (${this.at(offset)})`, `more than ${formatLimit(limit)}, the limit for one message or record: skipped`);
  }

  take(path: readonly PathKey[], value: ScannedValue): void {
    const n = path.length;
    const key = path[n - 1];
    if (n === 1 && key === 'personal_information') {
      const info = this.parse(value);
      if (isObject(info)) {
        const id = telegramPersonId(info.user_id);
        const name = `${str(info.first_name) ?? ''} ${str(info.last_name) ?? ''}`.trim();
        if (id) this.self = name ? { nativeId: id, displayName: name } : { nativeId: id };
      }
      return;
    }
    const chat = this.chat!;
    const depth = chatDepth(path);
    if (n === depth + 1) {
      const parsed = this.parse(value);
      if (key === 'name') chat.name = parsed;
      else if (key === 'type') chat.type = parsed;
      else chat.id = parsed;
      return;
    }
    // A message.
    if (chat.early) {
      chat.early.starts.push(value.start);
      chat.early.ends.push(value.end);
      return;
    }
    this.found.push({ kind: 'message', chat, message: this.parse(value, chat), offset: value.start });
  }

  close(path: readonly PathKey[]): void {
    const n = path.length;
    if ((n === 0 || (n === 3 && chatDepth(path) === 3)) && this.chat) {
      const chat = this.chat;
      // Messages written before the chat's id are read now that the header is complete.
      if (chat.early && !(chat.early.starts.length && this.beginMessages(chat))) chat.early = null;
      this.found.push({ kind: 'end', chat });
      this.chat = null;
    }
  }

  /** The chat's messages are about to be read: false when the chat is unwanted or has no id. */
  private beginMessages(chat: Chat): boolean {
    const id = typeof chat.id === 'number' && Number.isSafeInteger(chat.id) ? String(chat.id) : typeof chat.id === 'string' && /^-?\d{1,20}$/.test(chat.id.trim()) ? chat.id.trim() : null;
    if (id === null) {
      this.warn(`${chat.describe()} (${this.at(chat.offset)})`, 'has no numeric "id"; its messages were skipped');
      chat.skipped = true;
      return false;
    }
    chat.nativeId = `telegram:${id}`;
    if (!this.wantChat(chat.nativeId)) {
      chat.skipped = true;
      return false;
    }
    return true;
  }

  /** A taken value, parsed; `\xHH` escapes (Telegram's, not JSON's) read as `\u00HH`. */
  private parse(value: ScannedValue, chat?: Chat): unknown {
    return parseLenient(value.text(), () => {
      if (chat) return undefined; // a bad message is skipped with a warning (drain() reports it)
      throw this.error(value.start, 'invalid JSON');
    });
  }

  // --- errors, warnings ----------------------------------------------------------------------

  at(offset: number): string {
    return `${this.input.where}byte ${offset}`;
  }

  error(offset: number, message: string): SourceError {
    return new SourceError(this.input.file, this.at(offset), message);
  }

  sourceError(err: unknown): unknown {
    return err instanceof JsonScanError ? this.error(err.offset, err.reason) : err;
  }

  private warn(position: string, message: string): void {
    this.warningCount++;
    if (this.warningCount <= MAX_WARNINGS) this.pendingWarnings.push({ type: 'warning', warning: { position, message } });
  }

  private takeWarnings(out: SourceEvent[]): void {
    for (const w of this.pendingWarnings.splice(0, this.pendingWarnings.length)) out.push(w);
  }

  summaryWarnings(): SourceEvent[] {
    const out: SourceEvent[] = [];
    this.takeWarnings(out);
    const file = this.input.file;
    for (const warning of this.folder.summary()) out.push({ type: 'warning', warning });
    if (this.missingFiles) {
      out.push({
        type: 'warning',
        warning: {
          position: file,
          message: `${this.missingFiles} file${this.missingFiles === 1 ? '' : 's'} the export names ${this.missingFiles === 1 ? 'is' : 'are'} not in its folder (first: ${this.firstMissing}); listed as attachments without content`,
        },
      });
    }
    if (this.unsupported) {
      out.push({
        type: 'warning',
        warning: { position: file, message: `${this.unsupported} message${this.unsupported === 1 ? '' : 's'} of type "unsupported" (Telegram Desktop exported no content for them) skipped` },
      });
    }
    if (this.warningCount > MAX_WARNINGS) {
      out.push({ type: 'warning', warning: { position: file, message: `${this.warningCount - MAX_WARNINGS} more warnings like the ones above were not listed` } });
    }
    return out;
  }

  // --- events --------------------------------------------------------------------------------

  /** Turns what the scanner found so far into events (reading media files as needed). */
  async drain(): Promise<SourceEvent[]> {
    const out: SourceEvent[] = [];
    this.takeWarnings(out);
    const found = this.found.splice(0, this.found.length);
    for (const item of found) {
      const chat = item.chat;
      if (item.kind === 'message') {
        await this.guarded(chat, item.message, item.offset, out);
      } else {
        if (chat.early) {
          const early = chat.early;
          chat.early = null;
          for (let i = 0; i < early.starts.length; i++) {
            const bytes = Buffer.allocUnsafe(early.ends[i] - early.starts[i]);
            await readAt(this.input.fh, bytes, early.starts[i]);
            const message = parseLenient(bytes.toString('utf8'), () => undefined);
            await this.guarded(chat, message, early.starts[i], out);
          }
        }
        this.endChat(chat, out);
      }
      this.takeWarnings(out);
    }
    return out;
  }

  /** `message`, with a message that breaks it skipped with a warning instead of ending the import. */
  private async guarded(chat: Chat, raw: unknown, offset: number, out: SourceEvent[]): Promise<void> {
    try {
      const files = this.message(chat, raw, offset, out);
      if (files) await files;
    } catch (err) {
      this.warn(this.messageLabel(chat, raw, offset), unreadableMessage(err));
    }
  }

  private announce(chat: Chat, out: SourceEvent[]): void {
    if (chat.announced) return;
    chat.announced = true;
    out.push({ type: 'chat', chat: this.chatRecord(chat, false) });
  }

  private chatRecord(chat: Chat, withAuthors: boolean): ChatRecord {
    const kind = (typeof chat.type === 'string' && own(CHAT_TYPES, chat.type)) || 'group';
    const members: PersonRecord[] = [];
    const seen = new Set<string>();
    const add = (member: PersonRecord | null) => {
      if (!member || seen.has(member.nativeId) || seen.size >= MAX_MEMBERS) return;
      seen.add(member.nativeId);
      members.push(member);
    };
    if (kind === 'direct' && (chat.type === 'personal_chat' || chat.type === 'bot_chat')) {
      // A personal chat's id is the partner's user id, its name the partner's name.
      const name = typeof chat.name === 'string' && chat.name.trim() ? chat.name : null;
      add({ nativeId: `telegram:user${chat.nativeId.slice('telegram:'.length)}`, displayName: name });
    }
    if (kind === 'direct') add(this.self);
    if (withAuthors) {
      for (const [nativeId, displayName] of chat.authors) {
        if (nativeId !== TELEGRAM_DELETED && nativeId !== UNKNOWN) add({ nativeId, displayName });
      }
    }
    return { nativeId: chat.nativeId, title: chat.title, kind, members };
  }

  private endChat(chat: Chat, out: SourceEvent[]): void {
    if (chat.skipped || !chat.announced) return;
    for (const prepared of chat.deferred) {
      try {
        out.push({ type: 'message', message: this.finish(chat, prepared) });
      } catch (err) {
        this.warn(`${chat.describe()}, message ${prepared.id}`, unreadableMessage(err));
      }
    }
    chat.deferred = [];
    if (chat.datedLocally) {
      this.warn(
        `${chat.describe()} (${this.at(chat.offset)})`,
        `${chat.datedLocally} of its ${chat.messages} messages have no "date_unixtime" (an older export): timed from "date", the exporting computer's local time without a zone, read as UTC`,
      );
    }
    // Again, now with everyone who wrote in it (the writer adds members; the rest is unchanged).
    out.push({ type: 'chat', chat: this.chatRecord(chat, true) });
  }

  // --- messages ------------------------------------------------------------------------------

  /**
   * Reads one message into events in `out`. Synchronous unless the message names files (then the
   * returned promise settles once they are read): a promise per message would cost more than the
   * rest of the work on a message.
   */
  private message(chat: Chat, raw: unknown, offset: number, out: SourceEvent[]): Promise<void> | undefined {
    if (chat.skipped) return;
    const where = () => this.messageLabel(chat, raw, offset);
    if (!isObject(raw)) {
      this.warn(where(), raw === undefined ? 'invalid JSON; skipped' : 'not an object; skipped');
      return;
    }
    if (raw.type === 'unsupported') {
      this.unsupported++;
      return;
    }
    const id = messageId(raw.id);
    if (id === null) {
      this.warn(where(), 'no message id; skipped');
      return;
    }
    let time = unixMs(raw.date_unixtime);
    if (time === null) {
      time = localMs(raw.date);
      if (time === null) {
        this.warn(where(), `no valid time (date ${JSON.stringify(raw.date ?? null)}); skipped`);
        return;
      }
      chat.datedLocally++;
    }
    chat.messages++;
    const service = raw.type === 'service';
    const { authorId, authorName } = authorOf(raw, service, chat);
    if (!chat.authors.has(authorId) || authorName) chat.authors.set(authorId, authorName);
    chat.index.add(Number(id), time, authorId);

    const env: Record<string, unknown> = {};
    for (const key of Object.keys(raw)) {
      if (BOOKKEEPING.has(key) || (key === 'from' && !service)) continue;
      // Ids are the record's business, except those of the people the converter names.
      if (key.endsWith('_id') && !(PERSON_ID_FIELDS.has(key) && (service || key !== 'from_id'))) continue;
      env[key] = raw[key];
    }
    const text = textOf(raw);
    if (text === '') delete env.text;
    else env.text = text;

    const prepared: Prepared = {
      id,
      time,
      authorId,
      authorName,
      kind: kindOf(raw, service),
      env,
      editedAt: unixMs(raw.edited_unixtime) ?? localMs(raw.edited),
      attachments: [],
      replyTo: null,
    };
    if (typeof raw.photo === 'string' || typeof raw.file === 'string') return this.attachFiles(raw, prepared, out).then(() => this.emit(chat, raw, prepared, out));
    this.emit(chat, raw, prepared, out);
    return undefined;
  }

  private messageLabel(chat: Chat, raw: unknown, offset: number): string {
    const id = isObject(raw) ? messageId(raw.id) : null;
    return `${chat.describe()}, ${id === null ? 'a message' : `message ${id}`} (${this.at(offset)})`;
  }

  /** Reads the message's photo or file (emitting media events) into its attachments. */
  private async attachFiles(raw: Record<string, unknown>, prepared: Prepared, out: SourceEvent[]): Promise<void> {
    for (const field of ['photo', 'file'] as const) {
      const value = raw[field];
      if (typeof value !== 'string') continue;
      const attachment = await this.attachment(raw, field, value, out);
      if (!attachment.hash && !isPlaceholder(value)) prepared.env.cc_file_missing = true;
      prepared.attachments.push(attachment);
    }
  }

  /** Emits a read message, or holds it back until the chat's end when it replies to a later one. */
  private emit(chat: Chat, raw: Record<string, unknown>, prepared: Prepared, out: SourceEvent[]): void {
    const service = raw.type === 'service';
    const replyTo = messageId(service ? (raw.action === 'pin_message' ? raw.message_id : undefined) : raw.reply_to_message_id);
    this.announce(chat, out);
    if (replyTo !== null) {
      prepared.replyTo = replyTo;
      if (inOtherChat(raw.reply_to_peer_id, chat)) {
        prepared.env.cc_reply_missing = Number(replyTo);
        prepared.replyTo = null;
      } else if (!chat.index.find(Number(replyTo)) && chat.index.mayComeLater(Number(replyTo)) && chat.deferred.length < MAX_DEFERRED) {
        // Telegram ids grow with time, so a target with a greater id than any read yet may still
        // come; anything else not found is not in this chat of the export.
        chat.deferred.push(prepared);
        return;
      }
    }
    out.push({ type: 'message', message: this.finish(chat, prepared) });
  }

  /** The message record, its reply resolved against the chat's messages read so far. */
  private finish(chat: Chat, p: Prepared): MessageRecord {
    let replyToKey: string | null = null;
    if (p.replyTo !== null) {
      const target = chat.index.find(Number(p.replyTo));
      if (target) replyToKey = messageKey({ chat: chat.nativeId, author: target.author, time: target.time, identity: p.replyTo }, 0);
      else p.env.cc_reply_missing = Number(p.replyTo);
    }
    const keys = Object.keys(p.env);
    const plainText = keys.length === 0 ? '' : keys.length === 1 && typeof p.env.text === 'string' && p.env.text.charCodeAt(0) !== LBRACE ? p.env.text : null;
    return {
      nativeId: p.id,
      authorId: p.authorId,
      authorName: p.authorName,
      time: p.time,
      kind: p.kind,
      body: plainText ?? JSON.stringify(p.env),
      markup: 'telegram',
      editedAt: p.editedAt,
      deleted: false,
      replyToKey,
      attachments: p.attachments.length ? p.attachments : undefined,
    };
  }

  // --- files ---------------------------------------------------------------------------------

  private async attachment(raw: Record<string, unknown>, field: 'photo' | 'file', value: string, out: SourceEvent[]): Promise<Attachment> {
    const mediaType = typeof raw.media_type === 'string' ? raw.media_type : field;
    const fileName = typeof raw.file_name === 'string' && raw.file_name.trim() ? safeName(raw.file_name) : null;
    const declaredType = typeof raw.mime_type === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(raw.mime_type) ? raw.mime_type : undefined;
    const declaredSize = sizeOf(field === 'photo' ? raw.photo_file_size : raw.file_size);
    if (isPlaceholder(value)) {
      const attachment: Attachment = { name: fileName ?? own(LABELS, mediaType) ?? 'File' };
      if (declaredType) attachment.type = declaredType;
      if (declaredSize !== undefined) attachment.size = declaredSize;
      return attachment;
    }
    const name = fileName ?? safeName(value);
    const attachment: Attachment = { name };
    const type = declaredType ?? mimeOf(value) ?? (field === 'photo' ? 'image/jpeg' : undefined);
    if (type) attachment.type = type;
    const info = await this.mediaFile(value, type, out);
    if (info) {
      attachment.hash = info.hash;
      attachment.size = info.size;
    } else if (declaredSize !== undefined) {
      attachment.size = declaredSize;
    }
    return attachment;
  }

  /** Reads, hashes and emits the file at an export-relative path (once per path), or null. */
  private async mediaFile(relative: string, type: string | undefined, out: SourceEvent[]): Promise<MediaInfo | null> {
    if (this.media.has(relative)) return this.media.get(relative)!;
    let info: MediaInfo | null = null;
    const full = insideRoot(this.input.root, relative);
    const bytes = full ? await this.folder.read(full, relative) : 'outside';
    if (typeof bytes !== 'string') {
      const hash = createHash('sha256').update(bytes).digest('hex');
      const name = basename(full!);
      out.push({ type: 'media', media: type ? { name, type, bytes } : { name, bytes }, hash });
      info = { hash, size: bytes.length };
    } else if (!full) {
      this.warn(relative, 'a file path outside the export folder; not read');
    }
    // Refused files (links leading out, special files, too large) are counted by the folder.
    if (!info && (!full || bytes === 'missing')) {
      if (!this.missingFiles) this.firstMissing = relative;
      this.missingFiles++;
    }
    this.media.set(relative, info);
    return info;
  }
}

interface MediaInfo {
  hash: string;
  size: number;
}

/** A message between reading and emitting (replies to later messages wait for the chat's end). */
interface Prepared {
  id: string;
  time: number;
  authorId: string;
  authorName: string | null;
  kind: MessageKind;
  env: Record<string, unknown>;
  editedAt: number | null;
  attachments: Attachment[];
  replyTo: string | null;
}

/**
 * Where each message of a chat is in time and who wrote it, by id, to key replies. Ids come in
 * ascending order in real exports: kept in typed arrays and binary-searched (20 bytes a message);
 * a file out of order switches to a Map.
 */
class MessageIndex {
  private ids = new Float64Array(256);
  private times = new Float64Array(256);
  private authors = new Int32Array(256);
  private n = 0;
  private map: Map<number, number> | null = null;
  private readonly authorIds: string[] = [];
  private readonly authorSlots = new Map<string, number>();

  add(id: number, time: number, author: string): void {
    if (!Number.isFinite(id)) return;
    let slot = this.authorSlots.get(author);
    if (slot === undefined) {
      slot = this.authorIds.length;
      this.authorIds.push(author);
      this.authorSlots.set(author, slot);
    }
    if (this.n === this.ids.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids, (k) => new Float64Array(k));
      this.times = grow(this.times, (k) => new Float64Array(k));
      this.authors = grow(this.authors, (k) => new Int32Array(k));
    }
    const i = this.n++;
    this.ids[i] = id;
    this.times[i] = time;
    this.authors[i] = slot;
    if (!this.map && i > 0 && id < this.ids[i - 1]) {
      this.map = new Map();
      for (let k = 0; k < i; k++) if (!this.map.has(this.ids[k])) this.map.set(this.ids[k], k);
    }
    if (this.map && !this.map.has(id)) this.map.set(id, i);
  }

  find(id: number): { time: number; author: string } | null {
    let i = -1;
    if (this.map) {
      i = this.map.get(id) ?? -1;
    } else {
      let lo = 0;
      let hi = this.n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.ids[mid] < id) lo = mid + 1;
        else hi = mid;
      }
      if (lo < this.n && this.ids[lo] === id) i = lo;
    }
    return i < 0 ? null : { time: this.times[i], author: this.authorIds[this.authors[i]] };
  }

  /** Whether a message with this id may still be read (it is newer than the last, or order is lost). */
  mayComeLater(id: number): boolean {
    return this.map !== null || this.n === 0 || id > this.ids[this.n - 1];
  }
}

// ---------------------------------------------------------------------------------------------
// Field helpers

/** Fields the record carries elsewhere (ids, times, sizes) or that are not shown. */
const BOOKKEEPING = new Set([
  'id', 'type', 'date', 'date_unixtime', 'edited', 'edited_unixtime', 'text_entities', 'thumbnail',
  'width', 'height', 'photo_file_size', 'file_size', 'mime_type', 'inline_bot_buttons', 'message_id',
]);
const UNKNOWN = 'telegram:unknown';
/**
 * The ids of people a message shows by name (its actor, a proximity alert's two people, who a
 * message was forwarded or saved from), kept in the envelope for the converter's person
 * references. A message's own `from_id` is its author, kept only for service messages.
 */
const PERSON_ID_FIELDS = new Set(['actor_id', 'from_id', 'to_id', 'forwarded_from_id', 'saved_from_id']);

const LABELS: Record<string, string> = {
  photo: 'Photo',
  sticker: 'Sticker',
  animation: 'GIF',
  video_file: 'Video',
  video_message: 'Video message',
  voice_message: 'Voice message',
  audio_file: 'Audio',
  file: 'File',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * JSON.parse, also reading Telegram Desktop's `\xHH` escapes (control characters) as `\u00HH`;
 * `fail` decides what an unreadable text gives.
 */
export function parseLenient(text: string, fail: () => unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    if (text.indexOf('\\x') === -1) return fail();
  }
  // Escapes are consumed pairwise from the left, so `\\x41` (an escaped backslash, then x41) stays.
  const fixed = text.replace(/\\(?:x([0-9A-Fa-f]{2})|[\s\S])/g, (whole, hex: string | undefined) => (hex ? `\\u00${hex}` : whole));
  try {
    return JSON.parse(fixed);
  } catch {
    return fail();
  }
}

/** A message id as a string (ids are integers; a string of digits is accepted), or null. */
function messageId(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^-?\d{1,16}$/.test(v.trim())) return String(Number(v.trim()));
  return null;
}

/** `date_unixtime` ("1654418579", or a number) → ms; null if absent or not a time. */
function unixMs(v: unknown): number | null {
  const s = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,12}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isFinite(s) && s > 0 ? s * 1000 : null;
}

/** `date` ("2022-06-05T15:42:59", the exporter's local time) → ms as if it were UTC; null if not a time. */
export function localMs(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.\d+)?$/.exec(v.trim());
  if (!m) {
    // An explicit zone (not what Telegram writes, but unambiguous).
    const t = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/.test(v.trim()) ? Date.parse(v.trim()) : NaN;
    return Number.isFinite(t) ? t : null;
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

function authorOf(raw: Record<string, unknown>, service: boolean, chat: Chat): { authorId: string; authorName: string | null } {
  const nameKey = service ? 'actor' : 'from';
  const name = raw[nameKey];
  const displayName = typeof name === 'string' && name.trim() ? name : name === null ? 'Deleted Account' : null;
  const id = telegramNamedId(raw[`${nameKey}_id`], name);
  if (id) return { authorId: id, authorName: displayName };
  // Channel posts in old exports name no sender: the channel speaks.
  if (!service && (chat.type === 'public_channel' || chat.type === 'private_channel')) {
    return { authorId: `telegram:channel${chat.nativeId.slice('telegram:'.length)}`, authorName: chat.title };
  }
  return { authorId: UNKNOWN, authorName: null };
}

/** A reply's `reply_to_peer_id` ("channel123", "user5") names another chat than this one. */
function inOtherChat(peer: unknown, chat: Chat): boolean {
  if (peer === undefined || peer === null) return false;
  const digits = /(\d+)$/.exec(String(peer));
  return !digits || `telegram:${digits[1]}` !== chat.nativeId;
}

function kindOf(raw: Record<string, unknown>, service: boolean): MessageKind {
  if (service) return typeof raw.action === 'string' && CALL_ACTIONS.has(raw.action) ? 'call' : 'event';
  if (raw.poll !== undefined) return 'poll';
  if (raw.contact_information !== undefined) return 'contact';
  if (raw.photo !== undefined) return 'media';
  if (raw.file !== undefined) return typeof raw.media_type === 'string' ? 'media' : 'file';
  return 'text';
}

/**
 * The text as the envelope keeps it: `text_entities` when present (newer exports), else `text`;
 * plain parts become strings, neighbours merged, so plain text is one string.
 */
function textOf(raw: Record<string, unknown>): string | (string | Record<string, unknown>)[] {
  const source = Array.isArray(raw.text_entities) ? raw.text_entities : raw.text;
  if (typeof source === 'string') return source;
  if (!Array.isArray(source)) return '';
  const parts: (string | Record<string, unknown>)[] = [];
  for (const part of source) {
    const piece = typeof part === 'string' ? part : isObject(part) && part.type === 'plain' && typeof part.text === 'string' ? part.text : part;
    if (typeof piece === 'string') {
      if (piece === '') continue;
      if (typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += piece;
      else parts.push(piece);
    } else if (isObject(piece)) {
      parts.push(piece);
    }
  }
  if (parts.length === 0) return '';
  return parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : parts;
}

const PLACEHOLDER = /\((?:File|Photo) (?:not included|exceeds maximum size|unavailable)\b/;

function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

function sizeOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** The absolute path of an export-relative file path, or null when it would leave the folder. */
function insideRoot(root: string, relative: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (!relative || /[\0-\x1f]/.test(relative) || isAbsolute(relative) || /^[a-zA-Z]:/.test(relative)) return null;
  const full = resolve(root, relative.replace(/\\/g, '/'));
  return full.startsWith(root + sep) ? full : null;
}

