import { isInlineImage, MEDIA_HASH } from '../data/media-name.js';
import type { MediaRow } from '../data/reader.js';
import type { AuthorMode } from '../options.js';
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

/**
 * Attachments as HTML. `href` turns a site path into a link from the current document (relative
 * on pages, absolute in feeds). Images the export contained are shown inline; other files are
 * download links with their size; files only known by URL link there when it is http(s) and
 * authors are shown.
 */
export function renderAttachments(
  attachments: AttachmentInfo[],
  media: Map<string, MediaRow & { safeName: string }>,
  href: (sitePath: string) => string,
  mode: AuthorMode,
): string {
  let out = '';
  for (const a of attachments) {
    const stored = a.hash ? media.get(a.hash) : undefined;
    const label = text(a.name || stored?.name || 'file');
    if (stored) {
      const link = text(href(sitePaths.media(stored.hash, stored.safeName)));
      if (isInlineImage(stored.type ?? a.type, stored.safeName)) {
        out += `<a class="cc-image" href="${link}"><img src="${link}" loading="lazy" alt="${label}"></a>`;
      } else {
        out += `<a class="cc-file" href="${link}" download>${label}</a> <span class="cc-size">${formatSize(stored.size)}</span>`;
      }
      continue;
    }
    const size = a.size !== null ? ` <span class="cc-size">${formatSize(a.size)}</span>` : '';
    // A file's URL at the chat service names accounts and workspaces (Slack's `files/<user id>/`,
    // `files-pri/<team>-…`), and is behind a login anyway: linked only with authors shown.
    const url = mode === 'show' ? safeHttpUrl(a.url) : null;
    out += url
      ? `<a class="cc-file" href="${text(url)}" rel="nofollow noopener noreferrer">${label}</a>${size}`
      : `<span class="cc-file">${label}</span>${size}`;
  }
  return out ? `<div class="cc-attachments">${out}</div>` : '';
}
