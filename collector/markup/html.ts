/** Escaping, entity decoding and link helpers shared by every markup converter. */
const NEEDS_ESCAPE = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most chat text has nothing to escape. A hand-written scan beats replace() with a callback
  // by ~10× here, and escaping runs for every message of an import.
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 38: entity = '&amp;'; break;
      case 60: entity = '&lt;'; break;
      case 62: entity = '&gt;'; break;
      case 34: entity = '&quot;'; break;
      case 39: entity = '&#39;'; break;
      default: continue;
    }
    if (i > last) out += text.slice(last, i);
    out += entity;
    last = i + 1;
  }
  return last < text.length ? out + text.slice(last) : out;
}

/**
 * Characters that are invalid in XML 1.0 (and so in feeds) or invisible troublemakers in HTML:
 * C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
 */
const INVALID_XML = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Cheap pre-checks for INVALID_XML: emoji (surrogate pairs) are common in chat, lone surrogates
// and control characters are not, and a test() is much cheaper than a replace(). Most text has
// neither a control character nor a surrogate: one test of both clears it (it runs several times
// per message of an import, on the body and on what its converter made of it).
const SUSPECT = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;
const CONTROL_CHAR = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text has a character stripInvalidXml() would remove. */
export function hasInvalidXml(text: string): boolean {
  return SUSPECT.test(text) && (CONTROL_CHAR.test(text) || LONE_SURROGATE.test(text));
}

export function stripInvalidXml(text: string): string {
  return hasInvalidXml(text) ? text.replace(INVALID_XML, '') : text;
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

/**
 * Decodes character references (`&lt;`, `&#39;`, `&#x1F600;`, the names above). References to
 * characters XML cannot carry (NUL, other C0 controls, surrogates, beyond U+10FFFF) decode to
 * nothing, so decoding can never smuggle a control character into HTML, text or a feed.
 */
export function decodeEntities(text: string): string {
  let amp = text.indexOf('&');
  if (amp === -1) return text;
  let out = '';
  let last = 0;
  const n = text.length;
  let semi = -1; // the next ';' after amp: found once per ';', so `&&&…&;` stays linear
  while (amp !== -1) {
    if (semi < amp + 2) {
      semi = text.indexOf(';', amp + 2);
      if (semi === -1) break;
    }
    let decoded: string | undefined;
    if (semi - amp <= 33) {
      if (text.charCodeAt(amp + 1) === 35) {
        const hex = text.charCodeAt(amp + 2) === 120 || text.charCodeAt(amp + 2) === 88;
        const digits = text.slice(amp + (hex ? 3 : 2), semi);
        if (hex ? /^[0-9a-fA-F]{1,7}$/.test(digits) : /^\d{1,8}$/.test(digits)) {
          const cp = parseInt(digits, hex ? 16 : 10);
          decoded = isXmlChar(cp) ? String.fromCodePoint(cp) : '';
        }
      } else {
        decoded = NAMED_ENTITIES.get(text.slice(amp + 1, semi));
      }
    }
    if (decoded === undefined) {
      amp = text.indexOf('&', amp + 1);
      continue;
    }
    out += text.slice(last, amp) + decoded;
    last = semi + 1;
    amp = last < n ? text.indexOf('&', last) : -1;
  }
  return last === 0 ? text : out + text.slice(last);
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
  return linkify(stripInvalidXml(text));
}

/** textToHtml() for text known to be free of characters XML cannot carry (see stripInvalidXml). */
export function linkify(clean: string): string {
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
  return breakLines(textToHtml(text));
}

/** linesToHtml() for text known to be free of characters XML cannot carry. */
export function linkifyLines(clean: string): string {
  return breakLines(linkify(clean));
}

function breakLines(html: string): string {
  return html.indexOf('\n') === -1 && html.indexOf('\r') === -1 ? html : html.replace(LINE_BREAK, '<br>');
}
