/** Escaping shared by every markup converter. */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * Characters that are invalid in XML 1.0 (and so in feeds) or invisible troublemakers in HTML:
 * C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
 */
const INVALID_XML = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function stripInvalidXml(text: string): string {
  return text.replace(INVALID_XML, '');
}

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}]/g;

/** Escapes plain text and turns bare http(s) URLs into links. */
export function textToHtml(text: string): string {
  const clean = stripInvalidXml(text);
  let out = '';
  let last = 0;
  for (const match of clean.matchAll(URL_IN_TEXT)) {
    const url = match[0];
    out += escapeHtml(clean.slice(last, match.index)) + `<a href="${escapeHtml(url)}" rel="nofollow noopener">${escapeHtml(url)}</a>`;
    last = match.index! + url.length;
  }
  return out + escapeHtml(clean.slice(last));
}
