/**
 * Pass 1 over the text: the header lines' layouts, which day/month order their dates fit and run
 * forward in, the authors, whether it is a group and its subject. A text with no header in its
 * first lines is no chat export (a SourceError).
 */
import { parseSystemLine, stripLeadingMarks } from '../../markup/whatsapp-grammar.js';
import { LineSplitter, type TextLine } from '../kit/text-lines.js';
import { SourceError, type SourceEvent } from '../types.js';
import type { OrderStats } from './dates.js';
import { HEAD_BYTES, HEAD_LINES } from './detect.js';
import { splitLines, textChunks, type ChatInput } from './input.js';
import { DATE_ORDERS, dayNumber, meaningOf, parseHeader, resolveDate, type DateOrder, type Header } from './lines.js';

/** What pass 1 learns about the headers of one layout. */
export class FormSurvey {
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

export interface Survey {
  /** The layout most headers have: the file's. */
  form: FormSurvey;
}

export async function* survey(input: ChatInput, emitProgress: (done: number) => SourceEvent | null): AsyncGenerator<SourceEvent[], Survey> {
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
