/**
 * The files media markers name: looked up in the folder or zip, read (up to the size limit),
 * hashed and emitted before the message that attaches them; each file once. Missing ones are
 * counted for one warning at the end.
 */
import type { MediaMarker } from '../../markup/whatsapp-grammar.js';
import type { Attachment, MessageRecord } from '../../model.js';
import type { Refusal } from '../kit/export-folder.js';
import { mediaEvent } from '../kit/media.js';
import { mediaTooLarge, mimeOf } from '../kit/media-files.js';
import type { Warnings } from '../kit/warnings.js';
import { SourceError, type SourceEvent } from '../types.js';
import type { ChatInput } from './input.js';

/** A media file as read: `hash` when its bytes were stored. */
interface FileInfo {
  hash?: string;
  size: number;
  type?: string;
}

export class ChatMedia {
  /** Messages whose attachment needs its file looked up (media are read asynchronously). */
  private readonly pending = new Map<MessageRecord, MediaMarker>();
  /** Each file's info once read: without a hash when refused, null when missing. */
  private readonly files = new Map<string, FileInfo | null>();
  private missing = 0;
  private firstMissing = '';

  constructor(
    private readonly input: ChatInput,
    private readonly maxMediaBytes: number,
    private readonly warnings: Warnings,
  ) {}

  /** A message attaching the file its marker names, looked up when its batch is handed out. */
  expect(record: MessageRecord, marker: MediaMarker): void {
    this.pending.set(record, marker);
  }

  /** The batch with each attachment's file read, hashed and emitted before its message. */
  async attachAll(batch: SourceEvent[]): Promise<SourceEvent[]> {
    if (this.pending.size === 0) return batch;
    const out: SourceEvent[] = [];
    for (const event of batch) {
      if (event.type === 'message') {
        const marker = this.pending.get(event.message);
        if (marker) {
          this.pending.delete(event.message);
          await this.attach(event.message, marker, out);
        }
      }
      out.push(event);
    }
    return out;
  }

  /** The warnings for the end: what the folder refused, and the files that were not there. */
  summarize(): void {
    for (const { position, message } of this.input.folder?.summary() ?? []) this.warnings.add(position, message);
    if (this.missing) {
      const n = this.missing;
      this.warnings.add(this.input.file, `${n} attached file${n === 1 ? ' is' : 's are'} not in ${this.input.mediaPlace} (first: ${this.firstMissing}); imported without ${n === 1 ? 'it' : 'them'}`);
    }
  }

  private async attach(record: MessageRecord, marker: MediaMarker, out: SourceEvent[]): Promise<void> {
    const name = marker.name!;
    let info = this.files.get(name);
    if (info === undefined) {
      info = await this.readMedia(name, out);
      this.files.set(name, info);
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
      if (!info && this.missing++ === 0) this.firstMissing = name;
    }
    record.attachments = [attachment];
  }

  /** The attachment's file read and emitted; without a hash when refused; null when missing. */
  private async readMedia(name: string, out: SourceEvent[]): Promise<FileInfo | null> {
    const ref = await this.input.media(name);
    if (!ref) return null;
    if (ref.size > this.maxMediaBytes) {
      this.warnings.add(`${this.input.where}${name}`, mediaTooLarge(ref.size, this.maxMediaBytes));
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
    const { event, info } = mediaEvent(name, bytes);
    out.push(event);
    return info;
  }
}
