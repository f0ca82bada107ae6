import { escapeHtml, stripInvalidXml } from '../html.js';

/** The converter's output and the readers of an envelope's untrusted fields. */

/** Parts, answers, reactions or names drawn at most from one envelope (real messages have few). */
export const MAX_PARTS = 2000;
export const MAX_ITEMS = 100;

/** HTML and text written side by side; `line()` starts a new line unless after a block. */
export class Output {
  html = '';
  text = '';

  /** Plain text: escaped, line breaks kept. */
  plain(s: string): void {
    if (!s) return;
    this.text += s;
    // A block element already ends its line: the newline that follows it in the text is not a blank line.
    if (endsWithBlock(this.html)) s = s.replace(/^\r?\n/, '');
    const escaped = escapeHtml(s);
    this.html += escaped.indexOf('\n') === -1 && escaped.indexOf('\r') === -1 ? escaped : escaped.replace(/\r\n?|\n/g, '<br>');
  }

  /** A block element (pre, blockquote, list): on a line of its own, without a blank line before it. */
  block(html: string, text: string): void {
    if (this.html.endsWith('<br>')) this.html = this.html.slice(0, -4);
    this.html += html;
    this.text += `${this.text && !this.text.endsWith('\n') ? '\n' : ''}${text}\n`;
  }

  raw(html: string, text: string): void {
    this.html += html;
    this.text += text;
  }

  /** Begins a new line of its own: a `<br>` unless at the start or right after a block element. */
  line(): void {
    if (this.html && !endsWithBlock(this.html) && !this.html.endsWith('<br>')) this.html += '<br>';
    if (this.text && !this.text.endsWith('\n')) this.text += '\n';
  }
}

export function endsWithBlock(html: string): boolean {
  return /<\/(?:pre|blockquote|ul|ol|p)>$/.test(html);
}

export function link(href: string, labelHtml: string): string {
  return `<a href="${escapeHtml(href)}" rel="nofollow noopener">${labelHtml}</a>`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field, made safe for XML; '' for anything else. */
export function str(v: unknown): string {
  return typeof v === 'string' ? stripInvalidXml(v) : '';
}

/**
 * Message text made safe for XML. Vertical tab and form feed (Telegram Desktop writes them as
 * `\x0B`, `\x0C`) separate lines: they become line breaks instead of vanishing.
 */
export function clean(s: string): string {
  return stripInvalidXml(s.indexOf('\v') === -1 && s.indexOf('\f') === -1 ? s : s.replace(/[\v\f]/g, '\n'));
}

/** A count: a whole number ≥ 0, or a string of digits; else null. */
export function count(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

