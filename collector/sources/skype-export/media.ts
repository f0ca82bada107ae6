import type { SourceEvent } from '../types.js';
import { isObject } from '../kit/fields.js';
import { mediaEvent } from '../kit/media.js';
import { mediaTooLarge, mimeOf, safeName } from '../kit/media-files.js';
import type { Warnings } from '../kit/warnings.js';
import { largest, type PendingAttachment } from './attachments.js';
import type { ExportInput } from './input.js';
import { parseJsonText } from '../kit/json/parse.js';

/** Media metadata files (`<id>.json`) larger than this are not parsed. */
const MAX_METADATA = 1 << 20;

/** What an attachment takes from the file(s) stored under its AMS id. */
interface StoredMedia {
  /** Null when the file was too large to store. */
  hash: string | null;
  name: string;
  type?: string;
  size: number;
}

/**
 * The export's media files: each is read, hashed and emitted just before the first message that
 * references it (so media always precede their messages whatever the archive's order), once.
 */
export class ExportMedia {
  private readonly emitted = new Map<string, StoredMedia | null>();

  constructor(
    private readonly input: ExportInput,
    private readonly warnings: Warnings,
    private readonly maxMediaBytes: number,
  ) {}

  /** Emits the media file(s) an attachment refers to (once per run) and sets its hash. */
  async link(attachment: PendingAttachment, out: SourceEvent[]): Promise<void> {
    const id = attachment.amsId;
    const named = !attachment.unnamed;
    delete attachment.amsId;
    delete attachment.unnamed;
    if (!id) return;
    const info = await this.emit(id, out, named ? attachment.name : null);
    if (!info) return;
    if (!named) attachment.name = info.name;
    if (info.hash) attachment.hash = info.hash;
    if (attachment.size === undefined) attachment.size = info.size;
    if (attachment.type === undefined && info.type) attachment.type = info.type;
  }

  /** Media no emitted message referenced (the caller keeps them unless chats were filtered out). */
  async leftover(out: SourceEvent[]): Promise<void> {
    for (const id of this.input.media.keys()) {
      if (!this.emitted.has(id)) await this.emit(id, out);
    }
  }

  /** `shown`: the attachment's name in the message, for warnings. */
  private async emit(id: string, out: SourceEvent[], shown: string | null = null): Promise<StoredMedia | null> {
    if (this.emitted.has(id)) return this.emitted.get(id)!;
    const refs = this.input.media.get(id);
    if (!refs) {
      this.emitted.set(id, null);
      return null;
    }
    const filename = await this.metadataName(id);
    let best: StoredMedia | null = null;
    for (const ref of refs) {
      const name = filename && ref === largest(refs) ? filename : ref.name;
      if (ref.size > this.maxMediaBytes) {
        // Never read: the message keeps its attachment, named and sized, without the bytes.
        const file = `${this.input.where.replace(/messages\.json $/, '')}media/${ref.name}`;
        this.warnings.add(ref === largest(refs) && (shown ?? filename) ? `${file} ("${shown ?? filename}")` : file, mediaTooLarge(ref.size, this.maxMediaBytes));
        if (!best || ref.size > best.size) best = { hash: null, name, type: mimeOf(name) ?? mimeOf(ref.name), size: ref.size };
        continue;
      }
      const bytes = await ref.read();
      if (typeof bytes === 'string') continue; // refused by the folder, counted there
      const type = mimeOf(name) ?? mimeOf(ref.name);
      const { event, info } = mediaEvent(name, bytes, type);
      out.push(event);
      if (!best || info.size > best.size) best = { hash: info.hash, name, type, size: info.size };
    }
    this.emitted.set(id, best);
    return best;
  }

  /** The original file name `media/<id>.json` gives, or null. */
  private async metadataName(id: string): Promise<string | null> {
    const meta = this.input.metadata.get(id);
    if (!meta || meta.size > MAX_METADATA) return null;
    try {
      const bytes = await meta.read();
      if (typeof bytes === 'string') throw new Error(bytes);
      const parsed = parseJsonText(bytes.toString('utf8')) as unknown;
      if (isObject(parsed) && typeof parsed.filename === 'string' && parsed.filename.trim()) return safeName(parsed.filename);
    } catch {
      this.warnings.add(`media/${meta.name}`, 'unreadable media metadata; file names taken from the archive');
    }
    return null;
  }
}
