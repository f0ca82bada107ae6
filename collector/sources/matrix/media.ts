import type { MessageRecord } from '../../model.js';
import type { SourceEvent } from '../types.js';
import { mediaEvent } from '../kit/media.js';
import type { AttachmentFile } from './input.js';

/**
 * Element's zip names each attachment `<folder>/<name>-<date><ext>` (Exporter.getFilePath: the
 * event's `body` split at its last dot, the date in the exporting browser's locale and zone, so
 * it cannot be computed here; `.png` for stickers, `.ogg` for voice messages) and adds the files
 * in timeline order. An event's file is therefore the first unused file of its folder whose name
 * starts with `<name>-` (and ends with `<ext>`, where Element keeps it): the same name sent twice
 * finds its files in order. Files are read when a batch of messages is handed on.
 */
export class AttachmentMatcher {
  private readonly used = new Set<AttachmentFile>();
  private readonly byFolder = new Map<string, AttachmentFile[]>();
  private wanted: { record: MessageRecord; file: AttachmentFile }[] = [];

  constructor(
    files: AttachmentFile[],
    private readonly maxBytes: number,
  ) {
    for (const file of files) {
      const folder = file.path.split('/')[0];
      const list = this.byFolder.get(folder) ?? [];
      this.byFolder.set(folder, list);
      list.push(file);
    }
  }

  want(record: MessageRecord, folder: string, body: string): void {
    const files = this.byFolder.get(folder);
    if (!files || !body) return;
    const dot = body.lastIndexOf('.');
    const [stem, ext] = dot === -1 ? [body, ''] : [body.slice(0, dot), body.slice(dot)];
    const keepsExt = folder !== 'stickers' && folder !== 'audio';
    const file = files.find((f) => {
      const name = f.path.slice(folder.length + 1);
      return !this.used.has(f) && name.startsWith(`${stem}-`) && (!keepsExt || name.endsWith(ext));
    });
    if (!file) return;
    this.used.add(file);
    this.wanted.push({ record, file });
  }

  /** Reads the files wanted since the last call: their media events; their attachments get the hash. */
  async resolve(): Promise<SourceEvent[]> {
    const out: SourceEvent[] = [];
    for (const { record, file } of this.wanted) {
      const attachment = record.attachments![0];
      const bytes = await file.read(this.maxBytes);
      if (!bytes) continue;
      const { event, info } = mediaEvent(attachment.name, bytes, attachment.type);
      out.push(event);
      attachment.hash = info.hash;
      attachment.size = info.size;
    }
    this.wanted = [];
    return out;
  }
}
