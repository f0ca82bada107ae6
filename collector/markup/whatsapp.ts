/**
 * WhatsApp message text → safe HTML + plain text.
 *
 * WhatsApp's formatting: `*bold*`, `_italic_`, `~strike~` (markers at word boundaries, within a
 * line, never doubled: `__init__` is text), ```monospace``` (may span lines), `` `inline code` ``, and line starts `> ` (quote),
 * `* ` / `- ` (bullets), `1. ` (numbers). Links are bare URLs. The adapter
 * (collector/sources/whatsapp/) keeps the text as exported; here also: polls (`POLL:` /
 * `OPTION: … (n votes)`), media markers (`<attached: x.jpg>`, `x.jpg (file attached)`: the
 * attachment is shown by the site, so only a caption is left; `<Media omitted>` shown as a note, its
 * text the caption alone too),
 * deleted-message notices, and system lines (plain text, the people an English line names as person
 * references with the ids the adapter gives their authors: collector/store/person-refs.ts).
 *
 * How: "atoms" (fenced and inline code, URLs) are cut out first, so markers are looked for only
 * between them; lines are split outside atoms; a marker pairs with the nearest valid closer on its
 * line (found by binary search over precomputed closers, so hostile runs of `*` stay n log n).
 * Every tag is written here around escapeHtml()'d text and safeHref()'d links, and
 * ensureSafeFragment() checks the result.
 */
import { personText } from '../store/person-refs.js';
import { escapeHtml, linkifyLines, safeHref, stripInvalidXml } from './html.js';
import { ensureSafeFragment } from './sanitize.js';
import { mediaMarker, parsePoll, systemLinePeople, whatsappPersonId } from './whatsapp-grammar.js';
import type { MarkupConverter, RenderedBody } from './types.js';

export const whatsapp: MarkupConverter = (body, context) => {
  const clean = stripInvalidXml(body);
  if (context.deleted) return { html: `<span class="cc-deleted">${escapeHtml(clean)}</span>`, text: '' };
  if (context.kind === 'event' || context.kind === 'call') return systemLine(clean);
  if (context.kind === 'poll') {
    const poll = renderPoll(clean);
    if (poll) return poll;
  }
  if (context.kind === 'media' || context.kind === 'file' || context.kind === 'contact') {
    const marker = mediaMarker(clean);
    if (marker?.omitted) {
      // The note is shown, but the text is the caption alone, as for the same message exported with
      // its file: the store tells the two forms of one message apart by it (collector/store/merge.ts).
      const note = clean.split('\n', 1)[0].replace(/^[\u200E\u200F]+|[<>]/g, '').trim(); // "<Media omitted>" → "Media omitted"
      const caption = renderFormatted(marker.caption);
      return { html: `<i>${escapeHtml(note)}</i>${caption.html ? `<br>${caption.html}` : ''}`, text: caption.text };
    }
    // The site shows the file itself: only a caption remains.
    if (marker) return renderFormatted(marker.caption);
  }
  return renderFormatted(clean);
};

/** Formatted text (exported for tests). */
export function renderFormatted(text: string): RenderedBody {
  if (text === '') return { html: '', text: '' };
  // Most messages have no formatting at all: escaping and links are the whole job.
  if (!MAY_FORMAT.test(text)) return { html: linkLines(text), text };
  const out = new Output();
  writeText(text, out);
  return { html: ensureSafeFragment(out.html), text: out.text };
}

/** A system line: its text, the people it names as references. */
function systemLine(line: string): RenderedBody {
  let html = '';
  let text = '';
  let last = 0;
  for (const { start, end, name } of systemLinePeople(line)) {
    const ref = personText(whatsappPersonId(name), name);
    html += linkLines(line.slice(last, start)) + escapeHtml(ref);
    text += line.slice(last, start) + ref;
    last = end;
  }
  return { html: html + linkLines(line.slice(last)), text: text + line.slice(last) };
}

function renderPoll(body: string): RenderedBody | null {
  const poll = parsePoll(body);
  if (!poll) return null;
  const question = renderFormatted(poll.question);
  let html = `<p><b>${question.html}</b></p><ul>`;
  let text = question.text;
  for (const option of poll.options) {
    const votes = option.votes === null ? '' : `${option.votes} vote${option.votes === 1 ? '' : 's'}`;
    html += `<li>${escapeHtml(option.text).replace(/\n/g, '<br>')}${votes ? ` <span class="cc-votes">(${votes})</span>` : ''}</li>`;
    text += `\n${option.text}${votes ? ` (${votes})` : ''}`;
  }
  return { html: ensureSafeFragment(`${html}</ul>`), text };
}

/** Escaped text with line breaks and links, no formatting (system lines, unformatted messages). */
function linkLines(text: string): string {
  if (text.indexOf('http') === -1) return linkifyLines(text); // nothing to link: escaping only
  let html = '';
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    const link = linkHtml(m[0]);
    if (!link) continue;
    html += escapeHtml(text.slice(last, m.index)) + link;
    last = m.index! + m[0].length;
  }
  return (html + escapeHtml(text.slice(last))).replace(/\r?\n/g, '<br>');
}

/** A link to a URL found in text: only http(s) URLs a browser can parse (`https://a.org|b` is none). */
function linkHtml(url: string): string | null {
  const href = safeHref(url);
  return href && URL.canParse(href) ? `<a href="${escapeHtml(href)}" rel="nofollow noopener">${escapeHtml(url)}</a>` : null;
}

// ---------------------------------------------------------------------------------------------
// Atoms and lines

interface Atom {
  start: number;
  end: number;
  html: string;
  text: string;
}

class Output {
  html = '';
  text = '';
}

/** A marker character, or a line start that makes a quote or a list. */
const MAY_FORMAT = /[*_~`]|^(?:> |- |\d{1,3}\. )/m;
const FENCE = /```([\s\S]+?)```/g;
const INLINE_CODE = /`([^`\n]+)`/g;
// A URL ends before trailing punctuation and before formatting markers (`*see https://x.org*`).
const LINK = /\bhttps?:\/\/[^\s<>"'`]*[^\s<>"'`.,;:!?)\]}*_~]/g;

function findAtoms(text: string): Atom[] {
  const fences: Atom[] = [];
  const backtick = text.indexOf('`') !== -1;
  if (backtick && text.indexOf('```') !== -1) for (const m of text.matchAll(FENCE)) {
    const code = m[1];
    const html = code.includes('\n') ? `<pre>${escapeHtml(code)}</pre>` : `<code>${escapeHtml(code)}</code>`;
    fences.push({ start: m.index!, end: m.index! + m[0].length, html, text: code });
  }
  const spans: Atom[] = [];
  if (backtick) for (const m of text.matchAll(INLINE_CODE)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (!overlaps(fences, start, end)) spans.push({ start, end, html: `<code>${escapeHtml(m[1])}</code>`, text: m[1] });
  }
  const links: Atom[] = [];
  if (text.indexOf('http') !== -1) for (const m of text.matchAll(LINK)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (overlaps(fences, start, end) || overlaps(spans, start, end)) continue;
    const html = linkHtml(m[0]);
    if (html) links.push({ start, end, html, text: m[0] });
  }
  if (spans.length === 0 && links.length === 0) return fences;
  return [...fences, ...spans, ...links].sort((a, b) => a.start - b.start);
}

/** Whether [start, end) overlaps an atom of a sorted, non-overlapping list. */
function overlaps(atoms: Atom[], start: number, end: number): boolean {
  let lo = 0;
  let hi = atoms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (atoms[mid].end <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo < atoms.length && atoms[lo].start < end;
}

type LineKind = 'plain' | 'quote' | 'bullet' | 'number';
const LINE_PREFIX = /^(?:(> )|([*-] )|(\d{1,3}\. ))/;

/** Lines as [start, end) ranges of the text, split at line breaks outside atoms. */
function writeText(text: string, out: Output): void {
  const atoms = findAtoms(text);
  const ctx: Inline = { text, atoms, atomAt: new Map(atoms.map((a) => [a.start, a])), closers: closersOf(text, atoms) };
  const lines: { start: number; end: number; kind: LineKind; body: number }[] = [];
  // Lines end at line breaks outside atoms (only a fenced block can hold one).
  for (let start = 0; start <= text.length; ) {
    let i = text.indexOf('\n', start);
    while (i !== -1 && atoms.length && inAtom(atoms, i)) i = text.indexOf('\n', i + 1);
    if (i === -1) i = text.length;
    const prefix = LINE_PREFIX.exec(text.slice(start, Math.min(i, start + 6)));
    const kind: LineKind = !prefix ? 'plain' : prefix[1] ? 'quote' : prefix[2] ? 'bullet' : 'number';
    lines.push({ start, end: i, kind, body: start + (prefix ? prefix[0].length : 0) });
    start = i + 1;
  }
  let open: LineKind | null = null;
  const tags: Record<Exclude<LineKind, 'plain'>, [string, string]> = {
    quote: ['<blockquote class="cc-quote">', '</blockquote>'],
    bullet: ['<ul>', '</ul>'],
    number: ['<ol>', '</ol>'],
  };
  lines.forEach((line, n) => {
    if (open && line.kind !== open) {
      out.html += tags[open as Exclude<LineKind, 'plain'>][1];
      open = null;
    }
    if (n > 0) out.text += '\n';
    if (line.kind === 'plain') {
      if (n > 0 && lines[n - 1].kind === 'plain') out.html += '<br>';
      writeInline(ctx, line.start, line.end, out, 0);
      return;
    }
    if (!open) {
      out.html += tags[line.kind][0];
      open = line.kind;
    } else if (line.kind === 'quote') {
      out.html += '<br>';
    }
    if (line.kind !== 'quote') out.html += '<li>';
    writeInline(ctx, line.body, line.end, out, 0);
    if (line.kind !== 'quote') out.html += '</li>';
  });
  if (open) out.html += tags[open as Exclude<LineKind, 'plain'>][1];
}

// ---------------------------------------------------------------------------------------------
// Inline formatting

interface Inline {
  text: string;
  atoms: Atom[];
  atomAt: Map<number, Atom>;
  /** Per marker, the sorted positions where it can close a span. */
  closers: Map<number, number[]>;
}

const MARKERS: ReadonlyMap<number, string> = new Map([
  [0x2a, 'b'], // *
  [0x5f, 'i'], // _
  [0x7e, 's'], // ~
]);
const MAX_NESTING = 6;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0xa0 || code === 0x202f || code === 0x3000;
}

const WORD = /[\p{L}\p{N}]/u;

function isWordChar(text: string, i: number): boolean {
  if (i < 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return WORD.test(text[i]);
}

function inAtom(atoms: Atom[], i: number): boolean {
  return overlaps(atoms, i, i + 1);
}

/** Positions where each marker may close: after a non-space, before a non-word character. */
function closersOf(text: string, atoms: Atom[]): Map<number, number[]> {
  const closers = new Map<number, number[]>();
  for (const marker of MARKERS.keys()) closers.set(marker, []);
  for (let j = 1; j < text.length; j++) {
    const list = closers.get(text.charCodeAt(j));
    if (!list) continue;
    const c = text.charCodeAt(j);
    // `__init__`, `**`: a marker next to its twin is text.
    if (text.charCodeAt(j - 1) === c || text.charCodeAt(j + 1) === c) continue;
    if (isSpace(text.charCodeAt(j - 1)) || isWordChar(text, j + 1) || inAtom(atoms, j)) continue;
    list.push(j);
  }
  return closers;
}

/** The first closer of `marker` in (from, end), or -1. */
function closerAfter(ctx: Inline, marker: number, from: number, end: number): number {
  const list = ctx.closers.get(marker)!;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length && list[lo] < end ? list[lo] : -1;
}

function writeInline(ctx: Inline, start: number, end: number, out: Output, depth: number): void {
  const { text } = ctx;
  let run = start; // start of the plain text not yet written
  const flush = (to: number) => {
    if (to > run) {
      const plain = text.slice(run, to);
      out.html += escapeHtml(plain).replace(/\n/g, '<br>');
      out.text += plain;
    }
  };
  for (let i = start; i < end; i++) {
    const atom = ctx.atomAt.get(i);
    if (atom) {
      flush(i);
      out.html += atom.html;
      out.text += atom.text;
      i = atom.end - 1;
      run = atom.end;
      continue;
    }
    const code = text.charCodeAt(i);
    const tag = MARKERS.get(code);
    if (!tag || depth >= MAX_NESTING) continue;
    // An opener follows a non-word character and precedes a non-space.
    if (isWordChar(text, i - 1) || i + 1 >= end || isSpace(text.charCodeAt(i + 1))) continue;
    if (text.charCodeAt(i - 1) === code || text.charCodeAt(i + 1) === code) continue;
    const close = closerAfter(ctx, code, i + 1, end);
    if (close < 0) continue;
    flush(i);
    out.html += `<${tag}>`;
    writeInline(ctx, i + 1, close, out, depth + 1);
    out.html += `</${tag}>`;
    i = close;
    run = close + 1;
  }
  flush(end);
}
