import { escapeHtml, safeHref } from '../html.js';
import { person, type Names } from './envelope.js';
import { findFence, isEscaped } from './fence.js';
import { escapeLines, type Output } from './output.js';
import { formatTimestamp } from './timestamps.js';

/**
 * The inline rules over one string: emphasis, code, spoilers, links, mentions, custom emoji,
 * timestamps and escapes. Work stays linear on hostile input: a closing delimiter is found with
 * indexOf and the answer is remembered per delimiter, nesting is capped, and every regex rule is
 * anchored and length-bounded.
 */

/** Formatting nested deeper than this is shown as the characters typed. */
const MAX_DEPTH = 8;

const BACKSLASH = 0x5c;
const BACKTICK = 0x60;
const STAR = 0x2a;
const UNDERSCORE = 0x5f;
const TILDE = 0x7e;
const PIPE = 0x7c;
const LT = 0x3c;
const LBRACKET = 0x5b;
const AT = 0x40;
const LOWER_H = 0x68;

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === UNDERSCORE;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0c || c === 0xa0;
}

/** `<@id>`, `<@!id>`, `<@&id>`, `<#id>`, `<:name:id>`, `<a:name:id>`, `<t:…>`, `</cmd:id>`, `<url>`. */
const ANGLE = /<(?:@!?(\d{1,20})|@&(\d{1,20})|#(\d{1,20})|a?:(\w{1,64}):\d{1,20}|t:(-?\d{1,14})(?::([tTdDfFR]))?|\/([-\w]{1,32}(?: [-\w]{1,32}){0,2}):\d{1,20}|((?:https?:\/\/|mailto:)[^\s<>]{1,4096}))>/y;
const MASKED_LINK = /\[([^[\]\n]{1,256})\]\(\s*<?((?:https?:\/\/|mailto:)[^\s()<>]{1,4096})>?\s*\)/y;
// The same URLs as html.ts's linkify() finds, so the fast path and the scanner agree.
const BARE_URL = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}]/y;
const BARE_URL_START = /^https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}]/;

/**
 * Can a delimiter candidate at `j` close, when the text ends at `to`? It looks at the characters
 * just before and after the candidate only, so with `to` = the string's end the answer depends on
 * `j` alone (which the search cache needs); only a candidate ending exactly at `to` can differ.
 */
type CloseTest = (s: string, j: number, to: number) => boolean;
const charAt = (s: string, k: number, to: number): number => (k < to ? s.charCodeAt(k) : -1);
const anyClose: CloseTest = () => true;
const strongClose: CloseTest = (s, j, to) => charAt(s, j + 2, to) !== STAR;
const underlineClose: CloseTest = (s, j, to) => charAt(s, j + 2, to) !== UNDERSCORE;
const emClose: CloseTest = (s, j, to) => charAt(s, j + 1, to) !== STAR && s.charCodeAt(j - 1) !== STAR && !isSpace(s.charCodeAt(j - 1));
const emUnderscoreClose: CloseTest = (s, j, to) => !isWordChar(charAt(s, j + 1, to));
const codeClose1: CloseTest = (s, j, to) => s.charCodeAt(j - 1) !== BACKTICK && charAt(s, j + 1, to) !== BACKTICK;
const codeClose2: CloseTest = (s, j, to) => s.charCodeAt(j - 1) !== BACKTICK && charAt(s, j + 2, to) !== BACKTICK;

/** The inline scanner over one string; run() renders a range of it into `out`. */
export class Inline {
  /** Text of s[pending, i) not yet written. */
  private pending = 0;
  /** Per delimiter: the first valid closing candidate at or after `from` ([from, found]). */
  private readonly found = new Map<string, [number, number]>();

  constructor(
    readonly s: string,
    readonly names: Names,
    readonly out: Output,
  ) {}

  run(from: number, to: number, depth: number, inLink: boolean): void {
    const s = this.s;
    this.pending = from;
    let i = from;
    while (i < to) {
      const c = s.charCodeAt(i);
      let end = -1;
      switch (c) {
        case BACKSLASH:
          end = this.escape(i, to);
          break;
        case BACKTICK: {
          let n = 1;
          while (i + n < to && s.charCodeAt(i + n) === BACKTICK) n++;
          end = this.code(i, n, to);
          if (end === -1) {
            i += n; // an unmatched run stays text, whole
            continue;
          }
          break;
        }
        case STAR:
        case UNDERSCORE:
        case TILDE:
        case PIPE:
          if (depth < MAX_DEPTH) end = this.delimited(c, i, to, depth, inLink);
          break;
        case LT:
          end = this.angle(i, to, inLink);
          break;
        case LBRACKET:
          if (!inLink && depth < MAX_DEPTH) end = this.maskedLink(i, to, depth);
          break;
        case LOWER_H:
          if (!inLink && (i === 0 || !isWordChar(s.charCodeAt(i - 1))) && s.startsWith('http', i)) end = this.bareUrl(i, to);
          break;
        case AT:
          if (i === 0 || !isWordChar(s.charCodeAt(i - 1))) end = this.mention(i, to);
          break;
      }
      if (end === -1) {
        i++;
      } else {
        i = end;
        this.pending = end;
      }
    }
    this.flush(to);
  }

  /** Writes the pending text up to `at`. */
  private flush(at: number): void {
    if (at <= this.pending) return;
    const text = this.s.slice(this.pending, at);
    this.out.html += escapeLines(text);
    this.out.addText(text);
    this.pending = at;
  }

  private emit(html: string, text: string): void {
    this.out.html += html;
    this.out.addText(text);
  }

  /** `\*`: any character but a letter, digit or space, shown as itself. */
  private escape(i: number, to: number): number {
    if (i + 1 >= to) return -1;
    const d = this.s.charCodeAt(i + 1);
    if (isWordChar(d) && d !== UNDERSCORE) return -1;
    if (isSpace(d)) return -1;
    const length = d >= 0xd800 && d <= 0xdbff && i + 2 < to ? 2 : 1;
    this.flush(i);
    const char = this.s.slice(i + 1, i + 1 + length);
    this.emit(escapeHtml(char), char);
    return i + 1 + length;
  }

  private code(i: number, n: number, to: number): number {
    const s = this.s;
    if (n >= 3) {
      const fence = findFence(s, i, to);
      if (!fence || fence.start !== i) return -1;
      this.flush(i);
      this.emit(`<pre><code>${escapeHtml(fence.code)}</code></pre>`, fence.code);
      return fence.end;
    }
    const j = this.find(n === 1 ? '`' : '``', i + n + 1, to, n === 1 ? codeClose1 : codeClose2, false);
    if (j === -1) return -1;
    this.flush(i);
    const code = s.slice(i + n, j);
    this.emit(`<code>${escapeHtml(code)}</code>`, code);
    return j + n;
  }

  private delimited(c: number, i: number, to: number, depth: number, inLink: boolean): number {
    const s = this.s;
    const c1 = s.charCodeAt(i + 1);
    let j: number;
    switch (c) {
      case STAR:
        if (c1 === STAR) {
          j = this.find('**', i + 3, to, strongClose, true);
          if (j !== -1) return this.wrap(i, i + 2, j, j + 2, '<strong>', '</strong>', depth, inLink);
        }
        if (i + 1 < to && !isSpace(c1)) {
          j = this.find('*', i + 2, to, emClose, true);
          if (j !== -1) return this.wrap(i, i + 1, j, j + 1, '<em>', '</em>', depth, inLink);
        }
        return -1;
      case UNDERSCORE:
        if (c1 === UNDERSCORE) {
          j = this.find('__', i + 3, to, underlineClose, true);
          if (j !== -1) return this.wrap(i, i + 2, j, j + 2, '<span class="cc-underline">', '</span>', depth, inLink);
        }
        // `_` opens only at the start of a word: snake_case_names stay as they are.
        if (i > 0 && isWordChar(s.charCodeAt(i - 1))) return -1;
        j = this.find('_', i + 2, to, emUnderscoreClose, true);
        return j === -1 ? -1 : this.wrap(i, i + 1, j, j + 1, '<em>', '</em>', depth, inLink);
      case TILDE:
        if (c1 !== TILDE) return -1;
        j = this.find('~~', i + 3, to, anyClose, true);
        return j === -1 ? -1 : this.wrap(i, i + 2, j, j + 2, '<s>', '</s>', depth, inLink);
      default: // PIPE
        if (c1 !== PIPE) return -1;
        j = this.find('||', i + 3, to, anyClose, true);
        return j === -1 ? -1 : this.wrap(i, i + 2, j, j + 2, '<span class="cc-spoiler">', '</span>', depth, inLink);
    }
  }

  private wrap(i: number, innerStart: number, innerEnd: number, end: number, open: string, close: string, depth: number, inLink: boolean): number {
    this.flush(i);
    this.out.html += open;
    this.run(innerStart, innerEnd, depth + 1, inLink);
    this.out.html += close;
    return end;
  }

  /**
   * The first valid, unescaped `delim` at or after `from` that ends by `to`, or -1. The answer for
   * the whole string is remembered: parsing moves left to right, so the next search for the same
   * delimiter starts at or after this one and, until it passes the candidate, reuses it. Inner
   * text is read as if it ended at `to` (as Discord parses it: as a string of its own), so a
   * candidate ending exactly there is tried on its own terms (`***both***`: the `*` before `**`).
   */
  private find(delim: string, from: number, to: number, valid: CloseTest, escapable: boolean): number {
    const key = escapable ? delim : `${delim}!`;
    const known = this.found.get(key);
    let j: number;
    if (known && from >= known[0] && (known[1] === -1 || from <= known[1])) {
      j = known[1];
    } else {
      const s = this.s;
      j = s.indexOf(delim, from);
      const end = s.length;
      while (j !== -1 && ((escapable && isEscaped(s, j)) || !valid(s, j, end))) j = s.indexOf(delim, j + 1);
      if (known) {
        known[0] = from;
        known[1] = j;
      } else {
        this.found.set(key, [from, j]);
      }
    }
    if (j !== -1 && j + delim.length <= to) return j;
    const last = to - delim.length;
    if (last >= from && to < this.s.length && this.s.startsWith(delim, last) && !(escapable && isEscaped(this.s, last)) && valid(this.s, last, to)) {
      return last;
    }
    return -1;
  }

  private angle(i: number, to: number, inLink: boolean): number {
    ANGLE.lastIndex = i;
    const m = ANGLE.exec(this.s);
    if (!m || ANGLE.lastIndex > to) return -1;
    const end = ANGLE.lastIndex;
    if (m[8] !== undefined) {
      const href = inLink ? null : safeHref(m[8]);
      if (!href) return -1;
      this.flush(i);
      this.emit(`<a href="${escapeHtml(href)}" rel="nofollow noopener">${escapeHtml(m[8])}</a>`, m[8]);
      return end;
    }
    this.flush(i);
    if (m[1] !== undefined) {
      const name = this.names.users.get(m[1]);
      if (name) this.personMention(m[1], name);
      else this.mentionSpan('@unknown-user');
    }
    else if (m[2] !== undefined) this.mentionSpan('@role');
    else if (m[3] !== undefined) this.mentionSpan(`#${this.names.channels.get(m[3]) ?? 'unknown-channel'}`);
    else if (m[4] !== undefined) this.emit(`:${escapeHtml(m[4])}:`, `:${m[4]}:`);
    else if (m[5] !== undefined) {
      const when = formatTimestamp(Number(m[5]), m[6] ?? 'f');
      this.emit(escapeHtml(when ?? m[0]), when ?? m[0]);
    } else this.mentionSpan(`/${m[7]}`);
    return end;
  }

  private mentionSpan(label: string): void {
    this.emit(`<span class="cc-mention">${escapeHtml(label)}</span>`, label);
  }

  /** `@` and a person reference (never through the markdown rules: it is emitted whole). */
  private personMention(id: string, name: string): void {
    const ref = person(id, name);
    this.emit(`<span class="cc-mention">@${escapeHtml(ref)}</span>`, `@${ref}`);
  }

  private maskedLink(i: number, to: number, depth: number): number {
    MASKED_LINK.lastIndex = i;
    const m = MASKED_LINK.exec(this.s);
    if (!m || MASKED_LINK.lastIndex > to) return -1;
    const href = safeHref(m[2]);
    if (!href) return -1;
    const end = MASKED_LINK.lastIndex;
    this.flush(i);
    this.out.html += `<a href="${escapeHtml(href)}" rel="nofollow noopener">`;
    this.run(i + 1, i + 1 + m[1].length, depth + 1, true);
    this.out.html += '</a>';
    return end;
  }

  private bareUrl(i: number, to: number): number {
    BARE_URL.lastIndex = i;
    let m = BARE_URL.exec(this.s);
    if (m && BARE_URL.lastIndex > to) m = BARE_URL_START.exec(this.s.slice(i, to));
    if (!m) return -1;
    const url = m[0];
    this.flush(i);
    this.emit(`<a href="${escapeHtml(url)}" rel="nofollow noopener">${escapeHtml(url)}</a>`, url);
    return i + url.length;
  }

  /** `@everyone`, `@here`, and `@name` for a name the message mentions. */
  private mention(i: number, to: number): number {
    const s = this.s;
    for (const name of ['everyone', 'here']) {
      if (s.startsWith(name, i + 1) && i + 1 + name.length <= to && !isWordChar(s.charCodeAt(i + 1 + name.length))) {
        this.flush(i);
        this.mentionSpan(`@${name}`);
        return i + 1 + name.length;
      }
    }
    for (const name of this.names.highlight) {
      const end = i + 1 + name.length;
      if (end > to || !s.startsWith(name, i + 1)) continue;
      if (isWordChar(name.charCodeAt(name.length - 1)) && isWordChar(s.charCodeAt(end))) continue;
      this.flush(i);
      this.personMention(this.names.idOfName.get(name)!, name);
      return end;
    }
    return -1;
  }
}

