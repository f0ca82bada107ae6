import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Attachment } from '../../model.js';
import type { SourceEvent } from '../types.js';
import { ExportFolder } from '../kit/export-folder.js';
import { text, type JsonObject } from '../kit/fields.js';
import { mediaEvent, type MediaInfo } from '../kit/media.js';
import { mimeOf, safeName } from '../kit/media-files.js';
import { plural, type Warnings } from '../kit/warnings.js';
import { Tally } from './tally.js';

/**
 * Attachments and sticker images of one export file: a relative path from `--media` (either
 * separator) whose file exists inside the export's folder is hashed and emitted as a `media` event
 * before its message; otherwise the attachment keeps its name, size and (http) URL. Paths that
 * leave the export folder (absolute, `..`, symlinks) are never read: an export must not pull other
 * files into a published archive.
 */
export class DiscordMedia {
  /** Resolved media path → what it held (null: missing or refused), so each file is read once. */
  private readonly media = new Map<string, MediaInfo | null>();
  private readonly folder: ExportFolder;
  private readonly missing = new Tally();
  private readonly outside = new Tally();

  constructor(
    private readonly file: string,
    private readonly root: string,
    maxBytes: number,
    warnings: Warnings,
  ) {
    this.folder = new ExportFolder(root, maxBytes, (position, message) => warnings.add(position, message));
  }

  async attachment(a: JsonObject | null, into: Attachment[], out: SourceEvent[], where: string): Promise<void> {
    if (!a) return;
    const url = text(a.url);
    const name = safeName(text(a.fileName) || fileNameOfUrl(url));
    const declared = typeof a.fileSizeBytes === 'number' && Number.isFinite(a.fileSizeBytes) && a.fileSizeBytes >= 0 ? a.fileSizeBytes : undefined;
    const type = mimeOf(name);
    const local = url ? await this.localMedia(url, name, out, where) : null;
    const attachment: Attachment = { name };
    if (local) {
      attachment.size = local.size;
      if (type ?? local.type) attachment.type = (type ?? local.type)!;
      attachment.hash = local.hash;
    } else {
      if (declared !== undefined) attachment.size = declared;
      if (type) attachment.type = type;
      if (isRemote(url)) attachment.url = url;
    }
    into.push(attachment);
  }

  /** A sticker's name for the envelope; its image, when the export has it, as an attachment. */
  async sticker(s: JsonObject | null, names: string[], into: Attachment[], out: SourceEvent[], where: string): Promise<void> {
    if (!s) return;
    const name = text(s.name).trim() || 'sticker';
    names.push(name);
    const url = text(s.sourceUrl);
    // Lottie stickers are animation JSON: nothing a page can show.
    if (!url || isRemote(url) || text(s.format) === 'Lottie') return;
    const ext = extname(url.replace(/\\/g, '/')).toLowerCase();
    const fileName = safeName(`${name}${/^\.[a-z0-9]{1,5}$/.test(ext) ? ext : ''}`);
    const local = await this.localMedia(url, fileName, out, where);
    if (local) {
      const type = mimeOf(fileName) ?? local.type;
      into.push(type ? { name: fileName, size: local.size, type, hash: local.hash } : { name: fileName, size: local.size, hash: local.hash });
    }
  }

  /**
   * The GIF or video of a link preview without words (Tenor, Giphy: Discord shows only the
   * animation), when the export downloaded it: its video (a GIF as MP4), else its image or
   * thumbnail, as an attachment. Embeds with text are shown as cards by the converter.
   */
  async embedMedia(e: JsonObject | null, into: Attachment[], out: SourceEvent[], where: string): Promise<void> {
    if (!e || text(e.title).trim() || text(e.description).trim() || (Array.isArray(e.fields) && e.fields.length)) return;
    for (const part of [e.video, e.image, e.thumbnail]) {
      const url = typeof part === 'object' && part !== null ? text((part as JsonObject).url) : '';
      if (!url || isRemote(url)) continue;
      const name = safeName(fileNameOfUrl(url));
      // A preview the exporter did not download is no missing attachment: no warning.
      const local = await this.localMedia(url, name, out, where, false);
      if (!local) continue;
      const type = mimeOf(name) ?? local.type;
      into.push(type ? { name, size: local.size, type, hash: local.hash } : { name, size: local.size, hash: local.hash });
      return;
    }
  }

  /** The file's warnings on media: not found, outside the folder, refused by it. */
  summary(warnings: Warnings): void {
    if (this.missing.count) {
      warnings.add(this.missing.first, `${plural(this.missing.count, 'attachment')} not found beside the export; kept as name, size and link`);
    }
    if (this.outside.count) {
      warnings.add(this.outside.first, `${plural(this.outside.count, 'media path')} outside the export's folder not read`);
    }
    for (const { position, message } of this.folder.summary()) warnings.add(position, message);
  }

  /**
   * The file a relative media path (`x.json_Files\a-1F2E3.png`) names, read, hashed and emitted
   * once as a `media` event; null when it is remote, missing, or outside the export's folder.
   */
  private async localMedia(url: string, name: string, out: SourceEvent[], where: string, countMissing = true): Promise<MediaInfo | null> {
    if (isRemote(url) || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null;
    const rel = url.replace(/\\/g, '/');
    if (rel.startsWith('/') || /^[a-zA-Z]:/.test(rel) || rel.includes('\0')) {
      this.outside.add(where);
      return null;
    }
    const full = resolve(dirname(this.file), rel);
    const cached = this.media.get(full);
    if (cached !== undefined) return cached;
    const found = isInside(this.root, full) ? await this.readMedia(full, name, out) : 'outside';
    if (found === 'outside') this.outside.add(where);
    else if (found === 'missing' && countMissing) this.missing.add(where);
    const info = typeof found === 'string' ? null : found;
    this.media.set(full, info);
    return info;
  }

  private async readMedia(full: string, name: string, out: SourceEvent[]): Promise<MediaInfo | 'missing' | 'refused'> {
    const bytes = await this.folder.read(full, relative(this.root, full).replace(/\\/g, '/'));
    if (typeof bytes === 'string') return bytes === 'missing' ? 'missing' : 'refused'; // the folder counts refusals
    // '' for no type: the name decides, or the path, and nothing else.
    const { event, info } = mediaEvent(name, bytes, mimeOf(name) ?? mimeOf(full) ?? '');
    out.push(event);
    return info;
  }
}

function isRemote(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** True when `path` lies inside folder `root` (both absolute). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function fileNameOfUrl(url: string): string {
  const path = url.replace(/[?#].*$/, '').replace(/\\/g, '/');
  let name = path.slice(path.lastIndexOf('/') + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // not percent-encoded after all
  }
  return name;
}
