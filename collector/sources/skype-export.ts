/**
 * Skype "Export chats and files" (https://secure.skype.com/en/data-export): the `.tar` download,
 * its unpacked folder, or `messages.json` alone.
 *
 *   messages.json   {"userId", "exportDate", "conversations": [{"id", "displayName",
 *                    "threadProperties": {"topic", "members": "<JSON string>"}, "MessageList": [
 *                    {"id", "displayName", "originalarrivaltime", "messagetype", "content", "from",
 *                     "properties": {"edittime"|"deletetime"…}, "amsreferences": [AMS id…]}…]}…]}
 *   media/<AMS id>.1.<ext>   a shared file (`0-weu-d1-abc….1.jpg`); media/<AMS id>.json its metadata
 *                            ({"filename": …}); endpoints.json is ignored.
 *
 * How it stays fast and flat in memory on a file of many hundred MB (one line of JSON):
 * - Pass 1 streams the JSON through collector/json/scanner.ts. Conversation fields are parsed; each
 *   message is NOT parsed: only its byte range is kept, with its time and a hash of its id, which
 *   the scanner picks out of the raw bytes (28 bytes a message, whatever its size).
 * - When a conversation's object closes, its messages are re-read by range in time order and each
 *   is `JSON.parse`d alone. Real exports list messages newest first, so that order is the file's,
 *   reversed, read in blocks from the end; any other order is detected and sorted (by time, ties
 *   newest-first as written). Since a chat is emitted only once its object is complete, its fields
 *   may come before or after MessageList.
 * - Media are never unpacked: the tar's table of contents (collector/archive/tar.ts) gives each
 *   file's offset, and a file is read, hashed and emitted just before the first message that
 *   references it, so media always precede their messages whatever the archive's order. Files no
 *   message referenced are emitted at the end (unless some chats were filtered out with --chat).
 *
 * Mapping: person ids always get their type prefix (`usernameA` → `8:usernameA`, like `8:…`, `28:`
 * bots); thread activity sent "from" the thread is credited to its `<initiator>`. Chats: `19:` group,
 * `8:`/`28:`… direct, `48:` (notes, call logs) channel; empty conversations are not chats.
 * `properties.edittime` or an `<e_m ts_ms>` marker → editedAt; `properties.deletetime`, or a
 * textual message left empty or with only `<e_m/>` → deleted (the body is kept). Unknown message
 * types are imported (as events, or text for `RichText/…`) and counted in one warning per type; a
 * message without a valid time or sender is skipped with a warning naming its conversation, index
 * and byte offset. Input that is not a Skype export, truncated or not UTF-8 is a SourceError with
 * the byte offset (the importer then rolls the whole import back).
 */
import { createHash } from 'node:crypto';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { canonicalSkypeChatId } from '../identity/skype-ids.js';
import { isTar, listTar, readEntry, TarError, type TarEntry } from '../archive/tar.js';
import { messageKey } from '../identity/key.js';
import { own } from '../own.js';
import { JsonScanError, JsonScanner, ScanAction, type ByteRange, type PathKey, type ScanHandler, type ScannedValue } from '../json/scanner.js';
import {
  SourceError,
  type Attachment,
  type ChatRecord,
  type MessageKind,
  type MessageRecord,
  type PersonRecord,
  type ReadOptions,
  type SourceAdapter,
  type SourceEvent,
  type SourceWarning,
} from './types.js';
import { formatLimit } from './limits.js';
import { flatten } from './batches.js';
import { unreadableMessage } from './unreadable.js';
import { chunksAhead, isFile, notAJsonObject, readAt, readHead } from './files.js';
import { DEFAULT_MAX_MEDIA_BYTES, MAX_MEDIA_BYTES_LIMIT, mediaTooLarge, safeName, mimeOf } from './media-files.js';
import { ExportFolder, type Refusal } from './export-folder.js';

export const skypeExport: SourceAdapter = {
  format: 'skype-export',
  description: 'Skype "Export chats and files": the .tar download, its unpacked folder, or messages.json',
  detect,
  read,
};

/** Read sizes; tests shrink them to put chunk and block boundaries everywhere. */
export const skypeExportTuning = {
  /** Bytes read from the JSON per scanner chunk; also how often progress is reported. */
  chunkBytes: 4 << 20,
  /** Bytes read at once when re-reading a conversation's messages. */
  blockBytes: 4 << 20,
};
/** Individual warnings per file before they are only counted. */
const MAX_WARNINGS = 200;
/** Media metadata files (`<id>.json`) larger than this are not parsed. */
const MAX_METADATA = 1 << 20;

// ---------------------------------------------------------------------------------------------
// detect

async function detect(path: string): Promise<boolean> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return false;
  }
  if (info.isDirectory()) return isFile(join(path, 'messages.json'));
  if (!info.isFile()) return false;
  if (await isTar(path)) {
    try {
      const entries = await listTar(path, (e) => isMessagesJson(e));
      return entries.some(isMessagesJson);
    } catch {
      return false;
    }
  }
  const text = (await readHead(path, 1024)).toString('utf8');
  return text.includes('"conversations"') && (text.includes('"userId"') || text.includes('"exportDate"'));
}

function isMessagesJson(entry: TarEntry): boolean {
  return entry.type === 'file' && (entry.name === 'messages.json' || entry.name.endsWith('/messages.json'));
}

// ---------------------------------------------------------------------------------------------
// Input: where messages.json and media are

interface MediaRef {
  /** File name (no folder), e.g. `0-weu-d1-abc.1.jpg`. */
  name: string;
  size: number;
  /** The bytes, or why the export folder refused them (counted by the folder). */
  read(): Promise<Buffer | Refusal>;
}

interface ExportInput {
  /** The path named in errors. */
  file: string;
  /** Prefix for positions inside it, e.g. `messages.json ` inside a tar. */
  where: string;
  fh: FileHandle;
  jsonStart: number;
  jsonSize: number;
  /** Progress total: the whole input file. */
  totalSize: number;
  /** Media files by AMS id (the part of the name before the first dot). */
  media: Map<string, MediaRef[]>;
  /** Metadata files `<AMS id>.json` by AMS id. */
  metadata: Map<string, MediaRef>;
  /** An unpacked export's folder: what it refused to read is reported at the end. */
  folder: ExportFolder | null;
  /** A tar's media entries that are not files (links, devices): never read, reported at the end. */
  notFiles: SourceWarning[];
}

async function openInput(path: string): Promise<ExportInput> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceError(path, null, 'no such file or folder');
  }
  if (info.isDirectory()) {
    const json = join(path, 'messages.json');
    if (!(await isFile(json))) throw new SourceError(path, null, 'not a Skype export: the folder has no messages.json');
    return openJson(json, path);
  }
  if (await isTar(path)) return openTar(path);
  return openJson(path, path);
}

async function openJson(json: string, label: string): Promise<ExportInput> {
  const fh = await open(json, 'r');
  const size = (await fh.stat()).size;
  const media = new Map<string, MediaRef[]>();
  const metadata = new Map<string, MediaRef>();
  const mediaDir = join(dirname(json), 'media');
  // Only files really in the export's folder (not through a link, not FIFOs or devices); sizes
  // are held to the media limit by the reader.
  const folder = new ExportFolder(dirname(json), MAX_MEDIA_BYTES_LIMIT, () => undefined);
  let names: string[] = [];
  try {
    names = (await readdir(mediaDir, { withFileTypes: true })).filter((d) => !d.isDirectory()).map((d) => d.name);
  } catch {
    // no media folder: messages.json alone
  }
  for (const name of names.sort()) {
    const file = join(mediaDir, name);
    const size = await folder.size(file, `media/${name}`);
    if (typeof size !== 'number') continue; // missing meanwhile, or refused (and counted)
    addMedia(media, metadata, { name, size, read: () => folder.read(file, `media/${name}`) });
  }
  return { file: label, where: label === json ? '' : 'messages.json ', fh, jsonStart: 0, jsonSize: size, totalSize: size, media, metadata, folder, notFiles: [] };
}

async function openTar(path: string): Promise<ExportInput> {
  let entries: TarEntry[];
  try {
    entries = await listTar(path);
  } catch (err) {
    if (err instanceof TarError) throw new SourceError(path, `byte ${err.offset}`, err.message.replace(/ \(at byte \d+\)$/, ''));
    throw err;
  }
  const candidates = entries.filter(isMessagesJson).sort((a, b) => a.name.split('/').length - b.name.split('/').length);
  const json = candidates[0];
  if (!json) throw new SourceError(path, null, 'not a Skype export: the archive has no messages.json');
  const fh = await open(path, 'r');
  const size = (await fh.stat()).size;
  const root = json.name.slice(0, json.name.length - 'messages.json'.length);
  const media = new Map<string, MediaRef[]>();
  const metadata = new Map<string, MediaRef>();
  // A link's target would be some other file (a hard link's bytes are another entry's, a symbolic
  // link's a path outside the archive): links, FIFOs and devices are counted, never read.
  const others = entries.filter((e) => e.type === 'other' && e.name.startsWith(`${root}media/`));
  const notFiles: SourceWarning[] = others.length
    ? [{ position: others[0].name, message: `${others.length} media ${others.length === 1 ? 'entry that is' : 'entries that are'} not a regular file (a link, FIFO or device) not read` }]
    : [];
  for (const entry of entries) {
    if (entry.type !== 'file' || !entry.name.startsWith(`${root}media/`)) continue;
    const name = entry.name.slice(root.length + 'media/'.length);
    if (!name || name.includes('/')) continue;
    addMedia(media, metadata, { name, size: entry.size, read: () => readEntry(fh, entry) });
  }
  return { file: path, where: `${json.name} `, fh, jsonStart: json.offset, jsonSize: json.size, totalSize: size, media, metadata, folder: null, notFiles };
}

function addMedia(media: Map<string, MediaRef[]>, metadata: Map<string, MediaRef>, ref: MediaRef): void {
  const dot = ref.name.indexOf('.');
  const id = dot < 0 ? ref.name : ref.name.slice(0, dot);
  if (/^[^.]+\.json$/.test(ref.name)) {
    metadata.set(id, ref);
    return;
  }
  const list = media.get(id);
  if (list) list.push(ref);
  else media.set(id, [ref]);
}

// ---------------------------------------------------------------------------------------------
// read

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options));
}

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const input = await openInput(path);
  try {
    const reader = new ExportReader(input, options);
    const fh = input.fh;
    const scanner = new JsonScanner(reader, { probeKeys: ['id', 'originalarrivaltime'] });

    const what = await notAJsonObject(fh, input.jsonStart, input.jsonSize);
    if (what) throw new SourceError(input.file, null, `not a Skype export: ${input.where || 'the file '}is ${what}`);

    let done = 0;
    for await (const chunk of chunksAhead(fh, input.jsonStart, input.jsonSize, skypeExportTuning.chunkBytes)) {
      try {
        scanner.push(chunk);
      } catch (err) {
        throw reader.sourceError(err);
      }
      done += chunk.length;
      for (let conv = reader.ready.shift(); conv; conv = reader.ready.shift()) {
        yield await reader.chatEvents(conv);
        for (let block = await reader.nextBlock(conv); block; block = await reader.nextBlock(conv)) yield block;
      }
      const progress = reader.progress(input.jsonStart + (reader.current ? reader.current.start : done));
      if (progress) yield [progress];
    }
    try {
      scanner.end();
    } catch (err) {
      throw reader.sourceError(err);
    }
    if (!reader.sawConversations) {
      throw new SourceError(input.file, null, `not a Skype export: ${input.where || 'the JSON '}has no "conversations" list`);
    }
    yield await reader.leftoverMedia();
    yield reader.summaryWarnings();
    yield [{ type: 'progress', done: input.totalSize, total: input.totalSize }];
  } finally {
    await input.fh.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 1: the scanner's handler

const LBRACE = 0x7b;
const LBRACKET = 0x5b;

/** One conversation's header fields and, per message, where it is and when it was sent. */
class Conversation {
  id: unknown = undefined;
  /** The id every Skype source agrees on (collector/identity/skype-ids.ts), set once id is known. */
  nativeId = '';
  displayName: unknown = undefined;
  threadProperties: unknown = undefined;
  /** Its MessageList was skipped (unwanted chat). */
  skipped = false;
  end = 0;
  count = 0;
  starts = new Float64Array(64);
  ends = new Float64Array(64);
  times = new Float64Array(64);
  idHashes = new Int32Array(64);
  /** Emission order (indexes into the arrays above), sorted by time; built by ExportReader. */
  order: Uint32Array | null = null;
  /** Position in `order` of the next message to emit. */
  next = 0;
  /** The block of the file last read for pass 2, and its range. */
  blockBuf: Buffer | null = null;
  blockStart = 0;
  blockEnd = 0;

  constructor(
    readonly index: number,
    readonly start: number,
  ) {}

  add(start: number, end: number, time: number, idHash: number): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts, (n) => new Float64Array(n));
      this.ends = grow(this.ends, (n) => new Float64Array(n));
      this.times = grow(this.times, (n) => new Float64Array(n));
      this.idHashes = grow(this.idHashes, (n) => new Int32Array(n));
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.times[this.count] = time;
    this.idHashes[this.count] = idHash;
    this.count++;
  }

  get label(): string {
    return typeof this.id === 'string' ? `conversation ${this.id}` : `conversation #${this.index}`;
  }
}

interface MediaInfo {
  /** Null when the file was too large to store. */
  hash: string | null;
  name: string;
  type?: string;
  size: number;
}

class ExportReader implements ScanHandler {
  /** Conversations whose object closed, waiting for pass 2. */
  readonly ready: Conversation[] = [];
  /** The conversation being scanned. */
  current: Conversation | null = null;
  sawConversations = false;
  private selfId: string | null = null;
  private readonly wantChat: (nativeId: string) => boolean;
  private anyFiltered = false;
  private warningCount = 0;
  private readonly pendingWarnings: SourceEvent[] = [];
  private readonly unknownTypes = new Map<string, { count: number; first: string }>();
  private readonly emittedMedia = new Map<string, MediaInfo | null>();
  private lastProgress = -1;
  private readonly maxMediaBytes: number;

  constructor(
    private readonly input: ExportInput,
    options: ReadOptions,
  ) {
    this.wantChat = options.wantChat ?? (() => true);
    this.maxMediaBytes = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES;
  }

  // --- ScanHandler ---------------------------------------------------------------------------

  open(path: readonly PathKey[], first: number, offset: number): ScanAction {
    switch (path.length) {
      case 0:
        return ScanAction.enter; // the root; read() checked it is an object
      case 1:
        if (path[0] === 'conversations') {
          if (first !== LBRACKET) throw this.error(offset, 'not a Skype export: "conversations" is not a list');
          this.sawConversations = true;
          return ScanAction.enter;
        }
        return path[0] === 'userId' ? ScanAction.take : ScanAction.skip;
      case 2:
        if (path[0] !== 'conversations') return ScanAction.skip;
        if (first !== LBRACE) {
          this.warn(`conversation #${path[1]} (${this.at(offset)})`, 'not an object; skipped');
          return ScanAction.skip;
        }
        this.current = new Conversation(path[1] as number, offset);
        return ScanAction.enter;
      case 3: {
        const conv = this.current!;
        const key = path[2];
        if (key === 'MessageList') {
          if (first !== LBRACKET) return ScanAction.skip; // null: no messages
          if (typeof conv.id === 'string' && !this.wants(conv.id)) {
            conv.skipped = true;
            return ScanAction.skip;
          }
          return ScanAction.enter;
        }
        return key === 'id' || key === 'displayName' || key === 'threadProperties' ? ScanAction.take : ScanAction.skip;
      }
      case 4:
        if (first !== LBRACE) {
          this.warn(`${this.current!.label}, message ${path[3]} (${this.at(offset)})`, 'not an object; skipped');
          return ScanAction.skip;
        }
        return ScanAction.take;
      default:
        return ScanAction.skip;
    }
  }

  tooLarge(path: readonly PathKey[], offset: number, limit: number): void {
    const where = path.length === 4 && this.current ? `${this.current.label}, message ${path[3]}` : path.join('.');
    this.warn(`${where} (${this.at(offset)})`, `more than ${formatLimit(limit)}, the limit for one message or record: skipped`);
  }

  take(path: readonly PathKey[], value: ScannedValue): void {
    if (path.length === 4) {
      this.current!.add(value.start, value.end, timeOfProbe(value.probeBytes(1)), hashOfProbe(value.probeBytes(0)));
      return;
    }
    const parsed = this.parse(value);
    if (path.length === 1) {
      this.selfId = normalizeId(parsed);
    } else if (path.length === 3) {
      const conv = this.current!;
      if (path[2] === 'id') conv.id = parsed;
      else if (path[2] === 'displayName') conv.displayName = parsed;
      else conv.threadProperties = parsed;
    }
  }

  close(path: readonly PathKey[], end: number): void {
    if (path.length === 2 && this.current) {
      this.current.end = end;
      this.ready.push(this.current);
      this.current = null;
    }
  }

  private parse(value: ScannedValue): unknown {
    try {
      return JSON.parse(value.text());
    } catch (err) {
      throw this.error(value.start, `invalid JSON: ${(err as Error).message}`);
    }
  }

  // --- errors, warnings, progress ------------------------------------------------------------

  /** A byte offset in messages.json, as positions name it (`messages.json byte 123` in a tar). */
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

  summaryWarnings(): SourceEvent[] {
    for (const { position, message } of [...this.input.notFiles, ...(this.input.folder?.summary() ?? [])]) this.warn(position, message);
    const out = this.takeWarnings();
    for (const [type, { count, first }] of this.unknownTypes) {
      out.push({
        type: 'warning',
        warning: { position: first, message: `${count} message${count === 1 ? '' : 's'} of unknown type "${type}" imported as ${kindOf(type)[0]}` },
      });
    }
    if (this.warningCount > MAX_WARNINGS) {
      out.push({
        type: 'warning',
        warning: { position: this.input.file, message: `${this.warningCount - MAX_WARNINGS} more warnings like the ones above were not listed` },
      });
    }
    return out;
  }

  private takeWarnings(): SourceEvent[] {
    return this.pendingWarnings.splice(0, this.pendingWarnings.length);
  }

  progress(done: number): SourceEvent | null {
    if (done - this.lastProgress < skypeExportTuning.chunkBytes && done < this.input.totalSize) return null;
    if (done <= this.lastProgress) return null;
    this.lastProgress = done;
    return { type: 'progress', done, total: this.input.totalSize };
  }

  // --- Pass 2 --------------------------------------------------------------------------------

  /** The chat event (if the chat is wanted and has messages) and pending warnings. */
  async chatEvents(conv: Conversation): Promise<SourceEvent[]> {
    const out = this.takeWarnings();
    conv.order = null;
    if (typeof conv.id !== 'string' || conv.id === '') {
      if (conv.count) this.warn(`${conv.label} (${this.at(conv.start)})`, `has no id; its ${conv.count} messages were skipped`);
      return out.concat(this.takeWarnings());
    }
    if (conv.skipped || !this.wants(conv.id)) {
      this.anyFiltered = true;
      return out;
    }
    if (conv.count === 0) return out;
    conv.nativeId = this.canonical(conv.id);
    conv.order = timeOrder(conv);
    conv.next = 0;
    out.push({ type: 'chat', chat: this.chatRecord(conv) });
    return out.concat(this.takeWarnings());
  }

  /** `--chat` may name a conversation by the export's id or by the canonical one. */
  private wants(id: string): boolean {
    return this.wantChat(id) || this.wantChat(this.canonical(id));
  }

  /**
   * Exports name a dialog by the partner only (relative to the exporting user) and a legacy group by
   * base64 of its old name: the canonical id makes them the same chat as in main.db and in the other
   * account's export.
   */
  private canonical(id: string): string {
    return canonicalSkypeChatId(id, this.selfId);
  }

  private chatRecord(conv: Conversation): ChatRecord {
    const id = conv.id as string;
    const props = isObject(conv.threadProperties) ? conv.threadProperties : null;
    const topic = props && typeof props.topic === 'string' && props.topic.trim() ? props.topic : null;
    const displayName = typeof conv.displayName === 'string' && conv.displayName.trim() ? conv.displayName : null;
    const kind = chatKind(id);
    const members: PersonRecord[] = [];
    const seen = new Set<string>();
    const addMember = (nativeId: string | null, displayName?: string | null) => {
      if (!nativeId || seen.has(nativeId)) return;
      seen.add(nativeId);
      members.push(displayName ? { nativeId, displayName } : { nativeId });
    };
    if (props && props.members != null) {
      let list: unknown = props.members;
      if (typeof list === 'string') {
        try {
          list = JSON.parse(list);
        } catch {
          list = null;
        }
      }
      if (Array.isArray(list)) for (const m of list) addMember(normalizeId(m));
      else this.warn(`${conv.label} (${this.at(conv.start)})`, 'threadProperties.members is not a list of ids; members unknown');
    }
    if (kind === 'direct') {
      addMember(id, displayName);
      addMember(this.selfId);
    }
    // A dialog's title is its partner's name only from one side: the site shows members instead.
    return { nativeId: conv.nativeId, title: kind === 'direct' ? null : displayName ?? topic, kind, members, owner: this.selfId };
  }

  /** The next block of messages of `conv` (oldest first) with the media they need, or null. */
  async nextBlock(conv: Conversation): Promise<SourceEvent[] | null> {
    const order = conv.order;
    if (!order || conv.next >= order.length) {
      if (order) {
        conv.order = null;
        conv.blockBuf = null;
        const progress = this.progress(this.input.jsonStart + conv.end);
        if (progress) return [progress];
      }
      return null;
    }
    const out: SourceEvent[] = [];
    const progress = this.progress(this.input.jsonStart + conv.start + ((conv.end - conv.start) * conv.next) / order.length);
    if (progress) out.push(progress);
    const budgetEnd = conv.next + 4096;
    while (conv.next < order.length && conv.next < budgetEnd) {
      const k = order[conv.next];
      conv.next++;
      const start = conv.starts[k];
      const end = conv.ends[k];
      if (start < conv.blockStart || end > conv.blockEnd || !conv.blockBuf) {
        await this.loadBlock(conv, start, end, conv.next < order.length ? conv.starts[order[conv.next]] : start);
      }
      const buf = conv.blockBuf!;
      const raw = buf.toString('utf8', start - conv.blockStart, end - conv.blockStart);
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch (err) {
        throw this.error(start, `invalid JSON in a message of ${conv.label}: ${(err as Error).message}`);
      }
      try {
        const record = this.messageRecord(message as Record<string, unknown>, conv, k, start);
        if (!record) continue;
        if (record.attachments) {
          for (const attachment of record.attachments) await this.linkMedia(attachment, out);
        }
        out.push({ type: 'message', message: record });
      } catch (err) {
        this.warn(`${conv.label}, message ${k} (${this.at(start)})`, unreadableMessage(err));
      }
    }
    for (const w of this.takeWarnings()) out.push(w);
    return out;
  }

  /** Reads a block of the file holding [start, end), extending towards where the next message is. */
  private async loadBlock(conv: Conversation, start: number, end: number, nextStart: number): Promise<void> {
    let from: number;
    let to: number;
    if (nextStart < start) {
      // Walking backwards (newest-first file): the block ends with this message.
      to = end;
      from = Math.max(conv.start, Math.min(start, end - skypeExportTuning.blockBytes));
    } else {
      from = start;
      to = Math.min(conv.end, Math.max(end, start + skypeExportTuning.blockBytes));
    }
    const length = to - from;
    if (!conv.blockBuf || conv.blockBuf.length < length) {
      conv.blockBuf = Buffer.allocUnsafe(Math.max(length, Math.min(skypeExportTuning.blockBytes, conv.end - conv.start)));
    }
    await readAt(this.input.fh, conv.blockBuf.subarray(0, length), this.input.jsonStart + from);
    conv.blockStart = from;
    conv.blockEnd = to;
  }

  // --- messages ------------------------------------------------------------------------------

  private messageRecord(m: Record<string, unknown>, conv: Conversation, index: number, offset: number): MessageRecord | null {
    const chatId = conv.nativeId;
    const where = () => `${conv.label}, message ${index} (${this.at(offset)})`;
    if (!isObject(m)) {
      this.warn(where(), 'not an object; skipped');
      return null;
    }
    // Pass 1 read the time from the same bytes; only a probe miss (escaped key…) parses again.
    let time = conv.times[index];
    if (time !== time) time = typeof m.originalarrivaltime === 'string' ? parseTime(m.originalarrivaltime) : NaN;
    if (!Number.isFinite(time)) {
      this.warn(where(), `no valid time (originalarrivaltime ${JSON.stringify(m.originalarrivaltime ?? null)}); skipped`);
      return null;
    }
    let author = normalizeId(m.from);
    if (!author) {
      this.warn(where(), 'no sender ("from"); skipped');
      return null;
    }
    const type = typeof m.messagetype === 'string' ? m.messagetype : '';
    const [kind, known] = kindOf(type);
    if (!known) {
      const entry = this.unknownTypes.get(type);
      if (entry) entry.count++;
      else this.unknownTypes.set(type, { count: 1, first: where() });
    }
    const body = typeof m.content === 'string' ? m.content : m.content == null ? '' : JSON.stringify(m.content);
    const hasMarkup = body.indexOf('<') >= 0;

    if (author.startsWith('19:') && hasMarkup) {
      // Thread activity is sent "from" the thread itself: credit whoever did it.
      const initiator = /<initiator>([^<]+)<\/initiator>/.exec(body);
      if (initiator) author = normalizeId(decodeXml(initiator[1])) ?? author;
    }

    let props = m.properties;
    if (typeof props === 'string') {
      try {
        props = JSON.parse(props);
      } catch {
        props = null;
      }
    }
    let editedAt = isObject(props) ? msNumber(props.edittime) : null;
    let deleted = isObject(props) && props.deletetime != null && props.deletetime !== '';
    if (hasMarkup && body.indexOf('<e_m') >= 0) {
      // `<e_m a="bob" ts_ms="…" t="61"/>` marks an edit; alone, it is what a deletion leaves.
      const marker = /<e_m\b[^>]*?\bts_ms="(\d+)"/.exec(body);
      if (editedAt === null && marker) editedAt = Number(marker[1]);
      if (isTextual(kind) && body.replace(/<e_m\b[^>]*\/>|<e_m\b[^>]*>[\s\S]*?<\/e_m>/g, '').trim() === '') deleted = true;
    } else if (isTextual(kind) && body.trim() === '') {
      deleted = true;
    }

    // Every record has every field (one object shape for the importer's hot path).
    return {
      nativeId: m.id != null && m.id !== '' ? String(m.id) : undefined,
      authorId: author,
      authorName: typeof m.displayName === 'string' && m.displayName.trim() ? m.displayName : null,
      time,
      kind,
      body,
      markup: 'skype',
      editedAt,
      deleted,
      replyToKey: hasMarkup && body.indexOf('<quote') >= 0 ? this.quoteKey(body, conv, chatId) : null,
      attachments: attachmentsOf(body, hasMarkup, m.amsreferences, this.input.media),
    };
  }

  /**
   * The key of the message a `<quote … messageid="…" timestamp="…">` quotes. The quote gives the
   * time in whole seconds, the key needs the quoted message's exact time: it is looked up among
   * this chat's messages (by id, within the second) and, when not found (quoted from another chat
   * or from before the export), the quote's own second stands in for it.
   */
  private quoteKey(body: string, conv: Conversation, chatId: string): string | null {
    const tag = /<quote\b([^>]*)>/.exec(body);
    if (!tag) return null;
    const attrs = parseAttrs(tag[1]);
    const author = normalizeId(attrs.author);
    const messageId = attrs.messageid;
    const seconds = Number(attrs.timestamp);
    if (!author || !messageId || !Number.isFinite(seconds)) return null;
    const chat = attrs.conversation ? this.canonical(attrs.conversation) : chatId;
    let time = seconds * 1000;
    if (chat === chatId) time = findTime(conv, hash32(messageId), time) ?? time;
    return messageKey({ chat, author, time, identity: messageId }, 0);
  }

  /** Emits the media file(s) an attachment refers to (once per run) and sets its hash. */
  private async linkMedia(attachment: PendingAttachment, out: SourceEvent[]): Promise<void> {
    const id = attachment.amsId;
    const named = !attachment.unnamed;
    delete attachment.amsId;
    delete attachment.unnamed;
    if (!id) return;
    const info = await this.emitMedia(id, out, named ? attachment.name : null);
    if (!info) return;
    if (!named) attachment.name = info.name;
    if (info.hash) attachment.hash = info.hash;
    if (attachment.size === undefined) attachment.size = info.size;
    if (attachment.type === undefined && info.type) attachment.type = info.type;
  }

  /** `shown`: the attachment's name in the message, for warnings. */
  private async emitMedia(id: string, out: SourceEvent[], shown: string | null = null): Promise<MediaInfo | null> {
    if (this.emittedMedia.has(id)) return this.emittedMedia.get(id)!;
    const refs = this.input.media.get(id);
    if (!refs) {
      this.emittedMedia.set(id, null);
      return null;
    }
    let filename: string | null = null;
    const meta = this.input.metadata.get(id);
    if (meta && meta.size <= MAX_METADATA) {
      try {
        const bytes = await meta.read();
        if (typeof bytes === 'string') throw new Error(bytes);
        const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
        if (isObject(parsed) && typeof parsed.filename === 'string' && parsed.filename.trim()) filename = safeName(parsed.filename);
      } catch {
        this.warn(`media/${meta.name}`, 'unreadable media metadata; file names taken from the archive');
      }
    }
    let best: MediaInfo | null = null;
    for (const ref of refs) {
      if (ref.size > this.maxMediaBytes) {
        // Never read: the message keeps its attachment, named and sized, without the bytes.
        const name = filename && ref === largest(refs) ? filename : ref.name;
        const file = `${this.input.where.replace(/messages\.json $/, '')}media/${ref.name}`;
        this.warn(ref === largest(refs) && (shown ?? filename) ? `${file} ("${shown ?? filename}")` : file, mediaTooLarge(ref.size, this.maxMediaBytes));
        if (!best || ref.size > best.size) best = { hash: null, name, type: mimeOf(name) ?? mimeOf(ref.name), size: ref.size };
        continue;
      }
      const bytes = await ref.read();
      if (typeof bytes === 'string') continue; // refused by the folder, counted there
      const hash = createHash('sha256').update(bytes).digest('hex');
      const name = filename && ref === largest(refs) ? filename : ref.name;
      const type = mimeOf(name) ?? mimeOf(ref.name);
      out.push({ type: 'media', media: type ? { name, type, bytes } : { name, bytes }, hash });
      if (!best || bytes.length > best.size) best = { hash, name, type, size: bytes.length };
    }
    this.emittedMedia.set(id, best);
    return best;
  }

  /** Media no emitted message referenced: kept too, unless chats were filtered out. */
  async leftoverMedia(): Promise<SourceEvent[]> {
    const out = this.takeWarnings();
    if (this.anyFiltered) return out;
    for (const id of this.input.media.keys()) {
      if (!this.emittedMedia.has(id)) await this.emitMedia(id, out);
    }
    return out;
  }
}

function largest(refs: MediaRef[]): MediaRef {
  return refs.reduce((a, b) => (b.size > a.size ? b : a));
}

/**
 * Emission order, oldest first. Real exports are strictly newest first: then it is the file's
 * order reversed (ties too, so same-second lines keep the order they were written in). Oldest-first
 * files are taken as they are; anything else is sorted by time, ties newest-first as written.
 * Messages without a time come first: they are only read to be reported.
 */
function timeOrder(conv: Conversation): Uint32Array {
  const n = conv.count;
  const times = conv.times;
  let descending = true;
  let ascending = true;
  let last = NaN;
  let invalid = 0;
  for (let i = 0; i < n; i++) {
    const t = times[i];
    if (t !== t) {
      invalid++;
      continue;
    }
    if (last === last) {
      if (t > last) descending = false;
      else if (t < last) ascending = false;
    }
    last = t;
  }
  const order = new Uint32Array(n);
  let k = 0;
  if (invalid) for (let i = 0; i < n; i++) if (times[i] !== times[i]) order[k++] = i;
  if (descending) {
    for (let i = n - 1; i >= 0; i--) if (times[i] === times[i]) order[k++] = i;
  } else if (ascending) {
    for (let i = 0; i < n; i++) if (times[i] === times[i]) order[k++] = i;
  } else {
    const valid: number[] = [];
    for (let i = 0; i < n; i++) if (times[i] === times[i]) valid.push(i);
    valid.sort((a, b) => times[a] - times[b] || b - a);
    for (const i of valid) order[k++] = i;
  }
  return order;
}

/** The exact time of the message with this id hash within a few seconds of `approx`, if any. */
function findTime(conv: Conversation, idHash: number, approx: number): number | null {
  const order = conv.order;
  if (!order) return null;
  const times = conv.times;
  const lo = approx - 2000;
  const hi = approx + 3000;
  // order is sorted by time after any time-less messages: binary search the first time ≥ lo.
  let a = 0;
  while (a < order.length && times[order[a]] !== times[order[a]]) a++;
  let b = order.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (times[order[mid]] < lo) a = mid + 1;
    else b = mid;
  }
  for (let i = a; i < order.length && times[order[i]] <= hi; i++) {
    if (conv.idHashes[order[i]] === idHash) return times[order[i]];
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Field helpers

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Person ids always carry their type prefix: `usernameA` and `8:usernameA` are one person. */
export function normalizeId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Fast path, the usual form: digits, ':', and no space or '/' at either end.
  let j = 0;
  while (j < value.length && value.charCodeAt(j) >= 0x30 && value.charCodeAt(j) <= 0x39) j++;
  if (j > 0 && j < value.length - 1 && value.charCodeAt(j) === 0x3a && value.charCodeAt(value.length - 1) > 0x20 && value.indexOf('/') < 0) {
    return value;
  }
  let id = value.trim();
  const contacts = id.lastIndexOf('/contacts/');
  if (contacts >= 0) id = id.slice(contacts + '/contacts/'.length);
  if (!id) return null;
  return /^\d+:/.test(id) ? id : `8:${id}`;
}

function chatKind(id: string): ChatRecord['kind'] {
  if (id.startsWith('19:')) return 'group';
  if (id.startsWith('48:')) return 'channel'; // 48:notes, 48:calllogs…: system feeds
  if (/^\d+:/.test(id)) return 'direct'; // 8: people, 28: bots, 2:/4: phone numbers
  return 'group';
}

/**
 * `2021-09-01T18:29:33.92Z` (any number of fraction digits, or none) → ms since the epoch; other
 * ISO 8601 forms (with an offset) through Date.parse; NaN if not a time. Hand-rolled because it
 * runs twice per message (ordering, then the record): a regex and Date.UTC cost 1 µs a call.
 */
export function parseTime(value: string): number {
  const n = value.length;
  if (
    n >= 20 &&
    value.charCodeAt(4) === 0x2d &&
    value.charCodeAt(7) === 0x2d &&
    value.charCodeAt(10) === 0x54 &&
    value.charCodeAt(13) === 0x3a &&
    value.charCodeAt(16) === 0x3a &&
    value.charCodeAt(n - 1) === 0x5a
  ) {
    const year = digits(value, 0, 4);
    const month = digits(value, 5, 2);
    const day = digits(value, 8, 2);
    const hour = digits(value, 11, 2);
    const minute = digits(value, 14, 2);
    const second = digits(value, 17, 2);
    let ms = 0;
    if (n > 20) {
      if (value.charCodeAt(19) !== 0x2e || n === 21) return NaN;
      const fraction = n - 21; // digits between '.' and 'Z'
      ms = digits(value, 20, Math.min(fraction, 3));
      if (fraction < 3) ms *= fraction === 1 ? 100 : 10;
      else if (fraction > 3 && digits(value, 23, fraction - 3) < 0) return NaN;
    }
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || ms < 0) {
      return NaN;
    }
    if (hour < 0 || minute < 0 || second < 0) return NaN;
    return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
  }
  const t = Date.parse(value);
  return /^\d{4}-\d\d-\d\d/.test(value) && Number.isFinite(t) ? t : NaN;
}

/** The decimal number in `count` digits at `at`, or -1 if one is not a digit. */
function digits(text: string, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
let lastDate = -1;
let lastDays = 0;

function daysFromCivil(year: number, month: number, day: number): number {
  const date = year * 10_000 + month * 100 + day;
  if (date === lastDate) return lastDays; // neighbouring messages are mostly from the same day
  lastDate = date;
  lastDays = civilDays(year, month, day);
  return lastDays;
}

function civilDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * The text of a probed JSON string (its bytes, quotes included), decoded cheaply: plain ASCII
 * without escapes (every real id and time) is read as Latin-1, anything else through JSON.parse.
 */
function probeText(r: ByteRange | undefined): string | null {
  if (!r) return null;
  const { buf, start, end } = r;
  for (let i = start + 1; i < end - 1; i++) {
    const b = buf[i];
    if (b >= 0x80 || b === 0x5c) {
      try {
        const v = JSON.parse(buf.toString('utf8', start, end)) as unknown;
        return typeof v === 'string' ? v : null;
      } catch {
        return null;
      }
    }
  }
  return buf.toString('latin1', start + 1, end - 1);
}

/**
 * A message's time from its probed `originalarrivaltime` bytes. The usual form is read straight
 * from the bytes (the same arithmetic as parseTime); anything else is decoded and parsed.
 */
function timeOfProbe(r: ByteRange | undefined): number {
  if (!r) return NaN;
  const { buf } = r;
  const s = r.start + 1; // after the opening quote
  const n = r.end - 1 - s; // length without the quotes
  if (n >= 20 && n <= 24 && buf[s + 4] === 0x2d && buf[s + 7] === 0x2d && buf[s + 10] === 0x54 && buf[s + 13] === 0x3a && buf[s + 16] === 0x3a && buf[s + n - 1] === 0x5a) {
    const year = byteDigits(buf, s, 4);
    const month = byteDigits(buf, s + 5, 2);
    const day = byteDigits(buf, s + 8, 2);
    const hour = byteDigits(buf, s + 11, 2);
    const minute = byteDigits(buf, s + 14, 2);
    const second = byteDigits(buf, s + 17, 2);
    let ms = 0;
    let ok = true;
    if (n > 20) {
      const fraction = n - 21;
      ok = buf[s + 19] === 0x2e && fraction >= 1;
      ms = ok ? byteDigits(buf, s + 20, fraction) : -1;
      if (fraction < 3) ms *= fraction === 1 ? 100 : 10;
    }
    if (ok && year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60 && ms >= 0) {
      return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
    }
  }
  const text = probeText(r);
  return text === null ? NaN : parseTime(text);
}

function byteDigits(buf: Buffer, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** A hash of a message's probed `id` (its text's UTF-16 units, as hash32), to find quoted messages. */
function hashOfProbe(r: ByteRange | undefined): number {
  if (!r) return 0;
  const { buf, start, end } = r;
  let h = 0x811c9dc5;
  for (let i = start + 1; i < end - 1; i++) {
    const b = buf[i];
    if (b >= 0x80 || b === 0x5c) {
      const text = probeText(r);
      return text === null ? 0 : hash32(text);
    }
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** FNV-1a, as a signed 32-bit integer (stored in an Int32Array). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** ms since the epoch from a number or numeric string (`properties.edittime`). */
function msNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

const KINDS: Record<string, MessageKind> = {
  Text: 'text',
  RichText: 'text',
  'RichText/Html': 'text',
  'RichText/UriObject': 'media',
  'RichText/Media_GenericFile': 'file',
  'RichText/Media_Video': 'media',
  'RichText/Media_AudioMsg': 'media',
  'RichText/Media_Album': 'media',
  'RichText/Media_Card': 'media',
  'RichText/Media_FlikMsg': 'media',
  'RichText/Media_CallRecording': 'media',
  'RichText/Contacts': 'contact',
  'RichText/Location': 'text',
  'RichText/ScheduledCallInvite': 'call',
  'Event/Call': 'call',
  Poll: 'poll',
  Notice: 'notice',
  PopCard: 'notice',
  'InviteFreeRelationshipChanged/Initialized': 'event',
  'EndToEndEncryption/EncryptedText': 'notice',
};

/** The kind a Skype message type maps to, and whether the type is a known one. */
function kindOf(type: string): [MessageKind, boolean] {
  const kind = own(KINDS, type);
  if (kind) return [kind, true];
  if (type.startsWith('ThreadActivity/')) return ['event', true];
  if (type.startsWith('RichText/Media_')) return ['media', true];
  if (type.startsWith('Event/')) return ['event', true];
  if (type.startsWith('RichText/')) return ['text', false];
  return ['event', false];
}

function isTextual(kind: MessageKind): boolean {
  return kind === 'text' || kind === 'media' || kind === 'file';
}

const ATTR_RE = /([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function parseAttrs(source: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const m of source.matchAll(ATTR_RE)) out[m[1].toLowerCase()] = decodeXml(m[2] ?? m[3] ?? '');
  return out;
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

const URIOBJECT_RE = /<URIObject\b([^>]*?)(?:\/>|>([\s\S]*?)<\/URIObject>)/gi;

/**
 * Attachments: one per `<URIObject uri="…/objects/<AMS id>" …><OriginalName v="…"/><FileSize
 * v="…"/></URIObject>`, plus one per `amsreferences` id that no URIObject names but the export has a
 * file for (named after the file).
 */
/** An attachment as messageRecord() finds it; linkMedia() removes the internal fields. */
type PendingAttachment = Attachment & { amsId?: string; unnamed?: boolean };

function attachmentsOf(body: string, hasMarkup: boolean, amsReferences: unknown, media: Map<string, MediaRef[]>): PendingAttachment[] | undefined {
  if (!(hasMarkup && body.indexOf('URIObject') >= 0) && !(Array.isArray(amsReferences) && amsReferences.length)) return undefined;
  const out: PendingAttachment[] = [];
  const named = new Set<string>();
  if (hasMarkup && body.indexOf('URIObject') >= 0) {
    for (const m of body.matchAll(URIOBJECT_RE)) {
      const attrs = parseAttrs(m[1]);
      const inner = m[2] ?? '';
      const originalName = /<OriginalName\b[^>]*?\bv\s*=\s*"([^"]*)"/i.exec(inner);
      const fileSize = /<FileSize\b[^>]*?\bv\s*=\s*"([^"]*)"/i.exec(inner);
      const uri = attrs.uri || attrs.url_thumbnail || '';
      const id = attrs.doc_id || /\/objects\/([^/?#]+)/.exec(uri)?.[1] || '';
      const name = safeName(originalName ? decodeXml(originalName[1]) : attrs.title || (id ? `${id}` : 'file'));
      const attachment: PendingAttachment = { name };
      const size = fileSize ? Number(decodeXml(fileSize[1])) : NaN;
      if (Number.isFinite(size) && size >= 0) attachment.size = size;
      const type = mimeOf(name);
      if (type) attachment.type = type;
      if (uri) attachment.url = uri;
      if (id) {
        attachment.amsId = id;
        named.add(id);
      }
      out.push(attachment);
    }
  }
  if (Array.isArray(amsReferences)) {
    for (const ref of amsReferences) {
      if (typeof ref !== 'string' || named.has(ref) || !media.has(ref)) continue;
      named.add(ref);
      out.push({ name: largest(media.get(ref)!).name, amsId: ref, unnamed: true });
    }
  }
  return out.length ? out : undefined;
}

/** The emission order of messages with these times, in file order (for tests). */
export function orderOfTimes(times: readonly number[]): number[] {
  const conv = new Conversation(0, 0);
  times.forEach((t, i) => conv.add(i, i + 1, t, 0));
  return Array.from(timeOrder(conv));
}

