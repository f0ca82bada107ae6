/**
 * WhatsApp "Export chat": the `.txt` alone (media looked up beside it), or the `.zip` exported
 * "with media" (`_chat.txt` or `WhatsApp Chat with X.txt` plus the files, read in place; `__MACOSX/`
 * junk ignored). One chat per export; the line grammar is in whatsapp-lines.ts.
 *
 * The text has no ids, no time zone and dates in the phone's locale order, so the file is
 * streamed twice, never held:
 * - Pass 1 surveys the header lines: their layout (one per file; a line in another layout is
 *   message text, e.g. a forwarded message), which day/month order every date is valid in (a
 *   first field over 12 means day first, a second one month first) and in which the dates run
 *   forward (when no field says), the authors, and whether it is a group.
 *   Still ambiguous: the machine locale's order, said in a warning; `options.whatsapp.dateOrder`
 *   forces it.
 * - Pass 2 emits the chat, then each message when the next header ends it (continuation lines
 *   are its text). Wall times become UTC in the phone's zone (`options.whatsapp.timeZone`, else
 *   the machine's: whatsappTimeZone() tells which), across DST changes (zoned-time.ts).
 *
 * Identity: no message ids, so the key's identity is the body (collector/store/writer.ts); two
 * identical lines from one person in one minute get occurrence numbers 0 and 1, the same on every
 * re-import. The chat's native id is `whatsapp:` + the chat's name from the export's file name
 * (`WhatsApp Chat with X.txt`, `WhatsApp Chat - X.zip`): a re-export of the chat gets the same name.
 * Renamed files fall back to the group's last subject, then to the file name (with a warning).
 * People are `whatsapp:` + the name the export shows; system lines are credited to the person who
 * acted when an English line names one ("Loris added John"), else to `system`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { duplicateWarnings, isZipFile, openZip, ZipError, type ZipArchive, type ZipEntry } from '../../archive/zip.js';
import { readFileCapped } from '../kit/files.js';
import { formatLimit, MAX_LINE_BYTES, MAX_RECORD_BYTES } from '../kit/limits.js';
import { LineSplitter, TextLineError, type TextLine } from '../kit/text-lines.js';
import {
  cleanName,
  DATE_ORDERS,
  dayNumber,
  isCallNotice,
  isDeletedNotice,
  isEditedText,
  isPoll,
  mediaMarker,
  parseHeader,
  parseRest,
  parseSystemLine,
  resolveDate,
  stripLeadingMarks,
  wallTime,
  whatsappPersonId,
  type CivilDate,
  type DateOrder,
  type Header,
  type MediaMarker,
} from './lines.js';
import { checkTimeZone, machineTimeZone, ZonedClock } from '../kit/zoned-time.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent, type SourceWarning } from '../types.js';
import { MessageFlags, type Attachment, type ChatRecord, type MessageKind, type MessageRecord } from '../../model.js';
import { flatten } from '../kit/batches.js';
import { DEFAULT_MAX_MEDIA_BYTES, MAX_MEDIA_BYTES_LIMIT, mediaTooLarge, mimeOf } from '../kit/media-files.js';
import { ExportFolder, type Refusal } from '../kit/export-folder.js';

export const whatsapp: SourceAdapter = {
  format: 'whatsapp',
  description: 'WhatsApp "Export chat": the .txt, or the .zip with media',
  detect,
  read,
};

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const whatsappTuning = {
  chunkBytes: 1 << 20,
};

/** Individual warnings per file before they are only counted. */
const MAX_WARNINGS = 200;
/** The first header must come within this many lines / bytes, else the file is no chat export. */
const HEAD_LINES = 20;
const HEAD_BYTES = 64 << 10;
/** Bytes of a file detect() looks at. */
const SNIFF_BYTES = 4096;

/**
 * The zone a read with these options converts times in (canonical IANA name): for the import
 * summary. Throws a RangeError naming an unknown zone.
 */
export function whatsappTimeZone(options: ReadOptions = {}): string {
  return checkTimeZone(options.whatsapp?.timeZone ?? machineTimeZone());
}

/** The day/month order of the machine's locale (for dates no line decides). */
export function machineDateOrder(): DateOrder {
  const parts = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(Date.UTC(2001, 10, 22, 12));
  const order = parts.filter((p) => p.type === 'day' || p.type === 'month' || p.type === 'year').map((p) => p.type[0]).join('');
  return order === 'mdy' || order === 'ymd' ? order : 'dmy';
}

const ORDER_NAMES: Record<DateOrder, string> = { dmy: 'day/month/year', mdy: 'month/day/year', ymd: 'year/month/day' };

// ---------------------------------------------------------------------------------------------
// detect

async function detect(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    if (await isZipFile(path)) {
      const zip = await openZip(path);
      try {
        return (await findChatEntry(zip)) !== null;
      } finally {
        zip.close();
      }
    }
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
      return looksLikeChat(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

/** The first non-empty line of the head of a file is a header that names a real time. */
function looksLikeChat(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  if (head.length >= SNIFF_BYTES) lines.pop(); // cut mid-line
  for (const raw of lines.slice(0, HEAD_LINES)) {
    const line = stripLeadingMarks(raw.replace(/\r$/, ''));
    if (line.trim() === '') continue;
    const header = parseHeader(line);
    if (!header) return false;
    return DATE_ORDERS.some((order) => {
      const date = resolveDate(header.fields, order);
      return date !== null && Number.isFinite(wallTime(header, date));
    });
  }
  return false;
}

/** First bytes of a zip entry, without inflating the rest. */
async function entryHead(zip: ZipArchive, entry: ZipEntry): Promise<Buffer> {
  const stream = await zip.stream(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= SNIFF_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
}

function isJunk(name: string): boolean {
  return name.startsWith('__MACOSX/') || basename(name).startsWith('._') || basename(name) === '.DS_Store';
}

/**
 * The chat's text in a zip: `_chat.txt` (iOS) or `WhatsApp Chat with X.txt` (Android) first, the
 * shallowest first, then any `.txt`; the first whose head reads as a chat (an attached .txt
 * document is not one). Null when none does.
 */
async function findChatEntry(zip: ZipArchive): Promise<ZipEntry | null> {
  const rank = (e: ZipEntry) => (basename(e.name) === '_chat.txt' || chatNameOf(basename(e.name)) !== null ? 0 : 1);
  const candidates = zip.entries
    .filter((e) => !e.isDirectory && /\.txt$/i.test(e.name) && !isJunk(e.name))
    .sort((a, b) => rank(a) - rank(b) || a.name.split('/').length - b.name.split('/').length || (a.name < b.name ? -1 : 1));
  for (const entry of candidates.slice(0, 8)) {
    if (looksLikeChat(await entryHead(zip, entry))) return entry;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Input: where the text and the media are

interface MediaRef {
  name: string;
  size: number;
  /** The bytes, or why the folder refused them (counted by the folder); over `limit` refused (a zip entry may lie about its size). */
  read(limit: number): Promise<Buffer | Refusal>;
}

interface ChatInput {
  /** The path named in errors. */
  file: string;
  /** Prefix for positions inside it: `_chat.txt ` in a zip. */
  where: string;
  /** The text's file name, and the zip's (null for a .txt). */
  textName: string;
  zipName: string | null;
  /** The text's size in bytes (uncompressed). */
  size: number;
  /** A fresh stream over the text, from its start. */
  text(): Promise<AsyncIterable<Buffer>>;
  /** The media file an attachment marker names, if the export has it. */
  media(name: string): Promise<MediaRef | null>;
  /** An unzipped export's folder: what it refused to read is reported at the end. */
  folder: ExportFolder | null;
  /** Where missing media would have been, for the warning: "the archive" or "the folder". */
  mediaPlace: string;
  /** What the container itself is worth a warning for (names stored twice in the zip). */
  warnings: SourceWarning[];
  close(): void;
}

async function openInput(path: string): Promise<ChatInput> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceError(path, null, 'no such file');
  }
  if (!info.isFile()) throw new SourceError(path, null, 'not a file: give the exported chat, its .txt or its .zip');
  if (await isZipFile(path)) return openZipInput(path);
  // Only files that are in the folder (no links out of it, no FIFOs); sizes are checked by the reader.
  const folder = new ExportFolder(dirname(path), MAX_MEDIA_BYTES_LIMIT, () => undefined);
  return {
    file: path,
    where: '',
    textName: basename(path),
    zipName: null,
    size: info.size,
    text: async () => createReadStream(path, { highWaterMark: whatsappTuning.chunkBytes }),
    // An unzipped export keeps its media beside the text.
    media: async (name) => {
      if (!isPlainName(name)) return null;
      const file = join(folder.root, name);
      const size = await folder.size(file, name);
      if (size === 'missing') return null;
      return { name, size: typeof size === 'number' ? size : 0, read: async () => (typeof size === 'number' ? folder.read(file, name) : size) };
    },
    folder,
    mediaPlace: 'the folder',
    warnings: [],
    close: () => undefined,
  };
}

async function openZipInput(path: string): Promise<ChatInput> {
  let zip: ZipArchive;
  try {
    zip = await openZip(path);
  } catch (err) {
    if (err instanceof ZipError) throw new SourceError(path, null, err.message);
    throw err;
  }
  try {
    const entry = await findChatEntry(zip);
    if (!entry) throw new SourceError(path, null, 'not a WhatsApp export: the archive has no chat text (_chat.txt or "WhatsApp Chat with ….txt")');
    const media = new Map<string, ZipEntry>();
    for (const e of zip.entries) {
      if (e.isDirectory || e === entry || isJunk(e.name)) continue;
      const name = basename(e.name);
      if (!media.has(name)) media.set(name, e);
    }
    return {
      file: path,
      where: `${entry.name} `,
      textName: basename(entry.name),
      zipName: basename(path),
      size: entry.size,
      text: async () => zip.stream(entry),
      media: async (name) => {
        const e = media.get(name);
        return e ? { name, size: e.size, read: (limit) => zip.read(e, limit) } : null;
      },
      folder: null,
      mediaPlace: 'the archive',
      warnings: duplicateWarnings(zip),
      close: () => zip.close(),
    };
  } catch (err) {
    zip.close();
    if (err instanceof SourceError) throw err;
    // Reading a candidate's first bytes failed inside yauzl (bad deflate data…).
    throw new SourceError(path, null, err instanceof ZipError ? err.message : `damaged archive: ${(err as Error)?.message ?? String(err)}`);
  }
}

/** One path segment, as attachment markers name files: nothing that could leave the folder. */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

// ---------------------------------------------------------------------------------------------
// Chat names

/** File-name forms of an export, English first; group 1 is the chat's name. */
const CHAT_FILE_NAMES: readonly RegExp[] = [
  /^WhatsApp Chat with (.+)$/,
  /^WhatsApp Chat - (.+)$/,
  /^WhatsApp[- ]Chat (?:mit|met|med|con|avec|com|z|ile|с) (.+)$/,
  /^(?:Chat de WhatsApp con|Discussion WhatsApp avec|Conversa do WhatsApp com|Chat WhatsApp con|Czat WhatsApp z) (.+)$/,
];

/** The chat's name in an export's file name (`WhatsApp Chat with Bob (1).txt` → `Bob`), or null. */
export function chatNameOf(fileName: string): string | null {
  const stem = stemOf(fileName);
  for (const re of CHAT_FILE_NAMES) {
    const m = re.exec(stem);
    if (m && m[1].trim()) return m[1].trim();
  }
  return null;
}

/** The name without extension and duplicate-download suffix, in NFC (macOS keeps file names in NFD). */
function stemOf(fileName: string): string {
  return cleanName(fileName.replace(/\.(?:txt|zip)$/i, '').replace(/ \(\d+\)$/, ''));
}

// ---------------------------------------------------------------------------------------------
// Pass 1: the survey

/** Per date order: dates it cannot read, and how often the dates it reads go back a day or more. */
export interface OrderStats {
  invalid: number;
  backwards: number;
  lastDay: number;
}

/** What pass 1 learns about the headers of one layout. */
class FormSurvey {
  count = 0;
  readonly orders: Record<DateOrder, OrderStats> = {
    dmy: { invalid: 0, backwards: 0, lastDay: -Infinity },
    mdy: { invalid: 0, backwards: 0, lastDay: -Infinity },
    ymd: { invalid: 0, backwards: 0, lastDay: -Infinity },
  };
  /** Author names in order of first appearance. */
  readonly authors = new Set<string>();
  group = false;
  subject: string | null = null;
  private lastDate = '';

  constructor(
    readonly form: string,
    readonly firstLine: number,
    /** The first header's date as written, for messages. */
    readonly sample: string,
  ) {}

  add(header: Header): void {
    this.count++;
    // Most lines share their date with the line before: nothing new to learn about the order.
    if (header.date !== this.lastDate) this.addDate(header);
    const meaning = meaningOf(header.rest);
    if (meaning.author !== null && !meaning.event) this.authors.add(meaning.author);
    if (meaning.event) {
      const line = parseSystemLine(meaning.text);
      if (line.group) this.group = true;
      if (line.subject) this.subject = line.subject;
    }
  }

  private addDate(header: Header): void {
    this.lastDate = header.date;
    for (const order of DATE_ORDERS) {
      const stats = this.orders[order];
      const date = resolveDate(header.fields, order);
      if (!date) {
        stats.invalid++;
        continue;
      }
      const day = dayNumber(date);
      if (day < stats.lastDay) stats.backwards++;
      stats.lastDay = day;
    }
  }
}

interface Survey {
  /** The layout most headers have: the file's. */
  form: FormSurvey;
}

async function* survey(input: ChatInput, emitProgress: (done: number) => SourceEvent | null): AsyncGenerator<SourceEvent[], Survey> {
  const forms = new Map<string, FormSurvey>();
  let nonEmpty = 0;
  let firstHeaderSeen = false;
  const splitter = new LineSplitter((line: TextLine) => {
    const text = stripLeadingMarks(line.text);
    const header = parseHeader(text);
    if (!header) {
      if (!firstHeaderSeen && text.trim() !== '' && (++nonEmpty > HEAD_LINES || line.offset > HEAD_BYTES)) throw notAChat(input, line.number);
      return;
    }
    firstHeaderSeen = true;
    let form = forms.get(header.form);
    if (!form) forms.set(header.form, (form = new FormSurvey(header.form, line.number, header.date)));
    form.add(header);
  });
  let done = 0;
  for await (const chunk of textChunks(input)) {
    done += chunk.length;
    splitLines(input, () => splitter.push(chunk));
    if (!firstHeaderSeen && done > HEAD_BYTES) throw notAChat(input, splitter.lines + 1);
    const progress = emitProgress(done);
    if (progress) yield [progress];
  }
  splitLines(input, () => splitter.end());
  if (forms.size === 0) {
    if (input.size === 0) throw new SourceError(input.file, null, `not a WhatsApp chat export: ${input.where ? `${input.where.trim()} is` : 'the file is'} empty`);
    throw notAChat(input, 1);
  }
  let main: FormSurvey | null = null;
  for (const form of forms.values()) if (!main || form.count > main.count) main = form;
  return { form: main! };
}

function notAChat(input: ChatInput, line: number): SourceError {
  return new SourceError(
    input.file,
    `${input.where}line ${line}`,
    'not a WhatsApp chat export: no message header in the first lines ' +
      '(expected lines like "[31.12.20, 23:59:59] Name: text" or "12/31/20, 11:59 PM - Name: text")',
  );
}

/** The text's bytes, chunk by chunk; read failures become SourceErrors naming the input. */
async function* textChunks(input: ChatInput): AsyncGenerator<Buffer> {
  let stream: AsyncIterable<Buffer>;
  try {
    stream = await input.text();
  } catch (err) {
    throw readError(input, err);
  }
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw readError(input, err);
  }
}

function readError(input: ChatInput, err: unknown): unknown {
  if (err instanceof SourceError) return err;
  if (err instanceof ZipError) return new SourceError(input.file, input.where.trim() || null, err.message);
  if ((err as NodeJS.ErrnoException)?.code && !input.zipName) return new SourceError(input.file, null, `cannot read: ${(err as Error).message}`);
  // A damaged zip entry (bad deflate data, wrong size or CRC) fails inside yauzl's stream.
  if (input.zipName) return new SourceError(input.file, input.where.trim(), `damaged archive entry: ${(err as Error)?.message ?? String(err)}`);
  return err;
}

/** Runs the line splitter, turning bad bytes into a SourceError with line and byte offset. */
function splitLines(input: ChatInput, step: () => void): void {
  try {
    step();
  } catch (err) {
    if (err instanceof TextLineError) throw new SourceError(input.file, `${input.where}line ${err.line} (byte ${err.offset})`, err.reason);
    throw err;
  }
}

/**
 * The day/month order to read the file in, and a warning when the data did not decide it:
 * every date must be valid in it (a first field over 12 means day first, a second one month
 * first), then the order whose dates go back in time least often (05/01, 06/01, 01/02 read month
 * first would jump back from June to January), then the machine locale's order.
 * Year-first with a 2-digit year (Korean phones) is taken only when the data asks for it.
 */
export function chooseDateOrder(stats: Record<DateOrder, OrderStats>, sample: string): { order: DateOrder; warning: string | null } {
  const valid = DATE_ORDERS.filter((o) => stats[o].invalid === 0);
  if (valid.length === 0) {
    const order = [...DATE_ORDERS].sort((a, b) => stats[a].invalid - stats[b].invalid)[0];
    return {
      order,
      warning: `the dates fit no single day/month order (e.g. "${sample}"); read as ${ORDER_NAMES[order]}, which fits most; ` +
        `lines with impossible dates are kept as message text`,
    };
  }
  const fewest = Math.min(...valid.map((o) => stats[o].backwards));
  const forward = valid.filter((o) => stats[o].backwards === fewest);
  if (forward.length === 1) return { order: forward[0], warning: null };
  if (!(forward.includes('dmy') && forward.includes('mdy'))) return { order: forward.includes('dmy') ? 'dmy' : 'mdy', warning: null };
  const order = machineDateOrder() === 'mdy' ? 'mdy' : 'dmy';
  return {
    order,
    warning: `the dates do not tell day from month (no field over 12, e.g. "${sample}"); ` +
      `read as ${ORDER_NAMES[order]}, this machine's locale default; use --date-order to choose`,
  };
}

// ---------------------------------------------------------------------------------------------
// What a header line says

interface Meaning {
  /** The author's name, or null for a system line. */
  author: string | null;
  /** The line is a system event (no author, or iOS text WhatsApp wrote itself). */
  event: boolean;
  text: string;
  /** iOS wrote the text itself (it began with U+200E). */
  generated: boolean;
}

/**
 * Author or system line. iOS credits its system lines to the group (`Group: ‎Loris left`) and
 * starts them with U+200E, like media and call lines it writes for a person: a generated text
 * that is no media, deletion, call or poll is a system line.
 */
function meaningOf(rest: string): Meaning {
  const parsed = parseRest(rest);
  if (parsed.type === 'system') return { author: null, event: true, text: parsed.text, generated: false };
  const { name, text, generated } = parsed;
  const event = generated && mediaMarker(text) === null && !isDeletedNotice(text) && !isCallNotice(text) && !isPoll(text);
  return { author: name, event, text, generated };
}

// ---------------------------------------------------------------------------------------------
// read

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options));
}

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const forced = options.whatsapp?.dateOrder;
  if (forced !== undefined && !DATE_ORDERS.includes(forced)) {
    throw new SourceError(path, null, `unknown date order "${String(forced)}" (use ${DATE_ORDERS.join(', ')})`);
  }
  let clock: ZonedClock;
  try {
    clock = new ZonedClock(whatsappTimeZone(options));
  } catch (err) {
    throw new SourceError(path, null, (err as Error).message);
  }
  const input = await openInput(path);
  try {
    const total = input.size * 2; // two passes over the text
    let lastProgress = -1;
    const progress = (done: number): SourceEvent | null => {
      if (done - lastProgress < whatsappTuning.chunkBytes && done < total) return null;
      lastProgress = done;
      return { type: 'progress', done, total };
    };

    const found = yield* survey(input, progress);
    const reader = new ChatReader(input, options, found, clock);
    const chat = reader.chatRecord();
    if (options.wantChat && !options.wantChat(chat.nativeId)) {
      yield [{ type: 'progress', done: total, total }];
      return;
    }
    yield [{ type: 'chat', chat }, ...input.warnings.map((warning): SourceEvent => ({ type: 'warning', warning })), ...reader.takeWarnings()];

    // Messages are handed out chunk by chunk: memory stays flat however long the chat.
    const splitter = new LineSplitter((line) => reader.line(line));
    let done = 0;
    for await (const chunk of textChunks(input)) {
      done += chunk.length;
      splitLines(input, () => splitter.push(chunk));
      const p = progress(input.size + done);
      if (p) reader.out.push(p);
      yield await reader.withMedia(reader.take());
    }
    splitLines(input, () => splitter.end());
    yield await reader.withMedia(reader.finish());
    const last = reader.summaryWarnings();
    if (lastProgress < total) last.push({ type: 'progress', done: total, total });
    yield last;
  } finally {
    input.close();
  }
}

/** Pass 2: header lines and continuation lines → messages, in file order. */
class ChatReader {
  /** Events waiting to be handed out. */
  out: SourceEvent[] = [];
  private readonly order: DateOrder;
  private readonly form: string;
  private readonly chatName: string;
  private readonly kind: ChatRecord['kind'];
  private readonly authors: readonly string[];
  private current: Pending | null = null;
  /** The last header's date as written, and as read (lines of a day share it). */
  private lastDateText = '';
  private lastDate: CivilDate | null = null;
  private lastTime = -Infinity;
  private warningCount = 0;
  private readonly pendingWarnings: SourceEvent[] = [];
  /** Messages whose attachment needs its file looked up (media are read asynchronously). */
  private readonly needsMedia = new Map<MessageRecord, MediaMarker>();
  private readonly media = new Map<string, MediaInfo | null>();
  private readonly maxMediaBytes: number;
  private missingMedia = 0;
  private firstMissing = '';
  private leadingLines = 0;
  private otherFormLines = 0;

  constructor(
    private readonly input: ChatInput,
    options: ReadOptions,
    private readonly found: Survey,
    private readonly clock: ZonedClock,
  ) {
    const form = found.form;
    this.form = form.form;
    this.maxMediaBytes = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES;
    const forced = options.whatsapp?.dateOrder;
    const { order, warning } = forced ? { order: forced, warning: null } : chooseDateOrder(form.orders, form.sample);
    this.order = order;
    if (warning) this.warn(`${input.where}line ${form.firstLine}`, warning);
    this.authors = [...form.authors];
    this.kind = form.group || this.authors.length > 2 ? 'group' : 'direct';
    this.chatName = this.nameChat(form.subject);
  }

  private nameChat(subject: string | null): string {
    const { textName, zipName } = this.input;
    const fromFile = (textName !== '_chat.txt' ? chatNameOf(textName) : null) ?? (zipName ? chatNameOf(zipName) : null);
    if (fromFile) return fromFile;
    if (subject && cleanName(subject)) return cleanName(subject);
    const stem = textName !== '_chat.txt' || !zipName ? stemOf(textName) : stemOf(zipName);
    this.warn(
      this.input.file,
      `the file name does not name the chat (as "WhatsApp Chat with <name>.txt" or "WhatsApp Chat - <name>.zip" do): ` +
        `it is imported as chat "${stem}"; keep the name when re-importing, or the messages form a second chat`,
    );
    return stem || 'chat';
  }

  chatRecord(): ChatRecord {
    return {
      nativeId: `whatsapp:${this.chatName}`,
      title: this.chatName,
      kind: this.kind,
      members: this.authors.map((name) => ({ nativeId: whatsappPersonId(name), displayName: name })),
    };
  }

  // --- lines ---------------------------------------------------------------------------------

  line(line: TextLine): void {
    const text = stripLeadingMarks(line.text);
    if (line.tooLong !== undefined) {
      // Never held: the message it belongs to (or starts) cannot be imported whole, so it is skipped.
      const header = parseHeader(text);
      if (header && header.form === this.form) {
        this.flush();
        this.current = { wall: NaN, rest: '', more: [], line: line.number, bytes: line.tooLong, longLine: line.number };
      } else if (this.current) this.current.longLine ??= line.number;
      else this.leadingLines++;
      return;
    }
    const header = parseHeader(text);
    if (header && header.form === this.form) {
      if (header.date !== this.lastDateText) {
        this.lastDateText = header.date;
        this.lastDate = resolveDate(header.fields, this.order);
      }
      const date = this.lastDate;
      const wall = date ? wallTime(header, date) : NaN;
      if (Number.isFinite(wall)) {
        this.flush();
        this.current = { wall, rest: header.rest, more: [], line: line.number, bytes: Buffer.byteLength(text), longLine: null };
        return;
      }
      this.warn(
        `${this.input.where}line ${line.number}`,
        `impossible date or time "${header.date}" when read as ${ORDER_NAMES[this.order]}; kept as message text`,
      );
    } else if (header) {
      this.otherFormLines++;
    }
    const current = this.current;
    if (current) {
      current.bytes += Buffer.byteLength(text) + 1;
      if (current.bytes <= MAX_RECORD_BYTES) current.more.push(text);
      else current.more.length = 0; // over the cap: skipped at its end, never held
    } else if (text.trim() !== '') this.leadingLines++;
  }

  /** Turns the message being collected into a record. */
  private flush(): void {
    const pending = this.current;
    if (!pending) return;
    this.current = null;
    if (pending.longLine !== null || pending.bytes > MAX_RECORD_BYTES) {
      const why =
        pending.longLine !== null
          ? `a message with a line longer than ${formatLimit(MAX_LINE_BYTES)} (line ${pending.longLine})`
          : `a message of more than ${formatLimit(MAX_RECORD_BYTES)} (${pending.bytes} bytes)`;
      this.warn(`${this.input.where}line ${pending.line}`, `${why}: skipped`);
      return;
    }
    const meaning = meaningOf(pending.rest);
    let text = meaning.text;
    if (pending.more.length) {
      const more = pending.more;
      let end = more.length;
      while (end > 0 && more[end - 1].trim() === '') end--; // WhatsApp trims messages: blank tails are layout
      if (end > 0) text = `${text}\n${more.slice(0, end).join('\n')}`;
    }
    const time = this.clock.toUtc(pending.wall, this.lastTime);
    this.lastTime = time;
    const record = this.record(meaning, text, time);
    this.out.push({ type: 'message', message: record });
  }

  private record(meaning: Meaning, text: string, time: number): MessageRecord {
    if (meaning.event) {
      const actor = parseSystemLine(text).actor;
      return {
        authorId: actor ? whatsappPersonId(actor) : 'system',
        authorName: actor,
        time,
        kind: 'event',
        body: text,
        markup: 'whatsapp',
      };
    }
    const author = meaning.author!;
    const record: MessageRecord = { authorId: whatsappPersonId(author), authorName: author, time, kind: 'text', body: text, markup: 'whatsapp' };
    if (isDeletedNotice(text)) {
      record.deleted = true;
      return record;
    }
    // Edited at an unknown time: the store lets it replace the text it had (store/merge.ts).
    if (isEditedText(text)) record.flags = MessageFlags.edited;
    const marker = mediaMarker(text);
    if (marker) {
      record.kind = 'media';
      if (marker.name) {
        record.kind = kindOfFile(marker.name);
        this.needsMedia.set(record, marker);
      }
      return record;
    }
    if (isPoll(text)) record.kind = 'poll';
    else if (meaning.generated && isCallNotice(text)) record.kind = 'call'; // not a person's "video call later?"
    return record;
  }

  /** The last message, and everything not handed out yet. */
  finish(): SourceEvent[] {
    this.flush();
    if (this.leadingLines) {
      this.warn(`${this.input.where}line 1`, `${this.leadingLines} line${this.leadingLines === 1 ? '' : 's'} before the first message skipped`);
    }
    if (this.otherFormLines) {
      const n = this.otherFormLines;
      this.warn(
        this.input.file,
        `${n} line${n === 1 ? '' : 's'} looking like message headers of another layout than the file's (as "${this.found.form.sample}") kept as message text`,
      );
    }
    return this.take();
  }

  take(): SourceEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** The batch with each attachment's file read, hashed and emitted before its message. */
  async withMedia(batch: SourceEvent[]): Promise<SourceEvent[]> {
    if (this.needsMedia.size === 0) return batch.concat(this.takeWarnings());
    const out: SourceEvent[] = [];
    for (const event of batch) {
      if (event.type === 'message') {
        const marker = this.needsMedia.get(event.message);
        if (marker) {
          this.needsMedia.delete(event.message);
          await this.attach(event.message, marker, out);
        }
      }
      out.push(event);
    }
    return out.concat(this.takeWarnings());
  }

  private async attach(record: MessageRecord, marker: MediaMarker, out: SourceEvent[]): Promise<void> {
    const name = marker.name!;
    let info = this.media.get(name);
    if (info === undefined) {
      info = await this.readMedia(name, out);
      this.media.set(name, info);
    }
    if (!info && marker.needsFile) {
      // "name.ext (some words)" with no such file: ordinary text after all.
      record.kind = 'text';
      return;
    }
    const attachment: Attachment = { name };
    if (info?.hash) {
      attachment.size = info.size;
      if (info.type) attachment.type = info.type;
      if (info.hash) attachment.hash = info.hash;
    } else {
      // Not there, or refused (too large, a link out of the folder…: warned about already).
      const type = mimeOf(name);
      if (type) attachment.type = type;
      if (info?.size) attachment.size = info.size;
      if (!info && this.missingMedia++ === 0) this.firstMissing = name;
    }
    record.attachments = [attachment];
  }

  /** The attachment's file read and emitted; without a hash when refused; null when missing. */
  private async readMedia(name: string, out: SourceEvent[]): Promise<MediaInfo | null> {
    const ref = await this.input.media(name);
    if (!ref) return null;
    if (ref.size > this.maxMediaBytes) {
      this.warn(`${this.input.where}${name}`, mediaTooLarge(ref.size, this.maxMediaBytes));
      return { size: ref.size };
    }
    let bytes: Buffer | Refusal;
    try {
      bytes = await ref.read(this.maxMediaBytes);
    } catch (err) {
      throw new SourceError(this.input.file, name, `cannot read the attachment: ${(err as Error).message}`);
    }
    if (bytes === 'missing') return null;
    if (typeof bytes === 'string') return { size: 0 };
    const hash = createHash('sha256').update(bytes).digest('hex');
    const type = mimeOf(name);
    out.push({ type: 'media', media: type ? { name, type, bytes } : { name, bytes }, hash });
    return type ? { hash, size: bytes.length, type } : { hash, size: bytes.length };
  }

  // --- warnings ------------------------------------------------------------------------------

  private warn(position: string, message: string): void {
    this.warningCount++;
    if (this.warningCount <= MAX_WARNINGS) this.pendingWarnings.push({ type: 'warning', warning: { position, message } });
  }

  takeWarnings(): SourceEvent[] {
    return this.pendingWarnings.splice(0, this.pendingWarnings.length);
  }

  summaryWarnings(): SourceEvent[] {
    for (const { position, message } of this.input.folder?.summary() ?? []) this.warn(position, message);
    if (this.missingMedia) {
      const n = this.missingMedia;
      this.warn(this.input.file, `${n} attached file${n === 1 ? ' is' : 's are'} not in ${this.input.mediaPlace} (first: ${this.firstMissing}); imported without ${n === 1 ? 'it' : 'them'}`);
    }
    const out = this.takeWarnings();
    if (this.warningCount > MAX_WARNINGS) {
      out.push({ type: 'warning', warning: { position: this.input.file, message: `${this.warningCount - MAX_WARNINGS} more warnings like the ones above were not listed` } });
    }
    return out;
  }
}

/** A media file as read: `hash` when its bytes were stored. */
interface MediaInfo {
  hash?: string;
  size: number;
  type?: string;
}

/** A message whose header was read; continuation lines are added until the next header. */
interface Pending {
  wall: number;
  rest: string;
  more: string[];
  /** The header's line number, and the message's bytes so far (kept under MAX_RECORD_BYTES). */
  line: number;
  bytes: number;
  /** The first line over MAX_LINE_BYTES in it, if any. */
  longLine: number | null;
}

/** Pictures, films and sounds are media; a contact card a contact; anything else a file. */
function kindOfFile(name: string): MessageKind {
  const type = mimeOf(name);
  if (type === 'text/vcard') return 'contact';
  return type && /^(?:image|video|audio)\//.test(type) ? 'media' : 'file';
}
