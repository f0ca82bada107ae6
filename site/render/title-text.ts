/**
 * One line of plain text from a message's sanitized HTML, for feed entry titles: the message's
 * own words. Quotes (`<blockquote class="cc-quote">`, which every format's converter makes for
 * a quoted message or `>` lines) are left out, unless the message is nothing but a quote, and
 * struck-through text (`<s>`, `<del>`) keeps its strike as U+0336 COMBINING LONG STROKE OVERLAY
 * after each character: feed titles are plain text, and "gone kept" would say the opposite.
 *
 * The HTML went through the sanitizer at import (a fixed set of tags, quoted attributes), so
 * a tag scanner is enough here.
 */
const TAG = /<(\/?)([a-z0-9]+)([^>]*)>/gi;
const STRIKE = '\u0336';
const BREAKS = new Set(['br', 'p', 'li', 'pre', 'blockquote', 'ul', 'ol']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function titleText(html: string): string {
  const own = plain(html, true);
  return own.trim() ? own : plain(html, false);
}

function plain(html: string, skipQuotes: boolean): string {
  let out = '';
  let quoteDepth = 0;
  let struck = 0;
  let last = 0;
  const add = (chunk: string): void => {
    if (quoteDepth > 0 || chunk === '') return;
    const decoded = decode(chunk);
    out += struck > 0 ? strike(decoded) : decoded;
  };
  for (const match of html.matchAll(TAG)) {
    add(html.slice(last, match.index));
    last = match.index + match[0].length;
    const closing = match[1] === '/';
    const name = match[2].toLowerCase();
    if (name === 'blockquote' && skipQuotes) {
      // Nested blockquotes count whatever their class: a quote's inner blockquote closes first.
      if (closing) {
        if (quoteDepth > 0) quoteDepth--;
      } else if (quoteDepth > 0 || /class="cc-quote"/.test(match[3])) {
        quoteDepth++;
      }
    } else if (name === 's' || name === 'del') {
      struck = Math.max(0, struck + (closing ? -1 : 1));
    }
    if (BREAKS.has(name) && quoteDepth === 0) out += ' ';
  }
  add(html.slice(last));
  return out;
}

function strike(text: string): string {
  let out = '';
  for (const ch of text) out += /\s/.test(ch) ? ch : ch + STRIKE;
  return out;
}

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return ENTITIES[body.toLowerCase()] ?? entity;
  });
}
