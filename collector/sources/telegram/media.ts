import { basename, isAbsolute, resolve, sep } from 'node:path';
import { own } from '../../own.js';
import { MEDIA_LABELS, notExportedReason } from '../../markup/telegram/media.js';
import type { Attachment } from '../../model.js';
import type { SourceEvent, SourceWarning } from '../types.js';
import { ExportFolder } from '../kit/export-folder.js';
import { mediaEvent, type MediaInfo } from '../kit/media.js';
import { mimeOf, safeName } from '../kit/media-files.js';
import { plural, type Warnings } from '../kit/warnings.js';
import type { JsonObject } from '../kit/fields.js';
import type { Prepared } from './chat.js';

/**
 * A message's photo or file: read from beside result.json (once per path), hashed and emitted as a
 * media event before its message, which gets an attachment with that hash; a file the export left
 * out, or that is missing from the folder, is an attachment without a hash.
 */

export class TelegramMedia {
  private readonly folder: ExportFolder;
  private readonly media = new Map<string, MediaInfo | null>();
  private missingFiles = 0;
  private firstMissing = '';

  constructor(
    private readonly root: string,
    maxBytes: number,
    private readonly warnings: Warnings,
  ) {
    this.folder = new ExportFolder(root, maxBytes, (position, message) => warnings.add(position, message));
  }

  /** Reads the message's photo or file (emitting media events) into its attachments. */
  async attach(raw: JsonObject, prepared: Prepared, out: SourceEvent[]): Promise<void> {
    for (const field of ['photo', 'file'] as const) {
      const value = raw[field];
      if (typeof value !== 'string') continue;
      const attachment = await this.attachment(raw, field, value, out);
      if (!attachment.hash && !isPlaceholder(value)) prepared.env.cc_file_missing = true;
      prepared.attachments.push(attachment);
    }
  }

  /** What the folder refused, and the files the export names that are not in it: the read's last warnings. */
  summary(file: string): SourceWarning[] {
    const out = this.folder.summary();
    if (this.missingFiles) {
      out.push({
        position: file,
        message: `${plural(this.missingFiles, 'file')} the export names ${this.missingFiles === 1 ? 'is' : 'are'} not in its folder (first: ${this.firstMissing}); listed as attachments without content`,
      });
    }
    return out;
  }

  private async attachment(raw: JsonObject, field: 'photo' | 'file', value: string, out: SourceEvent[]): Promise<Attachment> {
    const mediaType = typeof raw.media_type === 'string' ? raw.media_type : field;
    const fileName = typeof raw.file_name === 'string' && raw.file_name.trim() ? safeName(raw.file_name) : null;
    const declaredType = typeof raw.mime_type === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(raw.mime_type) ? raw.mime_type : undefined;
    const declaredSize = sizeOf(field === 'photo' ? raw.photo_file_size : raw.file_size);
    if (isPlaceholder(value)) {
      const attachment: Attachment = { name: fileName ?? own(MEDIA_LABELS, mediaType)?.[1] ?? 'File' };
      if (declaredType) attachment.type = declaredType;
      if (declaredSize !== undefined) attachment.size = declaredSize;
      return attachment;
    }
    const name = fileName ?? safeName(value);
    const attachment: Attachment = { name };
    const type = declaredType ?? mimeOf(value) ?? (field === 'photo' ? 'image/jpeg' : undefined);
    if (type) attachment.type = type;
    const info = await this.mediaFile(value, type, out);
    if (info) {
      attachment.hash = info.hash;
      attachment.size = info.size;
    } else if (declaredSize !== undefined) {
      attachment.size = declaredSize;
    }
    return attachment;
  }

  /** Reads, hashes and emits the file at an export-relative path (once per path), or null. */
  private async mediaFile(relative: string, type: string | undefined, out: SourceEvent[]): Promise<MediaInfo | null> {
    if (this.media.has(relative)) return this.media.get(relative)!;
    let info: MediaInfo | null = null;
    const full = insideRoot(this.root, relative);
    const bytes = full ? await this.folder.read(full, relative) : 'outside';
    if (typeof bytes !== 'string') {
      // '' for no type: the type was decided from the export's own path above, not guessed again.
      const media = mediaEvent(basename(full!), bytes, type ?? '');
      out.push(media.event);
      info = media.info;
    } else if (!full) {
      this.warnings.add(relative, 'a file path outside the export folder; not read');
    }
    // Refused files (links leading out, special files, too large) are counted by the folder.
    if (!info && (!full || bytes === 'missing')) {
      if (!this.missingFiles) this.firstMissing = relative;
      this.missingFiles++;
    }
    this.media.set(relative, info);
    return info;
  }
}

/** The notes Telegram Desktop writes instead of a path for a file it did not export (the converter words them). */
function isPlaceholder(value: string): boolean {
  return notExportedReason(value) !== null;
}

function sizeOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/** The absolute path of an export-relative file path, or null when it would leave the folder. */
function insideRoot(root: string, relative: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (!relative || /[\0-\x1f]/.test(relative) || isAbsolute(relative) || /^[a-zA-Z]:/.test(relative)) return null;
  const full = resolve(root, relative.replace(/\\/g, '/'));
  return full.startsWith(root + sep) ? full : null;
}
