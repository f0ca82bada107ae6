import type { AuthorMode } from '../options.js';

/**
 * File names for published media: `/media/<sha256>/<name>`. The name comes from an export and may
 * be hostile (`../../etc/passwd`, `CON.txt`, `a\u202Egnp.exe`), so it is reduced to one safe path
 * segment on Linux, macOS and Windows. Its last extension is always one of an allow-list of inert
 * types (PUBLISHED_MEDIA_TYPES): anything else, HTML, SVG, scripts, server-side code, dot files,
 * no extension at all, gets one added (`page.html.bin`, `README.bin`), so that neither a browser
 * in the site's origin nor a host guessing types from names treats the file as something to run.
 * Names that already end in an allow-listed extension keep their name.
 */
const MAX_NAME = 120;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

/**
 * The extensions a published media name may end in, and the type the site serves each with. An
 * allow-list: each type is one a browser opening it in the site's origin runs no script with
 * (no HTML, SVG, XML, JavaScript), and each extension is one common servers (Apache's and nginx's
 * tables, the `mime` package Eleventy's dev server uses) map to that kind of type, so a static
 * host that guesses types from names sends a harmless one. Anything else gets `.bin` added.
 */
export const PUBLISHED_MEDIA_TYPES: Readonly<Record<string, string>> = {
  // images
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif',
  bmp: 'image/bmp', ico: 'image/vnd.microsoft.icon', tif: 'image/tiff', tiff: 'image/tiff', heic: 'image/heic', heif: 'image/heif',
  // audio
  mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg',
  wav: 'audio/wav', flac: 'audio/flac', amr: 'audio/amr', mid: 'audio/midi',
  // video
  mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm', mkv: 'video/x-matroska',
  '3gp': 'video/3gpp', avi: 'video/x-msvideo', mpg: 'video/mpeg', mpeg: 'video/mpeg', wmv: 'video/x-ms-wmv',
  // documents
  pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', md: 'text/markdown', vcf: 'text/vcard', json: 'application/json',
  rtf: 'application/rtf', epub: 'application/epub+zip',
  doc: 'application/msword', xls: 'application/vnd.ms-excel', ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text', ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
  // archives, and the catch-all
  zip: 'application/zip', '7z': 'application/x-7z-compressed', rar: 'application/vnd.rar', gz: 'application/gzip',
  tar: 'application/x-tar', xz: 'application/x-xz', bin: 'application/octet-stream',
};

/** The inert extension for a media type, when the allow-list has one (the first listed for it). */
const EXTENSION_OF_TYPE = new Map<string, string>();
for (const [ext, type] of Object.entries(PUBLISHED_MEDIA_TYPES)) if (!EXTENSION_OF_TYPE.has(type)) EXTENSION_OF_TYPE.set(type, ext);

/**
 * Extensions servers execute, or treat as configuration, wherever they stand in a name: Apache's
 * AddHandler runs `shell.php.jpg` as PHP. A dot before one of these inside a published name
 * becomes `_`. (The last extension is decided by the allow-list above; this list only guards the
 * inner ones, where changing every unknown segment would rename ordinary names like
 * `notes.v2.pdf`.)
 */
export const SERVER_EXECUTABLE =
  /^(php\d*|pht(ml)?|phar|phps|inc|cgi|fcgi|pl|pm|py|pyc|rb|sh|bash|asp|aspx|asa|asax|ascx|ashx|asmx|axd|cshtml|vbhtml|jsp|jspx|jsw|jsv|jspf|cfm|cfml|cfc|shtml?|stm|ssi|var|asis|lasso|htaccess|htpasswd|ini|config)$/i;

/** The type the site serves a published media file with: by its (allow-listed) last extension. */
export function publishedMediaType(safeName: string): string {
  const dot = safeName.lastIndexOf('.');
  const ext = dot < 0 ? '' : safeName.slice(dot + 1).toLowerCase();
  return Object.hasOwn(PUBLISHED_MEDIA_TYPES, ext) ? PUBLISHED_MEDIA_TYPES[ext] : 'application/octet-stream';
}

export function safeMediaName(raw: string | null | undefined, type?: string | null): string {
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
  const dot = name.lastIndexOf('.');
  let base = dot > 0 ? name.slice(0, dot) : name;
  let ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (!/^[a-z0-9]{1,10}$/.test(ext)) {
    base = name;
    ext = '';
  }
  if (!base) base = 'file';
  const stem = base.split('.')[0];
  if (WINDOWS_RESERVED.test(stem.trim())) base = `_${base}`;
  // Not on the allow-list (unknown, active, or none): the whole name keeps its extension as text
  // and gets an inert one, its type's when the allow-list has it, else `.bin`.
  if (!Object.hasOwn(PUBLISHED_MEDIA_TYPES, ext)) {
    if (ext) base = `${base}.${ext}`;
    ext = EXTENSION_OF_TYPE.get(String(type ?? '').toLowerCase().split(';')[0].trim()) ?? 'bin';
  }
  const suffix = `.${ext}`;
  base = truncate(base, MAX_NAME - suffix.length).replace(/[.\s]+$/, '') || 'file';
  // After truncating: a cut may leave an executable extension at the end of the base.
  base = base.replace(/\.([^.]*)(?=\.|$)/g, (whole, segment: string) => (SERVER_EXECUTABLE.test(segment) ? `_${segment}` : whole));
  return base + suffix;
}

/**
 * The file name media are published under (`/media/<sha256>/<name>`). With authors hidden or
 * pseudonymized it is `file` and the safe name's extension: names of shared files often carry
 * people's names or account ids (`alice_birthday.jpg`, a Slack user id), and a URL travels further
 * than the page it is on. The hash keeps the path unique.
 */
export function publicMediaName(raw: string | null | undefined, type: string | null | undefined, mode: AuthorMode): string {
  const safe = safeMediaName(raw, type);
  if (mode === 'show') return safe;
  const dot = safe.lastIndexOf('.');
  return `file${dot < 0 ? '.bin' : safe.slice(dot)}`;
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

/**
 * Types of the allow-list that browsers play in `<video>` / `<audio>` (Chromium, Firefox and
 * Safari alike, by type or by sniffing the container); other media (AMR, MIDI, AVI, WMV, 3GP…) stay
 * download links, where a player would only show an error.
 */
const PLAYED_TYPES: Readonly<Record<string, 'video' | 'audio'>> = {
  'video/mp4': 'video', 'video/webm': 'video', 'video/quicktime': 'video',
  'audio/mpeg': 'audio', 'audio/mp4': 'audio', 'audio/aac': 'audio', 'audio/ogg': 'audio', 'audio/wav': 'audio', 'audio/flac': 'audio',
};

/** The player a published media file gets, by the type it is served with; null: a download link only. */
export function playerOf(safeName: string): { element: 'video' | 'audio'; type: string } | null {
  const type = publishedMediaType(safeName);
  return Object.hasOwn(PLAYED_TYPES, type) ? { element: PLAYED_TYPES[type], type } : null;
}

/** Media hashes become a path segment: accept only what a hex digest looks like. */
export const MEDIA_HASH = /^[0-9a-f]{8,128}$/;
