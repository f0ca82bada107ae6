/**
 * DiscordChatExporter (https://github.com/Tyrrrz/DiscordChatExporter) JSON exports: one file per
 * channel or thread, or a folder of them (searched a few levels deep, skipping the `…json_Files`
 * media folders). Each file is one chat, `discord:<channel id>`.
 *
 *   {"guild": {"id", "name", "iconUrl"},
 *    "channel": {"id", "type", "categoryId", "category", "name", "topic"},   (for a thread,
 *               "category" is the parent channel)
 *    "dateRange", "exportedAt",
 *    "messages": [{"id", "type", "timestamp", "timestampEdited", "callEndedTimestamp", "isPinned",
 *                  "content", "author": {"id", "name", "nickname", "isBot"…},
 *                  "attachments": [{"id", "url", "fileName", "fileSizeBytes"}], "embeds",
 *                  "stickers", "reactions", "mentions", "reference": {"messageId", "channelId"…},
 *                  "interaction", "forwardedMessage"}…],
 *    "messageCount"}
 *
 * Streaming: a file can be hundreds of MB, so it goes through collector/json/scanner.ts: the root
 * and the `messages` list are entered, `guild` and `channel` are taken (they come first in every
 * export), and each message is taken and `JSON.parse`d alone, then dropped. What a reply needs of
 * an earlier message (its author and time, for the key the writer gave it) stays in a small index:
 * 28 bytes a message. DiscordChatExporter writes messages oldest first and a reply always comes
 * after what it answers, so one pass finds every target in the file.
 *
 * Mapping: people are `discord:<user id>`, named by nickname (else user name). `timestamp` with
 * any UTC offset → UTC ms; `timestampEdited` → editedAt. Types: Default/Reply/commands → text
 * (media/file when only attachments), Call → call, the join/pin/thread/rename/recipient notices
 * (and Discord's other numbered system types 1–18) → event; an unknown type is imported and
 * counted in one warning. The body is the content as written, or a JSON envelope with the parts
 * a page shows besides it (collector/markup/discord.ts: DiscordEnvelope), people in it with their
 * user ids (a system message's author, a slash command's user, mentions) so that the converter
 * writes person references. Attachments (and
 * sticker images): a relative path from `--media` (either separator) whose file exists inside the
 * export's folder is hashed and emitted as a `media` event before its message; otherwise the
 * attachment keeps its name, size and (http) URL. Paths that leave the export folder (absolute,
 * `..`, symlinks) are never read: an export must not pull other files into a published archive.
 *
 * Errors: a file that is not such an export, truncated, or not UTF-8 is a SourceError naming the
 * file and byte offset (the importer then rolls the whole import back); a message without a time
 * or author is skipped with a warning naming its index and byte offset.
 */
import { createHash } from 'node:crypto';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { messageKey } from '../../identity/key.js';
import { JsonScanError, JsonScanner, ScanAction, type PathKey, type ScanHandler, type ScannedValue } from '../../json/scanner.js';
import type { DiscordEmbed, DiscordEnvelope, DiscordReaction } from '../../markup/discord/index.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { type Attachment, type ChatRecord, type MessageKind, type MessageRecord, type PersonRecord } from '../../model.js';
import { formatLimit } from '../kit/limits.js';
import { flatten } from '../kit/batches.js';
import { chunksAhead, notAJsonObject, readHead } from '../kit/files.js';
import { safeName, mimeOf, DEFAULT_MAX_MEDIA_BYTES } from '../kit/media-files.js';
import { ExportFolder } from '../kit/export-folder.js';
import { unreadableMessage } from '../kit/unreadable.js';

export const discord: SourceAdapter = {
  format: 'discord',
  description: 'DiscordChatExporter JSON: a channel or thread export (.json), or a folder of them',
  detect,
  read,
};

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const discordTuning = {
  /** Bytes read per scanner chunk; also how often progress is reported. */
  chunkBytes: 4 << 20,
};
/** How much of a file detect() reads: guild and channel (a topic can be long) come before messages. */
const HEAD_BYTES = 64 << 10;
/** Individual warnings per import before they are only counted. */
const MAX_WARNINGS = 200;
/** How deep a folder is searched for exports. */
const MAX_FOLDER_DEPTH = 6;

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
    for (const file of await jsonFiles(path, 16)) if (await looksLikeExport(file)) return true;
    return false;
  }
  return info.isFile() && looksLikeExport(path);
}

/**
 * The start of a DiscordChatExporter JSON file: an object with `"guild": {`, `"channel": {` and
 * `"messages": [`. Skype (`"conversations"`) and Telegram (`"messages"` but no guild) never match.
 */
export function looksLikeExportHead(head: Buffer): boolean {
  const text = head.toString('utf8');
  return /^\uFEFF?\s*\{/.test(text) && /"guild"\s*:\s*\{/.test(text) && /"channel"\s*:\s*\{/.test(text) && /"messages"\s*:\s*\[/.test(text);
}

async function looksLikeExport(file: string): Promise<boolean> {
  try {
    return looksLikeExportHead(await readHead(file, HEAD_BYTES));
  } catch {
    return false;
  }
}

/**
 * The `.json` files in a folder and its subfolders (not media folders, hidden ones, symlinks),
 * sorted; at most `limit` of them (detect() needs only a few, whatever the folder's size).
 */
async function jsonFiles(root: string, limit = Infinity): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (found.length >= limit) return;
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_FOLDER_DEPTH && !entry.name.endsWith('_Files')) await walk(full, depth + 1);
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
        found.push(full);
      }
    }
  };
  await walk(root, 0);
  return found.sort();
}

// ---------------------------------------------------------------------------------------------
// read

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options));
}

interface Progress {
  /** Bytes of the files before this one. */
  base: number;
  total: number;
}

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceError(path, null, 'no such file or folder');
  }
  const warnings = new Warnings();
  if (info.isDirectory()) {
    const exports: { file: string; size: number }[] = [];
    for (const file of await jsonFiles(path)) {
      if (await looksLikeExport(file)) exports.push({ file, size: (await stat(file)).size });
      else warnings.add(relative(path, file), 'not a DiscordChatExporter JSON export; skipped');
    }
    if (!exports.length) throw new SourceError(path, null, 'not a DiscordChatExporter export: the folder has no DiscordChatExporter JSON files');
    const progress: Progress = { base: 0, total: exports.reduce((n, e) => n + e.size, 0) };
    for (const { file, size } of exports) {
      yield* readExport(file, path, relative(path, file), options, progress, warnings);
      progress.base += size;
    }
    yield warnings.summary(path);
    yield [{ type: 'progress', done: progress.total, total: progress.total }];
  } else {
    const progress: Progress = { base: 0, total: info.size };
    yield* readExport(path, dirname(path), basename(path), options, progress, warnings);
    yield warnings.summary(path);
    yield [{ type: 'progress', done: info.size, total: info.size }];
  }
}

/** One export file. `root` is the folder its media must lie in; `label` names it in warnings. */
async function* readExport(
  file: string,
  root: string,
  label: string,
  options: ReadOptions,
  progress: Progress,
  warnings: Warnings,
): AsyncGenerator<SourceEvent[]> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const what = await notAJsonObject(fh, 0, size);
    if (what) throw new SourceError(file, null, `not a DiscordChatExporter export: the file is ${what}`);
    const reader = new ChannelReader(file, root, label, options, warnings);
    const scanner = new JsonScanner(reader);
    let done = 0;
    for await (const chunk of chunksAhead(fh, 0, size, discordTuning.chunkBytes)) {
      try {
        scanner.push(chunk);
      } catch (err) {
        throw reader.sourceError(err);
      }
      done += chunk.length;
      const events = await reader.drain();
      events.push({ type: 'progress', done: progress.base + done, total: progress.total });
      yield events;
    }
    try {
      scanner.end();
    } catch (err) {
      throw reader.sourceError(err);
    }
    yield reader.finish();
  } finally {
    await fh.close();
  }
}

/** Warnings of a whole import (a folder's files share them), listed up to MAX_WARNINGS. */
class Warnings {
  private count = 0;
  private pending: SourceEvent[] = [];

  add(position: string, message: string): void {
    this.count++;
    if (this.count <= MAX_WARNINGS) this.pending.push({ type: 'warning', warning: { position, message } });
  }

  take(): SourceEvent[] {
    return this.pending.splice(0, this.pending.length);
  }

  summary(path: string): SourceEvent[] {
    const out = this.take();
    if (this.count > MAX_WARNINGS) {
      out.push({ type: 'warning', warning: { position: path, message: `${this.count - MAX_WARNINGS} more warnings like the ones above were not listed` } });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// One channel: the scanner's handler, then each message

const LBRACE = 0x7b;
const LBRACKET = 0x5b;

interface QueuedMessage {
  text: string;
  offset: number;
  index: number;
}

interface MediaInfo {
  hash: string;
  size: number;
  type?: string;
}

/** A count of something that happened to several messages, reported once with the first place. */
interface Tally {
  count: number;
  first: string;
}

class ChannelReader implements ScanHandler {
  private guild: unknown = undefined;
  private channel: unknown = undefined;
  private messageCount: unknown = undefined;
  private channelId = '';
  private chat: ChatRecord | null = null;
  private chatEmitted = false;
  private sawMessages = false;
  private skipped = false;
  /** Message entries in the file (objects or not), to check `messageCount`. */
  private entries = 0;
  private queue: QueuedMessage[] = [];
  private readonly index = new MessageIndex();
  private readonly authorIds: string[] = [];
  private readonly authorNames: (string | null)[] = [];
  private readonly authorSlots = new Map<string, number>();
  /** Resolved media path → what it held (null: missing or refused), so each file is read once. */
  private readonly media = new Map<string, MediaInfo | null>();
  private readonly folder: ExportFolder;
  private readonly unknownTypes = new Map<string, Tally>();
  private readonly missingMedia: Tally = { count: 0, first: '' };
  private readonly outsideMedia: Tally = { count: 0, first: '' };
  private readonly noOffset: Tally = { count: 0, first: '' };
  private readonly wantChat: (nativeId: string) => boolean;

  constructor(
    private readonly file: string,
    private readonly root: string,
    private readonly label: string,
    options: ReadOptions,
    private readonly warnings: Warnings,
  ) {
    this.wantChat = options.wantChat ?? (() => true);
    this.folder = new ExportFolder(root, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, (position, message) => warnings.add(position, message));
  }

  // --- ScanHandler ---------------------------------------------------------------------------

  open(path: readonly PathKey[], first: number, offset: number): ScanAction {
    switch (path.length) {
      case 0:
        return ScanAction.enter; // the root; readExport() checked it is an object
      case 1: {
        const key = path[0];
        if (key === 'messages') {
          if (first !== LBRACKET) throw this.error(offset, 'not a DiscordChatExporter export: "messages" is not a list');
          this.sawMessages = true;
          this.startChat(offset);
          return this.skipped ? ScanAction.skip : ScanAction.enter;
        }
        return key === 'guild' || key === 'channel' || key === 'messageCount' ? ScanAction.take : ScanAction.skip;
      }
      case 2:
        this.entries++;
        if (first !== LBRACE) {
          this.warnings.add(this.where(path[1] as number, offset), 'not an object; skipped');
          return ScanAction.skip;
        }
        return ScanAction.take;
      default:
        return ScanAction.skip;
    }
  }

  tooLarge(path: readonly PathKey[], offset: number, limit: number): void {
    const where = path.length === 2 ? this.where(path[1] as number, offset) : `${this.label}, "${String(path[0])}" (byte ${offset})`;
    this.warnings.add(where, `more than ${formatLimit(limit)}, the limit for one message or record: skipped`);
  }

  take(path: readonly PathKey[], value: ScannedValue): void {
    if (path.length === 2) {
      this.queue.push({ text: value.text(), offset: value.start, index: path[1] as number });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.text());
    } catch (err) {
      throw this.error(value.start, `invalid JSON: ${(err as Error).message}`);
    }
    if (path[0] === 'guild') this.guild = parsed;
    else if (path[0] === 'channel') this.channel = parsed;
    else this.messageCount = parsed;
  }

  // --- errors --------------------------------------------------------------------------------

  private error(offset: number, message: string): SourceError {
    return new SourceError(this.file, `byte ${offset}`, message);
  }

  sourceError(err: unknown): unknown {
    return err instanceof JsonScanError ? this.error(err.offset, err.reason) : err;
  }

  private where(index: number, offset: number): string {
    return `${this.label}, message ${index} (byte ${offset})`;
  }

  private tally(tally: Tally, where: string): void {
    if (tally.count++ === 0) tally.first = where;
  }

  // --- the chat ------------------------------------------------------------------------------

  /** `messages` begins: the chat is known from `guild` and `channel`, which must come first. */
  private startChat(offset: number): void {
    if (this.chat || this.skipped) return; // a second "messages" key: still the same chat
    const channel = record(this.channel);
    if (!channel) {
      throw this.error(offset, this.channel === undefined ? 'not a DiscordChatExporter export: no "channel" before "messages"' : '"channel" is not an object');
    }
    const id = idOf(channel.id);
    if (!id) throw this.error(offset, '"channel" has no id');
    this.channelId = id;
    const nativeId = `discord:${id}`;
    if (!this.wantChat(nativeId)) {
      this.skipped = true;
      return;
    }
    const guild = record(this.guild);
    this.chat = { nativeId, title: chatTitle(guild, channel), kind: chatKind(guild, channel) };
  }

  /** The chat event (before its first message), the messages parsed so far, their media and warnings. */
  async drain(): Promise<SourceEvent[]> {
    const out: SourceEvent[] = [];
    const queue = this.queue;
    this.queue = [];
    for (const item of queue) {
      let message: unknown;
      try {
        message = JSON.parse(item.text);
      } catch (err) {
        throw this.error(item.offset, `invalid JSON in message ${item.index}: ${(err as Error).message}`);
      }
      try {
        await this.message(message, item, out);
      } catch (err) {
        this.warnings.add(this.where(item.index, item.offset), unreadableMessage(err));
      }
    }
    for (const warning of this.warnings.take()) out.push(warning);
    return out;
  }

  /** After the last message: the chat's members (its authors) and what was counted on the way. */
  finish(): SourceEvent[] {
    if (!this.sawMessages) {
      const missing = this.guild === undefined ? '"guild"' : this.channel === undefined ? '"channel"' : '"messages"';
      throw new SourceError(this.file, null, `not a DiscordChatExporter export: no ${missing}`);
    }
    const out: SourceEvent[] = [];
    if (this.chat && this.chatEmitted) {
      // Members are known only now; the chat event again adds them (same chat, same title).
      const members: PersonRecord[] = this.authorIds.map((nativeId, i) => {
        const name = this.authorNames[i];
        return name ? { nativeId, displayName: name } : { nativeId };
      });
      out.push({ type: 'chat', chat: { ...this.chat, members } });
    }
    const where = this.label;
    if (!this.skipped && typeof this.messageCount === 'number' && this.messageCount !== this.entries) {
      this.warnings.add(where, `"messageCount" says ${this.messageCount} but the file lists ${this.entries} messages`);
    }
    for (const [type, { count, first }] of this.unknownTypes) {
      this.warnings.add(first, `${count} message${count === 1 ? '' : 's'} of unknown type "${type}" imported as ${kindOfType(type)[0]}`);
    }
    if (this.missingMedia.count) {
      this.warnings.add(this.missingMedia.first, `${plural(this.missingMedia.count, 'attachment')} not found beside the export; kept as name, size and link`);
    }
    if (this.outsideMedia.count) {
      this.warnings.add(this.outsideMedia.first, `${plural(this.outsideMedia.count, 'media path')} outside the export's folder not read`);
    }
    for (const { position, message } of this.folder.summary()) this.warnings.add(position, message);
    if (this.noOffset.count) {
      this.warnings.add(this.noOffset.first, `${plural(this.noOffset.count, 'timestamp')} without a UTC offset read as UTC`);
    }
    for (const warning of this.warnings.take()) out.push(warning);
    return out;
  }

  // --- messages ------------------------------------------------------------------------------

  private async message(m: unknown, item: QueuedMessage, out: SourceEvent[]): Promise<void> {
    const where = this.where(item.index, item.offset);
    const msg = record(m);
    if (!msg) {
      this.warnings.add(where, 'not an object; skipped');
      return;
    }
    const time = typeof msg.timestamp === 'string' ? parseTimestamp(msg.timestamp) : NaN;
    if (!Number.isFinite(time)) {
      this.warnings.add(where, `no valid time (timestamp ${JSON.stringify(msg.timestamp ?? null)}); skipped`);
      return;
    }
    if (!lastHadOffset) this.tally(this.noOffset, where);
    const author = record(msg.author);
    const authorRaw = author ? idOf(author.id) : null;
    if (!authorRaw) {
      this.warnings.add(where, 'no author; skipped');
      return;
    }
    const authorId = `discord:${authorRaw}`;
    const authorName = displayName(author);
    const authorSlot = this.author(authorId, authorName);

    const type = typeof msg.type === 'string' && msg.type ? msg.type : typeof msg.type === 'number' ? String(msg.type) : 'Default';
    const [typeKind, known] = kindOfType(type);
    let kind = typeKind;
    if (!known) {
      const tally = this.unknownTypes.get(type);
      if (tally) tally.count++;
      else this.unknownTypes.set(type, { count: 1, first: where });
    }
    const content = typeof msg.content === 'string' ? msg.content : '';
    const nativeId = idOf(msg.id) ?? undefined;
    const edited = typeof msg.timestampEdited === 'string' ? parseTimestamp(msg.timestampEdited) : NaN;

    const attachments: Attachment[] = [];
    for (const a of list(msg.attachments, 100)) await this.attachment(record(a), attachments, out, where);
    const forwarded = record(msg.forwardedMessage);
    if (forwarded) for (const a of list(forwarded.attachments, 100)) await this.attachment(record(a), attachments, out, where);
    const stickers: string[] = [];
    for (const s of list(msg.stickers, 10)) await this.sticker(record(s), stickers, attachments, out, where);

    const envelope: DiscordEnvelope = { content };
    if (kind === 'event' || kind === 'call') {
      envelope.type = type;
      envelope.author = authorName ?? authorRaw;
      envelope.authorId = authorRaw;
      const ended = typeof msg.callEndedTimestamp === 'string' ? parseTimestamp(msg.callEndedTimestamp) : NaN;
      if (type === 'Call' && Number.isFinite(ended) && ended >= time) envelope.callSeconds = Math.round((ended - time) / 1000);
    }
    const interaction = record(msg.interaction);
    if (interaction && str(interaction.name)) {
      const user = record(interaction.user);
      const userName = displayName(user);
      const userId = user ? idOf(user.id) : null;
      envelope.interaction = { name: str(interaction.name) };
      if (userName) envelope.interaction.user = userName;
      if (userName && userId) envelope.interaction.userId = userId;
    }
    const mentions: Record<string, string> = {};
    let anyMention = false;
    for (const u of list(msg.mentions, 200)) {
      const user = record(u);
      const id = user ? idOf(user.id) : null;
      const name = displayName(user);
      if (id && name && !Object.hasOwn(mentions, id)) {
        mentions[id] = name;
        anyMention = true;
      }
    }
    if (anyMention) envelope.mentions = mentions;
    if (content.includes('<#')) envelope.channels = this.channelNames();
    if (forwarded && (str(forwarded.content) || list(forwarded.attachments, 1).length)) envelope.forwarded = { content: str(forwarded.content) };
    if (stickers.length) envelope.stickers = stickers;
    const embeds = embedsOf(msg.embeds);
    if (embeds.length) envelope.embeds = embeds;
    const reactions = reactionsOf(msg.reactions);
    if (reactions.length) envelope.reactions = reactions;
    if (msg.isPinned === true) envelope.pinned = true;

    if (kind === 'text' && content.trim() === '' && !envelope.forwarded && (attachments.length || stickers.length)) {
      kind = attachments.every((a) => /^(?:image|video|audio)\//.test(a.type ?? '')) ? 'media' : 'file';
    }
    const body = Object.keys(envelope).length > 1 || content.charCodeAt(0) === 0x7b ? JSON.stringify(envelope) : content;

    // Every record has every field (one object shape for the importer's hot path).
    const message: MessageRecord = {
      nativeId,
      authorId,
      authorName,
      time,
      kind,
      body,
      markup: 'discord',
      editedAt: Number.isFinite(edited) ? edited : null,
      deleted: false,
      replyToKey: this.replyKey(msg.reference),
      attachments: attachments.length ? attachments : undefined,
    };
    if (nativeId !== undefined) this.index.add(nativeId, time, authorSlot);
    if (!this.chatEmitted && this.chat) {
      out.push({ type: 'chat', chat: this.chat });
      this.chatEmitted = true;
    }
    out.push({ type: 'message', message });
  }

  private author(id: string, name: string | null): number {
    let slot = this.authorSlots.get(id);
    if (slot === undefined) {
      slot = this.authorIds.length;
      this.authorSlots.set(id, slot);
      this.authorIds.push(id);
      this.authorNames.push(name);
    } else if (name) {
      this.authorNames[slot] = name; // the latest name wins, as in the app
    }
    return slot;
  }

  /** The key of the message this one answers, when it is earlier in this file. */
  private replyKey(reference: unknown): string | null {
    const ref = record(reference);
    if (!ref || !this.chat) return null;
    const target = idOf(ref.messageId);
    if (!target) return null;
    // A forward or crosspost names a message of another channel.
    const channel = idOf(ref.channelId);
    if (channel && channel !== this.channelId) return null;
    const k = this.index.find(target);
    if (k === -1) return null;
    return messageKey({ chat: this.chat.nativeId, author: this.authorIds[this.index.authorOf(k)], time: this.index.timeOf(k), identity: target }, 0);
  }

  private channelNames(): Record<string, string> {
    const names: Record<string, string> = {};
    const channel = record(this.channel);
    if (!channel) return names;
    const name = str(channel.name).trim();
    if (name) names[this.channelId] = name;
    const parent = idOf(channel.categoryId);
    if (parent && str(channel.category).trim() && /Thread$/.test(str(channel.type))) names[parent] = str(channel.category).trim();
    return names;
  }

  private async attachment(a: Record<string, unknown> | null, into: Attachment[], out: SourceEvent[], where: string): Promise<void> {
    if (!a) return;
    const url = str(a.url);
    const name = safeName(str(a.fileName) || fileNameOfUrl(url));
    const declared = typeof a.fileSizeBytes === 'number' && Number.isFinite(a.fileSizeBytes) && a.fileSizeBytes >= 0 ? a.fileSizeBytes : undefined;
    const type = mimeOf(name);
    const local = url ? await this.localMedia(url, name, out, where) : null;
    const attachment: Attachment = { name };
    if (local) {
      attachment.size = local.size;
      if (type ?? local.type) attachment.type = (type ?? local.type)!;
      attachment.hash = local.hash;
    } else {
      if (declared !== undefined) attachment.size = declared;
      if (type) attachment.type = type;
      if (isRemote(url)) attachment.url = url;
    }
    into.push(attachment);
  }

  /** A sticker's name for the envelope; its image, when the export has it, as an attachment. */
  private async sticker(s: Record<string, unknown> | null, names: string[], into: Attachment[], out: SourceEvent[], where: string): Promise<void> {
    if (!s) return;
    const name = str(s.name).trim() || 'sticker';
    names.push(name);
    const url = str(s.sourceUrl);
    // Lottie stickers are animation JSON: nothing a page can show.
    if (!url || isRemote(url) || str(s.format) === 'Lottie') return;
    const ext = extname(url.replace(/\\/g, '/')).toLowerCase();
    const fileName = safeName(`${name}${/^\.[a-z0-9]{1,5}$/.test(ext) ? ext : ''}`);
    const local = await this.localMedia(url, fileName, out, where);
    if (local) {
      const type = mimeOf(fileName) ?? local.type;
      into.push(type ? { name: fileName, size: local.size, type, hash: local.hash } : { name: fileName, size: local.size, hash: local.hash });
    }
  }

  /**
   * The file a relative media path (`x.json_Files\a-1F2E3.png`) names, read, hashed and emitted
   * once as a `media` event; null when it is remote, missing, or outside the export's folder.
   */
  private async localMedia(url: string, name: string, out: SourceEvent[], where: string): Promise<MediaInfo | null> {
    if (isRemote(url) || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null;
    const rel = url.replace(/\\/g, '/');
    if (rel.startsWith('/') || /^[a-zA-Z]:/.test(rel) || rel.includes('\0')) {
      this.tally(this.outsideMedia, where);
      return null;
    }
    const full = resolve(dirname(this.file), rel);
    const cached = this.media.get(full);
    if (cached !== undefined) return cached;
    const found = isInside(this.root, full) ? await this.readMedia(full, name, out) : 'outside';
    if (found === 'outside') this.tally(this.outsideMedia, where);
    else if (found === 'missing') this.tally(this.missingMedia, where);
    const info = typeof found === 'string' ? null : found;
    this.media.set(full, info);
    return info;
  }

  private async readMedia(full: string, name: string, out: SourceEvent[]): Promise<MediaInfo | 'missing' | 'refused'> {
    const bytes = await this.folder.read(full, relative(this.root, full).replace(/\\/g, '/'));
    if (typeof bytes === 'string') return bytes === 'missing' ? 'missing' : 'refused'; // the folder counts refusals
    const hash = createHash('sha256').update(bytes).digest('hex');
    const type = mimeOf(name) ?? mimeOf(full);
    out.push({ type: 'media', media: type ? { name, type, bytes } : { name, bytes }, hash });
    return type ? { hash, size: bytes.length, type } : { hash, size: bytes.length };
  }
}

// ---------------------------------------------------------------------------------------------
// The reply index

/**
 * Message id → (author slot, time) for the messages read so far, in typed arrays: ids as 64-bit
 * snowflakes, an open-addressing table of entry numbers at half load. 8 + 8 + 4 + 2×4 = 28 bytes
 * a message, whatever its size. Ids that are not canonical decimal numbers are not indexed (no
 * real Discord id is anything else); the first of two messages with one id wins.
 */
export class MessageIndex {
  private ids = new BigUint64Array(256);
  private times = new Float64Array(256);
  private authors = new Int32Array(256);
  /** Entry number + 1, or 0 for an empty slot. */
  private slots = new Int32Array(512);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(id: string, time: number, author: number): void {
    const key = snowflake(id);
    if (key === null || this.lookup(key) !== -1) return;
    if (this.count === this.ids.length) this.grow();
    const k = this.count++;
    this.ids[k] = key;
    this.times[k] = time;
    this.authors[k] = author;
    this.place(key, k);
  }

  /** The entry number of a message id, or -1. */
  find(id: string): number {
    const key = snowflake(id);
    return key === null ? -1 : this.lookup(key);
  }

  timeOf(k: number): number {
    return this.times[k];
  }

  authorOf(k: number): number {
    return this.authors[k];
  }

  private lookup(key: bigint): number {
    const mask = this.slots.length - 1;
    for (let s = slotHash(key) & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s];
      if (v === 0) return -1;
      if (this.ids[v - 1] === key) return v - 1;
    }
  }

  private place(key: bigint, k: number): void {
    const mask = this.slots.length - 1;
    let s = slotHash(key) & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = k + 1;
  }

  private grow(): void {
    const capacity = this.ids.length * 2;
    const ids = new BigUint64Array(capacity);
    ids.set(this.ids);
    const times = new Float64Array(capacity);
    times.set(this.times);
    const authors = new Int32Array(capacity);
    authors.set(this.authors);
    this.ids = ids;
    this.times = times;
    this.authors = authors;
    this.slots = new Int32Array(capacity * 2);
    for (let k = 0; k < this.count; k++) this.place(ids[k], k);
  }
}

const MAX_U64 = (1n << 64n) - 1n;

function snowflake(id: string): bigint | null {
  if (!/^(?:0|[1-9]\d{0,19})$/.test(id)) return null;
  const key = BigInt(id);
  return key <= MAX_U64 ? key : null;
}

/** Snowflakes keep their time in the high bits: fold them down, then spread (Fibonacci hashing). */
function slotHash(key: bigint): number {
  const folded = Number(BigInt.asUintN(32, key ^ (key >> 22n) ^ (key >> 42n)));
  return Math.imul(folded, 0x9e3779b1) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Field helpers

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function list(value: unknown, max: number): unknown[] {
  return Array.isArray(value) ? value.slice(0, max) : [];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** An id as text: a non-empty string (at most 100 characters) or a whole number. */
function idOf(value: unknown): string | null {
  if (typeof value === 'string') {
    const id = value.trim();
    return id && id.length <= 100 ? id : null;
  }
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
}

/** A user's name as the app shows it: the server nickname (the export's `nickname`), else the user name. */
function displayName(user: Record<string, unknown> | null): string | null {
  if (!user) return null;
  const name = str(user.nickname).trim() || str(user.name).trim();
  return name || null;
}

function chatTitle(guild: Record<string, unknown> | null, channel: Record<string, unknown>): string | null {
  const name = str(channel.name).trim();
  const type = str(channel.type);
  if (type.startsWith('Direct') || (guild && idOf(guild.id) === '0')) return name || null;
  const guildName = guild ? str(guild.name).trim() : '';
  if (!name) return guildName || null;
  const parent = str(channel.category).trim();
  // A thread's "category" is the channel it was started in: `#general › thread`.
  const label = /Thread$/.test(type) && parent ? `#${parent} › ${name}` : `#${name}`;
  return guildName ? `${guildName} / ${label}` : label;
}

function chatKind(guild: Record<string, unknown> | null, channel: Record<string, unknown>): ChatRecord['kind'] {
  const type = str(channel.type);
  if (type === 'DirectTextChat') return 'direct';
  if (type === 'DirectGroupTextChat' || (guild && idOf(guild.id) === '0')) return 'group';
  return 'channel';
}

const TEXT_TYPES = new Set(['Default', 'Reply', 'ChatInputCommand', 'ContextMenuCommand', 'ThreadStarterMessage', '0', '19', '20', '21', '23']);
const EVENT_TYPES = new Set([
  'RecipientAdd', 'RecipientRemove', 'ChannelNameChange', 'ChannelIconChange', 'ChannelPinnedMessage',
  'GuildMemberJoin', 'ThreadCreated',
]);

/**
 * The kind a DiscordChatExporter message type maps to, and whether the type is a known one. The
 * exporter names the types it knows and writes Discord's others as numbers: 1–18 are system
 * notices (boosts, follows…), higher ones messages of some app or feature.
 */
function kindOfType(type: string): [MessageKind, boolean] {
  if (TEXT_TYPES.has(type)) return ['text', true];
  if (type === 'Call' || type === '3') return ['call', true];
  if (EVENT_TYPES.has(type)) return ['event', true];
  if (/^\d{1,3}$/.test(type)) {
    const n = Number(type);
    return n >= 1 && n <= 18 ? ['event', n <= 12] : ['text', false];
  }
  return ['text', false];
}

function isRemote(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** True when `path` lies inside folder `root` (both absolute). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function fileNameOfUrl(url: string): string {
  const path = url.replace(/[?#].*$/, '').replace(/\\/g, '/');
  let name = path.slice(path.lastIndexOf('/') + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // not percent-encoded after all
  }
  return name;
}

/** Embeds with something to read (title, text, fields); image- and video-only ones are left out. */
function embedsOf(value: unknown): DiscordEmbed[] {
  const out: DiscordEmbed[] = [];
  for (const item of list(value, 10)) {
    const e = record(item);
    if (!e) continue;
    const embed: DiscordEmbed = {};
    const author = str(record(e.author)?.name).trim();
    const title = str(e.title).trim();
    const url = str(e.url).trim();
    const description = str(e.description);
    const fields = list(e.fields, 25)
      .map(record)
      .filter((f): f is Record<string, unknown> => f !== null)
      .map((f) => ({ name: str(f.name), value: str(f.value) }))
      .filter((f) => f.name.trim() || f.value.trim());
    const footer = str(record(e.footer)?.text).trim();
    if (!author && !title && !description.trim() && !fields.length && !footer) continue;
    if (author) embed.author = author;
    if (title) embed.title = title;
    if (url) embed.url = url;
    if (description.trim()) embed.description = description;
    if (fields.length) embed.fields = fields;
    if (footer) embed.footer = footer;
    out.push(embed);
  }
  return out;
}

/** Reactions as the app shows them: the emoji (`:name:` for a server's own) and how many. */
function reactionsOf(value: unknown): DiscordReaction[] {
  const out: DiscordReaction[] = [];
  for (const item of list(value, 50)) {
    const r = record(item);
    const emoji = record(r?.emoji);
    if (!r || !emoji) continue;
    const name = str(emoji.name).trim();
    const custom = idOf(emoji.id) !== null;
    const label = custom ? `:${name || 'emoji'}:` : name || (str(emoji.code) ? `:${str(emoji.code)}:` : '');
    if (!label) continue;
    const count = typeof r.count === 'number' && Number.isFinite(r.count) && r.count >= 0 ? Math.floor(r.count) : 1;
    out.push({ emoji: label, count });
  }
  return out;
}

/** Whether the last timestamp parseTimestamp() read carried a UTC offset (or Z). */
let lastHadOffset = true;

const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?(?:(Z)|([+-])(\d\d):?(\d\d))?$/i;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `2023-01-06T16:03:03.853+02:00` → UTC ms (1673013783853): DiscordChatExporter writes local time
 * with its offset (or UTC with `--utc`), with 0–7 fraction digits. NaN if not such a time; a time
 * without offset is read as UTC.
 */
export function parseTimestamp(value: string): number {
  const m = TIMESTAMP.exec(value.trim());
  if (!m) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] ? Number(m[6]) : 0;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1] || hour > 23 || minute > 59 || second > 60) return NaN;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return NaN;
  let time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year < 100) time = new Date(time).setUTCFullYear(year);
  lastHadOffset = m[8] !== undefined || m[9] !== undefined;
  if (m[9]) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    if (Number(m[10]) > 23 || Number(m[11]) > 59) return NaN;
    time += m[9] === '-' ? offset : -offset;
  }
  return time;
}
