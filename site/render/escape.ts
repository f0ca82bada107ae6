import { balanceBidi } from '../../collector/store/contract.js';

/**
 * Escaping for HTML and XML built by string concatenation. Every string from the database that is
 * not messages.html (already sanitized at import) goes through `text()` before it reaches a page:
 * titles, names, native ids, file names, in element text and in quoted attribute values alike.
 */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HTML_SPECIAL = /[&<>"']/g;
const HTML_SPECIAL_TEST = /[&<>"']/;

export function escapeHtml(value: string): string {
  return HTML_SPECIAL_TEST.test(value) ? value.replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c]) : value;
}

/**
 * Characters that are invalid in XML 1.0 (feeds) and useless in HTML: C0 controls but tab, LF and
 * CR, DEL and C1 controls, lone surrogates, U+FFFE/U+FFFF. The `feed` package passes them through
 * unfiltered (docs/architecture.md, "Stack facts"), which would make a feed malformed.
 */
const INVALID_CHARS =
  /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const INVALID_TEST =
  /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function stripInvalidChars(value: string): string {
  return INVALID_TEST.test(value) ? value.replace(INVALID_CHARS, '') : value;
}

/** Plain text from the database, ready for HTML text or a double-quoted attribute. */
export function text(value: string | null | undefined): string {
  return value ? escapeHtml(stripInvalidChars(value)) : '';
}

/**
 * A name or title inline among other text, for HTML: in <bdi>, so that its direction cannot spill
 * onto what follows, and with no unpaired bidi control (collector/markup/bidi.ts).
 */
export function bdi(value: string | null | undefined): string {
  return `<bdi>${text(balanceBidi(value ?? ''))}</bdi>`;
}

/** One line of at most `max` characters (whitespace collapsed), for titles and previews. */
export function snippet(value: string, max: number): string {
  const line = stripInvalidChars(value).replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  let cut = line.slice(0, max - 1);
  // Never cut a surrogate pair in half.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}
