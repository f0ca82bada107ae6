import { isInlineImage, MEDIA_HASH, playerOf } from '../data/media-name.js';
import type { SiteMedia, Withheld } from '../data/session.js';
import type { Thumbnail } from '../data/thumbnails.js';
import { text } from './escape.js';
import { sitePaths } from './links.js';

/** One entry of messages.attachments (collector/sources/types.ts), as far as it can be trusted. */
export interface AttachmentInfo {
  name: string;
  size: number | null;
  type: string | null;
  url: string | null;
  hash: string | null;
}

/** Parses messages.attachments defensively: anything malformed is dropped, never thrown. */
export function parseAttachments(json: string | null): AttachmentInfo[] {
  if (!json) return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const out: AttachmentInfo[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') continue;
    const a = item as Record<string, unknown>;
    out.push({
      name: typeof a.name === 'string' ? a.name : '',
      size: typeof a.size === 'number' && Number.isFinite(a.size) && a.size >= 0 ? a.size : null,
      type: typeof a.type === 'string' ? a.type : null,
      url: typeof a.url === 'string' ? a.url : null,
      hash: typeof a.hash === 'string' && MEDIA_HASH.test(a.hash) ? a.hash : null,
    });
  }
  return out;
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];

export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${value === 1 ? 'byte' : 'bytes'}` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** Only http(s) URLs from a source become links; `javascript:` and friends stay text. */
export function safeHttpUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A message's file listed twice by its source (a Skype URIObject and its AMS reference…): the same stored file or the same name and size. */
function sameFile(a: AttachmentInfo, b: AttachmentInfo): boolean {
  if (a.hash && b.hash) return a.hash === b.hash;
  return a.name === b.name && (a.size === null || b.size === null || a.size === b.size);
}

/** Whether a stored file is a photo (shown, not only linked): by its type, else its name. */
export function isPhoto(attachment: AttachmentInfo, stored: SiteMedia): boolean {
  return !stored.withheld && isInlineImage(stored.type ?? attachment.type, stored.safeName);
}

/**
 * Attachments as HTML. `href` turns a site path into a link from the current document (relative
 * on pages, absolute in feeds). Photos the export contained are shown (`photoAlt`: their alt text,
 * e.g. "Photo from Alice, 3 Sep 2021"), as their thumbnail when `thumbnail` knows one, and link
 * the file; a photo it knows has none (sharp could not read it) is linked like any other file.
 * Other files are download links with their size; with `players`, videos and audio (voice notes)
 * play on the page too, above that link, as in the chat app (feeds keep links only). A file the
 * export did not contain, or that the site withholds (SiteMedia.withheld), keeps its name and size
 * and says so: it never links to the service that held it (an archive is read
 * offline, and those links expire or need a login).
 */
/** Said of a file the site does not publish, by why (SiteMedia.withheld). */
export const WITHHELD_NOTE: Readonly<Record<Withheld, string>> = {
  metadata: 'not published: a file like this can carry its author’s name',
  unreadable: 'not published: it could not be read to remove its metadata',
};

export function renderAttachments(
  attachments: AttachmentInfo[],
  media: Map<string, SiteMedia>,
  href: (sitePath: string) => string,
  photoAlt = 'Photo',
  thumbnail: (hash: string) => Thumbnail | null | undefined = () => undefined,
  players = false,
): string {
  let out = '';
  const shown: AttachmentInfo[] = [];
  for (const a of attachments) {
    if (shown.some((b) => sameFile(a, b))) continue;
    shown.push(a);
    const stored = a.hash ? media.get(a.hash) : undefined;
    const label = text(a.name || stored?.name || 'file');
    if (stored?.withheld) {
      out += `<span class="cc-file cc-missing">${label}</span> <span class="cc-size">${formatSize(stored.size)}</span> <span class="cc-note">${WITHHELD_NOTE[stored.withheld]}</span>`;
      continue;
    }
    if (stored) {
      const link = text(href(sitePaths.media(stored.hash, stored.safeName)));
      const thumb = isPhoto(a, stored) ? thumbnail(stored.hash) : null;
      if (thumb) {
        const src = text(href(sitePaths.thumbnail(stored.hash)));
        out += `<a class="cc-image" href="${link}"><img src="${src}" width="${thumb.width}" height="${thumb.height}" loading="lazy" alt="${text(photoAlt)}"></a>`;
      } else if (thumb === undefined) {
        out += `<a class="cc-image" href="${link}"><img src="${link}" loading="lazy" alt="${text(photoAlt)}"></a>`;
      } else {
        const download = `<a class="cc-file" href="${link}" download>${label}</a> <span class="cc-size">${formatSize(stored.size)}</span>`;
        const player = players ? playerOf(stored.safeName) : null;
        // `preload="metadata"`: a page of voice notes loads their lengths, not their bytes.
        out += player
          ? `<div class="cc-player"><${player.element} controls preload="metadata"><source src="${link}" type="${player.type}"></${player.element}><span>${download}</span></div>`
          : download;
      }
      continue;
    }
    const size = a.size !== null ? ` <span class="cc-size">${formatSize(a.size)}</span>` : '';
    out += `<span class="cc-file cc-missing">${label}</span>${size} <span class="cc-note">not included in the export</span>`;
  }
  return out ? `<div class="cc-attachments">${out}</div>` : '';
}

/**
 * The Skype converter's own line for a file (collector/markup/skype/lines.ts fileLine: "📎 name (size)")
 * repeats what the attachment list shows: dropped from the body when the list is shown.
 */
const FILE_LINE = /(?:<br>)?<span class="cc-file">📎 [^<]*<\/span>/g;

export function withoutFileLines(html: string): string {
  return html.indexOf('cc-file') < 0 ? html : html.replace(FILE_LINE, '');
}
