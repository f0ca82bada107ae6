import { escapeHtml, linkifyLines } from '../html.js';
import { isSpace } from './parse.js';

/** The HTML and text a body renders to, written block by block. */

export interface Flow {
  inLink: boolean;
  inPre: boolean;
}
export const TOP_FLOW: Flow = { inLink: false, inPre: false };

/**
 * HTML and text being written. `pending` remembers that a block (a quote, a call line, a file…)
 * was just written, so that what follows starts on a new line, and a line break right after the
 * block is not doubled.
 */
export class Output {
  html = '';
  text = '';
  pending: 'none' | 'line' | 'block' = 'none';
}

export function flush(out: Output): void {
  if (out.pending === 'line') out.html += '<br>';
  if (out.pending !== 'none') out.text += '\n';
  out.pending = 'none';
}

/** Writes a one-line structure (call, file, event…) as `<span class="cc-…">` on its own line. */
export function writeLine(out: Output, className: string, line: string): void {
  if (out.pending === 'none' && out.text !== '' && !out.text.endsWith('\n')) {
    out.html += '<br>';
    out.text += '\n';
  } else {
    flush(out);
  }
  out.html += `<span class="${className}">${escapeHtml(line)}</span>`;
  out.text += line;
  out.pending = 'line';
}

const LEADING_BREAK = /^[ \t]*(?:\r\n?|\n)/;
const BLANK = /^\s*$/;

export function writeText(out: Output, text: string, flow: Flow): void {
  if (out.pending !== 'none') {
    // White space between blocks is layout, not content; so is a line break right after one.
    if (BLANK.test(text)) return;
    text = text.replace(LEADING_BREAK, '');
    flush(out);
  }
  out.text += text;
  if (flow.inPre) out.html += escapeHtml(text);
  else if (flow.inLink) out.html += escapeHtml(text).replace(/\r\n?|\n/g, '<br>');
  else out.html += linkifyLines(text); // the body was cleaned before parsing; decoding adds nothing invalid
}

export function writeList(out: Output, items: string[]): void {
  if (!items.length) return;
  // A list is a block of its own: it needs a new line in the text, never a <br> before it.
  if (out.text !== '' && !out.text.endsWith('\n')) out.text += '\n';
  out.pending = 'none';
  out.html += `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  out.text += items.map((item) => `• ${item}`).join('\n');
  out.pending = 'block';
}

/** Drops leading and trailing line breaks and white space (`<br>` is only ever our own tag: text is escaped). */
export function trimBreaks(html: string): string {
  let start = 0;
  let end = html.length;
  for (;;) {
    if (start < end && isSpace(html.charCodeAt(start))) start++;
    else if (html.startsWith('<br>', start) && start + 4 <= end) start += 4;
    else break;
  }
  for (;;) {
    if (end > start && isSpace(html.charCodeAt(end - 1))) end--;
    else if (end - 4 >= start && html.startsWith('<br>', end - 4)) end -= 4;
    else break;
  }
  return start === 0 && end === html.length ? html : html.slice(start, end);
}
