import { escapeHtml, linkifyLines, stripInvalidXml } from '../html.js';
import type { Names } from './envelope.js';
import { findFence } from './fence.js';
import { Inline } from './inline.js';
import type { Output } from './output.js';

/** Markdown: fenced blocks are cut out first, the text between them read line by line for the block rules. */

/** Any character a markdown rule could start with, or a line a block rule could apply to. */
const NEEDS_PARSER = /[*_~|`<[\\@]|(?:^|\n)[ \t]*(?:[#>]|-[#\s])/;

export function markdown(source: string, names: Names, out: Output): void {
  const s = stripInvalidXml(source);
  if (s === '') return;
  out.line();
  if (!NEEDS_PARSER.test(s)) {
    // The same linking and line breaks as the scanner's, without it.
    out.html += linkifyLines(s);
    out.addText(s);
    return;
  }
  const scan = new Inline(s, names, out);
  let pos = 0;
  let afterFence = false;
  for (;;) {
    const fence = findFence(s, pos, s.length);
    let a = pos;
    let b = fence ? fence.start : s.length;
    // The line break before and after a block is the block's own edge, not an empty line.
    if (afterFence && s.charCodeAt(a) === 10) a++;
    if (fence && b > a && s.charCodeAt(b - 1) === 10) b--;
    if (b > a) blocks(scan, a, b, true);
    if (!fence) break;
    out.html += `<pre><code>${escapeHtml(fence.code)}</code></pre>`;
    out.line();
    out.addText(fence.code);
    pos = fence.end;
    afterFence = true;
  }
}

const HEADING = /(#{1,3}) +(?=\S)/y;
const SUBTEXT = /-# +(?=\S)/y;
const LIST_ITEM = /[ \t]*[-*] +(?=\S)/y;
const HEADING_CLASS = ['', 'cc-heading-large', 'cc-heading-medium', 'cc-heading-small'];

/** Block rules over the lines of s[a, b): quotes (when allowed), headings, subtext, lists. */
function blocks(scan: Inline, a: number, b: number, allowQuote: boolean): void {
  const s = scan.s;
  const out = scan.out;
  let paraStart = -1;
  let paraEnd = -1;
  const flushParagraph = (): void => {
    // A lone empty line (the end of `> quote\n`) is no paragraph.
    if (paraStart !== -1 && paraEnd > paraStart) {
      out.line();
      scan.run(paraStart, paraEnd, 0, false);
    }
    paraStart = -1;
  };
  let lineStart = a;
  while (lineStart <= b) {
    let lineEnd = s.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > b) lineEnd = b;
    const next = lineEnd + 1;
    // An empty line has no first character (s[lineStart] may be past the range).
    const c = lineStart < lineEnd ? s.charCodeAt(lineStart) : -1;

    if (allowQuote && c === 0x3e && lineStart + 4 <= lineEnd && s.startsWith('>>> ', lineStart)) {
      // `>>> `: everything after it is one quote.
      flushParagraph();
      quote(scan, s.slice(lineStart + 4, b));
      return;
    }
    if (allowQuote && c === 0x3e && lineStart + 2 <= lineEnd && s.startsWith('> ', lineStart)) {
      flushParagraph();
      const lines: string[] = [];
      let at = lineStart;
      while (at + 2 <= b && s.startsWith('> ', at)) {
        let end = s.indexOf('\n', at);
        if (end === -1 || end > b) end = b;
        lines.push(s.slice(at + 2, end));
        at = end + 1;
      }
      quote(scan, lines.join('\n'));
      lineStart = at;
      continue;
    }
    let matched = false;
    if (c === 0x23) {
      HEADING.lastIndex = lineStart;
      const m = HEADING.exec(s);
      if (m && HEADING.lastIndex < lineEnd) {
        flushParagraph();
        out.line();
        out.html += `<p><span class="${HEADING_CLASS[m[1].length]}"><strong>`;
        scan.run(HEADING.lastIndex, lineEnd, 0, false);
        out.html += '</strong></span></p>';
        matched = true;
      }
    } else if (c === 0x2d && s.charCodeAt(lineStart + 1) === 0x23) {
      SUBTEXT.lastIndex = lineStart;
      if (SUBTEXT.test(s) && SUBTEXT.lastIndex < lineEnd) {
        flushParagraph();
        out.line();
        out.html += '<p><span class="cc-subtext">';
        scan.run(SUBTEXT.lastIndex, lineEnd, 0, false);
        out.html += '</span></p>';
        matched = true;
      }
    }
    if (!matched && (c === 0x2d || c === 0x2a || c === 0x20 || c === 0x09)) {
      LIST_ITEM.lastIndex = lineStart;
      if (LIST_ITEM.test(s) && LIST_ITEM.lastIndex < lineEnd) {
        flushParagraph();
        out.html += '<ul>';
        let at = lineStart;
        for (;;) {
          let end = s.indexOf('\n', at);
          if (end === -1 || end > b) end = b;
          LIST_ITEM.lastIndex = at;
          if (at >= b || !LIST_ITEM.test(s) || LIST_ITEM.lastIndex >= end) break;
          out.line();
          out.html += '<li>';
          scan.run(LIST_ITEM.lastIndex, end, 0, false);
          out.html += '</li>';
          at = end + 1;
        }
        out.html += '</ul>';
        lineStart = at;
        continue;
      }
    }
    if (!matched) {
      if (paraStart === -1) paraStart = lineStart;
      paraEnd = lineEnd;
    }
    if (lineEnd >= b) break;
    lineStart = next;
  }
  flushParagraph();
}

/** A quote's lines, without their markers: the block rules again, but no quote in a quote. */
function quote(scan: Inline, inner: string): void {
  const out = scan.out;
  out.line();
  out.html += '<blockquote class="cc-quote">';
  if (inner !== '') {
    const nested = new Inline(inner, scan.names, out);
    let pos = 0;
    for (;;) {
      const fence = findFence(inner, pos, inner.length);
      let b = fence ? fence.start : inner.length;
      if (fence && b > pos && inner.charCodeAt(b - 1) === 10) b--;
      if (b > pos) blocks(nested, pos, b, false);
      if (!fence) break;
      out.html += `<pre><code>${escapeHtml(fence.code)}</code></pre>`;
      out.line();
      out.addText(fence.code);
      pos = fence.end < inner.length && inner.charCodeAt(fence.end) === 10 ? fence.end + 1 : fence.end;
    }
  }
  out.html += '</blockquote>';
}
