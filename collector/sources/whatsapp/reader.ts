/**
 * Pass 2 over the text: header lines and continuation lines → messages, in file order, with wall
 * times made UTC in the phone's zone; a message over the size limits is skipped with a warning.
 */
import { stripLeadingMarks } from '../../markup/whatsapp-grammar.js';
import { formatLimit, MAX_LINE_BYTES, MAX_RECORD_BYTES } from '../kit/limits.js';
import { DEFAULT_MAX_MEDIA_BYTES } from '../kit/media-files.js';
import type { TextLine } from '../kit/text-lines.js';
import { plural, type Warnings } from '../kit/warnings.js';
import type { ZonedClock } from '../kit/zoned-time.js';
import type { ReadOptions, SourceEvent } from '../types.js';
import { chooseDateOrder, ORDER_NAMES } from './dates.js';
import type { ChatInput } from './input.js';
import { meaningOf, parseHeader, resolveDate, wallTime, type CivilDate, type DateOrder } from './lines.js';
import { ChatMedia } from './media.js';
import { messageRecord } from './records.js';
import type { FormSurvey } from './survey.js';

/** Pass 2: header lines and continuation lines → messages, in file order. */
export class ChatReader {
  /** Events waiting to be handed out. */
  out: SourceEvent[] = [];
  private readonly order: DateOrder;
  private readonly form: string;
  private current: Pending | null = null;
  /** The last header's date as written, and as read (lines of a day share it). */
  private lastDateText = '';
  private lastDate: CivilDate | null = null;
  private lastTime = -Infinity;
  private readonly media: ChatMedia;
  private leadingLines = 0;
  private otherFormLines = 0;

  constructor(
    private readonly input: ChatInput,
    options: ReadOptions,
    private readonly survey: FormSurvey,
    private readonly clock: ZonedClock,
    private readonly warnings: Warnings,
  ) {
    this.form = survey.form;
    this.media = new ChatMedia(input, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, warnings);
    const forced = options.whatsapp?.dateOrder;
    const { order, warning } = forced ? { order: forced, warning: null } : chooseDateOrder(survey.orders, survey.sample);
    this.order = order;
    if (warning) this.warn(`${input.where}line ${survey.firstLine}`, warning);
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
    const { record, file } = messageRecord(meaning, text, time);
    if (file) this.media.expect(record, file);
    this.out.push({ type: 'message', message: record });
  }

  /** The last message, and everything not handed out yet. */
  finish(): SourceEvent[] {
    this.flush();
    if (this.leadingLines) {
      this.warn(`${this.input.where}line 1`, `${plural(this.leadingLines, 'line')} before the first message skipped`);
    }
    if (this.otherFormLines) {
      const n = this.otherFormLines;
      this.warn(
        this.input.file,
        `${plural(n, 'line')} looking like message headers of another layout than the file's (as "${this.survey.sample}") kept as message text`,
      );
    }
    return this.take();
  }

  take(): SourceEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** The batch with its attachments' files and the warnings so far. */
  async withMedia(batch: SourceEvent[]): Promise<SourceEvent[]> {
    return (await this.media.attachAll(batch)).concat(this.warnings.take());
  }

  /** The read's last warnings. */
  summaryWarnings(): SourceEvent[] {
    this.media.summarize();
    return this.warnings.summary();
  }

  private warn(position: string, message: string): void {
    this.warnings.add(position, message);
  }
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
