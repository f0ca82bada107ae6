/** Escaping, entity decoding and link helpers shared by every markup converter. */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const NEEDS_ESCAPE = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most chat text has nothing to escape: skip the replace (and its allocation) then.
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"']/g, (c) => ESCAPES[c]) : text;
}

/**
 * Characters that are invalid in XML 1.0 (and so in feeds) or invisible troublemakers in HTML:
 * C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
 */
const INVALID_XML = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function stripInvalidXml(text: string): string {
  return text.replace(INVALID_XML, '');
}

/** True when a code point may appear in XML 1.0 text (and so in our HTML, text and feeds). */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * The named entities chat markup actually uses: XML's five plus the HTML ones that turn up in
 * Skype, Slack and Teams bodies. An unknown name is left as it is (`&foo;` stays text).
 */
const NAMED_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"'], ['apos', "'"],
  ['nbsp', '\u00a0'], ['shy', '\u00ad'], ['copy', '©'], ['reg', '®'], ['trade', '™'],
  ['hellip', '…'], ['mdash', '—'], ['ndash', '–'], ['laquo', '«'], ['raquo', '»'],
  ['lsquo', '‘'], ['rsquo', '’'], ['ldquo', '“'], ['rdquo', '”'], ['bull', '•'],
  ['middot', '·'], ['euro', '€'], ['pound', '£'], ['yen', '¥'], ['cent', '¢'], ['deg', '°'],
  ['times', '×'], ['divide', '÷'], ['para', '¶'], ['sect', '§'], ['plusmn', '±'],
  ['zwj', '\u200d'], ['zwnj', '\u200c'], ['ensp', '\u2002'], ['emsp', '\u2003'], ['thinsp', '\u2009'],
]);
const ENTITY = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}));/g;

/**
 * Decodes character references (`&lt;`, `&#39;`, `&#x1F600;`, the names above). References to
 * characters XML cannot carry (NUL, other C0 controls, surrogates, beyond U+10FFFF) decode to
 * nothing, so decoding can never smuggle a control character into HTML, text or a feed.
 */
export function decodeEntities(text: string): string {
  if (text.indexOf('&') === -1) return text;
  return text.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES.get(name) ?? whole;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return isXmlChar(cp) ? String.fromCodePoint(cp) : '';
  });
}

// Browsers drop tab/LF/CR anywhere in a URL and trim C0 controls and spaces around it, so
// `jav&#x09;ascript:` and ` javascript:` are javascript: URLs. Normalize the same way first.
const URL_IGNORED = /[\t\n\r]/g;
const URL_TRIM = /^[\0-\x20]+|[\0-\x20]+$/g;
const SAFE_SCHEME = /^(?:https?:\/\/[^\0-\x20]|mailto:[^\0-\x20])/i;
const URL_CONTROL = /[\0-\x1F\x7F]/;

/**
 * The URL to put in an href, or null when it is not an http(s) or mailto URL. Takes the decoded
 * attribute value; the result still needs escapeHtml() inside an attribute.
 */
export function safeHref(url: string): string | null {
  const clean = url.replace(URL_IGNORED, '').replace(URL_TRIM, '');
  if (!SAFE_SCHEME.test(clean) || URL_CONTROL.test(clean)) return null;
  return clean;
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}]/g;

/** Escapes plain text and turns bare http(s) URLs into links. */
export function textToHtml(text: string): string {
  const clean = stripInvalidXml(text);
  // URL_IN_TEXT needs a lower-case "http": without one, skip the regex scan.
  if (clean.indexOf('http') === -1) return escapeHtml(clean);
  let out = '';
  let last = 0;
  for (const match of clean.matchAll(URL_IN_TEXT)) {
    const url = match[0];
    out += escapeHtml(clean.slice(last, match.index)) + `<a href="${escapeHtml(url)}" rel="nofollow noopener">${escapeHtml(url)}</a>`;
    last = match.index! + url.length;
  }
  return out + escapeHtml(clean.slice(last));
}

const LINE_BREAK = /\r\n?|\n/g;

/** textToHtml() that also turns line breaks (LF, CRLF, CR) into `<br>`. */
export function linesToHtml(text: string): string {
  const html = textToHtml(text);
  return html.indexOf('\n') === -1 && html.indexOf('\r') === -1 ? html : html.replace(LINE_BREAK, '<br>');
}
