import type { AuthorMode } from '../options.js';

/**
 * File names for published media: `/media/<sha256>/<name>`. The name comes from an export and may
 * be hostile (`../../etc/passwd`, `CON.txt`, `a\u202Egnp.exe`), so it is reduced to one safe path
 * segment on Linux, macOS and Windows that keeps the extension. Extensions a browser or web server
 * would treat as active content in the site's origin (HTML, SVG, XML, scripts) get `.bin` added so
 * the file downloads instead of running.
 */
const MAX_NAME = 120;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
const ACTIVE_EXTENSIONS = new Set([
  'htm', 'html', 'xhtml', 'xht', 'shtml', 'shtm', 'mht', 'mhtml', 'svg', 'svgz', 'xml', 'xsl', 'xslt',
  'js', 'mjs', 'cjs', 'wasm', 'php', 'phtml', 'asp', 'aspx', 'jsp', 'cgi', 'pl', 'py', 'swf', 'hta',
  'appcache', 'manifest', 'webmanifest', 'htaccess', 'rdf', 'vtt',
]);

export function safeMediaName(raw: string | null | undefined): string {
  const { base, suffix } = safeMediaParts(raw);
  return base + suffix;
}

/** The safe name's stem and its extension with the dot ('' for none). */
function safeMediaParts(raw: string | null | undefined): { base: string; suffix: string } {
  let name = String(raw ?? '')
    .normalize('NFC')
    // Controls, bidi overrides/isolates (they disguise extensions), zero-width characters.
    .replace(/[\0-\x1F\x7F-\x9F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    // Path separators and characters Windows forbids or URLs treat specially.
    .replace(/[/\\:*?"<>|#%&;+`$'{}\[\]^~=]/g, '_')
    .replace(/\s+/g, ' ');
  // No "..", no leading or trailing dots and spaces (Windows strips them; Unix hides dot files).
  name = name.replace(/\.{2,}/g, '.').replace(/^[.\s_]+|[.\s]+$/g, '');
  let dot = name.lastIndexOf('.');
  let base = dot > 0 ? name.slice(0, dot) : name;
  let ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (!/^[a-z0-9]{1,10}$/.test(ext)) {
    base = name;
    ext = '';
  }
  if (!base) base = 'file';
  const stem = base.split('.')[0];
  if (WINDOWS_RESERVED.test(stem.trim())) base = `_${base}`;
  if (ACTIVE_EXTENSIONS.has(ext)) ext = `${ext}.bin`;
  const suffix = ext ? `.${ext}` : '';
  base = truncate(base, MAX_NAME - suffix.length).replace(/[.\s]+$/, '') || 'file';
  return { base, suffix };
}

/**
 * The file name media are published under (`/media/<sha256>/<name>`). With authors hidden or
 * pseudonymized it is `file` and the safe extension: names of shared files often carry people's
 * names or account ids (`alice_birthday.jpg`, a Slack user id), and a URL travels further than
 * the page it is on. The hash keeps the path unique.
 */
export function publicMediaName(raw: string | null | undefined, mode: AuthorMode): string {
  return mode === 'show' ? safeMediaName(raw) : `file${safeMediaParts(raw).suffix}`;
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}

/** Raster image types shown inline with `<img>`; anything else is a download link. */
const INLINE_IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);
const INLINE_IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp|avif|bmp)$/i;

export function isInlineImage(type: string | null | undefined, safeName: string): boolean {
  if (type) return INLINE_IMAGE_TYPES.has(type.toLowerCase().split(';')[0].trim());
  return INLINE_IMAGE_EXTENSIONS.test(safeName);
}

/** Media hashes become a path segment: accept only what a hex digest looks like. */
export const MEDIA_HASH = /^[0-9a-f]{8,128}$/;
