import { canonicalSkypeChatId } from '../../identity/skype-ids.js';
import type { ReadOptions, SourceEvent } from '../types.js';
import { readAt } from '../kit/files.js';
import { DEFAULT_MAX_MEDIA_BYTES } from '../kit/media-files.js';
import { unreadableMessage } from '../kit/unreadable.js';
import { Warnings } from '../kit/warnings.js';
import { timeOrder, type Conversation } from './conversation.js';
import { at, inputError, type ExportInput } from './input.js';
import { ExportMedia } from './media.js';
import { chatRecord, messageRecord, type RecordContext } from './records.js';
import { ExportScan } from './scan.js';
import { JsonTooDeep, parseJsonText } from '../kit/json/parse.js';

/** Read sizes; tests shrink them to put chunk and block boundaries everywhere. */
export const skypeExportTuning = {
  /** Bytes read from the JSON per scanner chunk; also how often progress is reported. */
  chunkBytes: 4 << 20,
  /** Bytes read at once when re-reading a conversation's messages. */
  blockBytes: 4 << 20,
  /**
   * Messages parsed per block of events handed on. Few, so that what the reading thread holds
   * between two of V8's young-generation collections stays small: each collection copies every
   * parsed message not yet handed on, and promotes what it meets twice (a block of 4096 kept
   * ~8 MB alive through several: 1M Skype messages, the reading thread's scavenges 2.3 -> 0.6 s).
   */
  blockMessages: 256,
};

/**
 * Pass 2: once a conversation's object has closed, its messages are re-read by range in time order
 * and each is `JSON.parse`d alone. Real exports list messages newest first, so that order is the
 * file's, reversed, read in blocks from the end.
 */
export class ExportReader implements RecordContext {
  readonly warnings: Warnings;
  readonly scan: ExportScan;
  private readonly wantChat: (nativeId: string) => boolean;
  private readonly media: ExportMedia;
  private anyFiltered = false;
  private lastProgress = -1;
  /** The last finished conversation's block buffer, for the next one (fewer 4 MB allocations). */
  private spareBlock: Buffer | null = null;

  constructor(
    readonly input: ExportInput,
    options: ReadOptions,
  ) {
    this.wantChat = options.wantChat ?? (() => true);
    this.warnings = new Warnings(input.file);
    this.scan = new ExportScan(input, this.warnings, (id) => this.wants(id));
    this.media = new ExportMedia(input, this.warnings, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES);
  }

  get selfId(): string | null {
    return this.scan.selfId;
  }

  /**
   * Exports name a dialog by the partner only (relative to the exporting user) and a legacy group by
   * base64 of its old name: the canonical id makes them the same chat as in main.db and in the other
   * account's export.
   */
  canonical(id: string): string {
    return canonicalSkypeChatId(id, this.selfId);
  }

  /** `--chat` may name a conversation by the export's id or by the canonical one. */
  private wants(id: string): boolean {
    return this.wantChat(id) || this.wantChat(this.canonical(id));
  }

  /** The chat event (if the chat is wanted and has messages) and pending warnings. */
  chatEvents(conv: Conversation): SourceEvent[] {
    const out = this.warnings.take();
    conv.order = null;
    if (typeof conv.id !== 'string' || conv.id === '') {
      if (conv.count) this.warnings.add(`${conv.label} (${at(this.input, conv.start)})`, `has no id; its ${conv.count} messages were skipped`);
      return out.concat(this.warnings.take());
    }
    if (conv.skipped || !this.wants(conv.id)) {
      this.anyFiltered = true;
      return out;
    }
    if (conv.count === 0) return out;
    conv.nativeId = this.canonical(conv.id);
    conv.order = timeOrder(conv);
    conv.next = 0;
    out.push({ type: 'chat', chat: chatRecord(conv, this) });
    return out.concat(this.warnings.take());
  }

  /** The next block of messages of `conv` (oldest first) with the media they need, or null. */
  async nextBlock(conv: Conversation): Promise<SourceEvent[] | null> {
    const order = conv.order;
    if (!order || conv.next >= order.length) {
      if (order) {
        conv.order = null;
        if (conv.blockBuf && (!this.spareBlock || conv.blockBuf.length > this.spareBlock.length)) this.spareBlock = conv.blockBuf;
        conv.blockBuf = null;
        const progress = this.progress(this.input.jsonStart + conv.end);
        if (progress) return [progress];
      }
      return null;
    }
    const out: SourceEvent[] = [];
    const progress = this.progress(this.input.jsonStart + conv.start + ((conv.end - conv.start) * conv.next) / order.length);
    if (progress) out.push(progress);
    const budgetEnd = conv.next + skypeExportTuning.blockMessages;
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
        message = parseJsonText(raw);
      } catch (err) {
        if (!(err instanceof JsonTooDeep)) throw inputError(this.input, start, `invalid JSON in a message of ${conv.label}: ${(err as Error).message}`);
        this.warnings.add(`${conv.label}, message ${k} (${at(this.input, start)})`, unreadableMessage(err));
        continue;
      }
      try {
        const record = messageRecord(message as Record<string, unknown>, conv, k, start, this);
        if (!record) continue;
        if (record.attachments) {
          for (const attachment of record.attachments) await this.media.link(attachment, out);
        }
        out.push({ type: 'message', message: record });
      } catch (err) {
        this.warnings.add(`${conv.label}, message ${k} (${at(this.input, start)})`, unreadableMessage(err));
      }
    }
    for (const w of this.warnings.take()) out.push(w);
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
      const size = Math.max(length, Math.min(skypeExportTuning.blockBytes, conv.end - conv.start));
      const spare = this.spareBlock;
      this.spareBlock = null;
      conv.blockBuf = spare && spare.length >= size ? spare : Buffer.allocUnsafe(size);
    }
    await readAt(this.input.fh, conv.blockBuf.subarray(0, length), this.input.jsonStart + from);
    conv.blockStart = from;
    conv.blockEnd = to;
  }

  progress(done: number): SourceEvent | null {
    if (done - this.lastProgress < skypeExportTuning.chunkBytes && done < this.input.totalSize) return null;
    if (done <= this.lastProgress) return null;
    this.lastProgress = done;
    return { type: 'progress', done, total: this.input.totalSize };
  }

  /** Media no emitted message referenced: kept too, unless chats were filtered out. */
  async leftoverMedia(): Promise<SourceEvent[]> {
    const out = this.warnings.take();
    if (!this.anyFiltered) await this.media.leftover(out);
    return out;
  }

  /** The read's last warnings: what the folder refused, tallies, the count of unlisted ones. */
  summaryWarnings(): SourceEvent[] {
    for (const { position, message } of [...this.input.notFiles, ...(this.input.folder?.summary() ?? [])]) this.warnings.add(position, message);
    return this.warnings.summary();
  }
}
