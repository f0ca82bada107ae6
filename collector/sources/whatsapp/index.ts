/**
 * WhatsApp "Export chat": the `.txt` alone (media looked up beside it), or the `.zip` exported
 * "with media" (`_chat.txt` or `WhatsApp Chat with X.txt` plus the files, read in place; `__MACOSX/`
 * junk ignored). One chat per export; the line grammar is in lines.ts and collector/markup/whatsapp-grammar.ts.
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
import { describeFormat } from '../modules.js';
import type { ReadOptions, SourceAdapter, SourceEvent } from '../types.js';
import { flatten } from '../kit/batches.js';
import { LineSplitter } from '../kit/text-lines.js';
import { Warnings } from '../kit/warnings.js';
import { ZonedClock } from '../kit/zoned-time.js';
import { SourceError } from '../types.js';
import { chatRecord } from './chat.js';
import { whatsappTimeZone } from './dates.js';
import { detect } from './detect.js';
import { openInput, splitLines, textChunks, whatsappTuning } from './input.js';
import { DATE_ORDERS } from './lines.js';
import { ChatReader } from './reader.js';
import { survey } from './survey.js';

export { chatNameOf } from './names.js';
export { chooseDateOrder, machineDateOrder, whatsappTimeZone, type OrderStats } from './dates.js';
export { whatsappTuning } from './input.js';

export const whatsapp: SourceAdapter = {
  format: 'whatsapp',
  description: describeFormat('whatsapp'),
  detect,
  read,
};

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
    const warnings = new Warnings(input.file);
    const reader = new ChatReader(input, options, found.form, clock, warnings);
    const chat = chatRecord(input, found.form, warnings);
    if (options.wantChat && !options.wantChat(chat.nativeId)) {
      yield [{ type: 'progress', done: total, total }];
      return;
    }
    yield [{ type: 'chat', chat }, ...input.warnings.map((warning): SourceEvent => ({ type: 'warning', warning })), ...warnings.take()];

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
