/**
 * Slack mrkdwn → safe HTML + plain text (a message's text, and the text parts of its cards).
 *
 * mrkdwn: Slack escapes only `&`, `<` and `>` in text, so every raw `<…>` is one of its control
 * sequences: `<@U…|name>`, `<#C…|name>`, `<!here>`/`<!channel>`/`<!everyone>`, `<!subteam^…|@x>`,
 * `<!date^…|fallback>`, `<url>`, `<url|label>`, `<mailto:…|…>`. Then `*bold*`, `_italic_`,
 * `~strike~` (at word boundaries, within a line), `` `code` ``, ``` blocks, `>` quote lines,
 * `>>>` (the rest is quoted), `:emoji:` shortcodes (gemoji's GitHub names, which Slack shares).
 *
 * How: fences split the text into code blocks and prose; prose is read line by line; in a line the
 * "atoms" (control sequences, code spans, emoji) are cut out first, so formatting markers are only
 * looked for in the text between them. Every tag is written here from escaped text, and links only
 * get http, https and mailto URLs that a browser can parse (hrefOf); ensureSafeFragment() checks
 * the result.
 */
import { personText } from '../store/person-refs.js';
import { escapeHtml, safeHref, stripInvalidXml } from './html.js';
import { ensureSafeFragment } from './sanitize.js';
import { emojiOf } from './slack-emoji.js';
import { SLACK_ID, slackPerson } from './slack-envelope.js';
import type { RenderedBody } from './types.js';

/** Characters that can start mrkdwn; a body without any (and no `&gt;` quote) is plain text. */
const MRKDWN_CHARS = /[<>*_~`:]/;
const QUOTE_START = /(?:^|\n)&gt;/;

/**
 * Current names of the users and channels a body mentions, by id (the envelope's `names`, from a
 * hostile body as much as from the adapter: only string values count).
 */
export type Names = Readonly<Record<string, unknown>>;

export const NO_NAMES: Names = {};

function nameIn(names: Names, id: string): string {
  const name = Object.hasOwn(names, id) ? names[id] : undefined;
  return typeof name === 'string' ? stripInvalidXml(name).trim() : '';
}

export function renderText(body: string, names: Names = NO_NAMES): RenderedBody {
  if (!MRKDWN_CHARS.test(body) && !QUOTE_START.test(body)) {
    // Fast path, most messages: escaping (and linking bare URLs) is the whole job.
    let text = decodeSlack(stripInvalidXml(body));
    if (text.indexOf('\r') !== -1) text = text.replace(LINE_BREAKS, '\n');
    return { html: linkText(text).replace(LINE_BREAKS, '<br>'), text };
  }
  const out: Output = { html: '', text: '' };
  writeMrkdwn(stripInvalidXml(body), out, names);
  return { html: ensureSafeFragment(out.html), text: out.text };
}

// ---------------------------------------------------------------------------------------------
// Blocks: code fences, quotes, lines

export interface Output {
  html: string;
  text: string;
}

const FENCE = /```([\s\S]*?)```/g;
const QUOTE_LINE = /^(?:&gt;|>)[ \t]?/;
const QUOTE_REST = /^(?:&gt;|>){3}[ \t]?/;
const LINE_BREAK = /\r\n?|\n/;

export function endsWithBlock(html: string): boolean {
  return html.endsWith('</blockquote>') || html.endsWith('</pre>');
}

/**
 * Appends mrkdwn to `out`: lines are separated by `<br>` (and `\n`), blocks (code, quotes) stand
 * on their own, so no `<br>` goes next to them.
 */
export function writeMrkdwn(src: string, out: Output, names: Names = NO_NAMES): void {
  let prev: 'none' | 'line' | 'block' = out.html === '' && out.text === '' ? 'none' : endsWithBlock(out.html) ? 'block' : 'line';
  const separate = (): void => {
    if (prev !== 'none') out.text += '\n';
  };
  const block = (html: string, text: string): void => {
    separate();
    out.html += html;
    out.text += text;
    prev = 'block';
  };
  const quote = (lines: string[]): void => {
    const inner: Output = { html: '', text: '' };
    lines.forEach((l, i) => writeLine(l, inner, i > 0, names));
    block(`<blockquote class="cc-quote">${inner.html}</blockquote>`, `> ${inner.text.replace(/\n/g, '\n> ')}`);
  };
  const prose = (text: string): void => {
    if (!text) return;
    const lines = text.split(LINE_BREAK);
    let quoted: string[] | null = null;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (QUOTE_REST.test(l)) {
        // `>>>`: everything to the end of this text is quoted.
        if (quoted) quote(quoted);
        quoted = [l.replace(QUOTE_REST, ''), ...lines.slice(i + 1)];
        break;
      }
      if (QUOTE_LINE.test(l)) {
        (quoted ??= []).push(l.replace(QUOTE_LINE, ''));
        continue;
      }
      if (quoted) quote(quoted);
      quoted = null;
      separate();
      if (prev === 'line') out.html += '<br>';
      writeLine(l, out, false, names);
      prev = 'line';
    }
    if (quoted) quote(quoted);
  };

  let last = 0;
  for (const match of src.matchAll(FENCE)) {
    // Slack drops the line break next to a fence, on both sides of it.
    let before = src.slice(last, match.index);
    if (last > 0) before = before.replace(/^[ \t]*(?:\r\n?|\n)/, '');
    prose(before.replace(/(?:\r\n?|\n)[ \t]*$/, ''));
    const code = codeText(match[1].replace(/^[ \t]*(?:\r\n?|\n)/, '').replace(/(?:\r\n?|\n)$/, ''), names);
    block(`<pre>${escapeHtml(code)}</pre>`, code);
    last = match.index! + match[0].length;
  }
  let rest = src.slice(last);
  if (last > 0) rest = rest.replace(/^[ \t]*(?:\r\n?|\n)/, '');
  prose(rest);
}

// ---------------------------------------------------------------------------------------------
// Inline: atoms, then formatting between them

/** Placeholder for an atom in the string formatting is matched on; removed from input first. */
const ATOM = '\uFFFC';
const ATOMS = /<([^<>\n]*)>|`([^`\n]+)`|:([a-z0-9_+'-]+):(?::skin-tone-([2-6]):)?/gi;
// An opening marker follows a non-word character and precedes a non-space; a closing one follows
// a non-space and precedes a non-word character; no marker of the same kind inside.
const STYLE = /(?<![\p{L}\p{N}])([*_~])(?!\s)((?:(?!\1).)*?\S)\1(?![\p{L}\p{N}])/u;
const HAS_STYLE = /[*_~]/;
const TAGS: Record<string, string> = { '*': 'b', _: 'i', '~': 's' };
/** Nesting of styles deeper than this is left as text (real messages nest two or three). */
const MAX_STYLE_DEPTH = 6;

interface Atom {
  html: string;
  text: string;
}

function writeLine(raw: string, out: Output, breakBefore: boolean, names: Names): void {
  if (breakBefore) {
    out.html += '<br>';
    out.text += '\n';
  }
  const src = raw.indexOf(ATOM) === -1 ? raw : raw.replaceAll(ATOM, '');
  const atoms: Atom[] = [];
  let shadow = '';
  let last = 0;
  ATOMS.lastIndex = 0;
  for (let match = ATOMS.exec(src); match; match = ATOMS.exec(src)) {
    const atom = atomOf(match, names);
    if (!atom) {
      // `10:30:smile:`: the colon that closed an unknown name may open a known one.
      if (match[3] !== undefined) ATOMS.lastIndex = match.index + 1 + match[3].length;
      continue;
    }
    shadow += src.slice(last, match.index) + ATOM;
    atoms.push(atom);
    last = match.index + match[0].length;
  }
  shadow += src.slice(last);
  const rendered = HAS_STYLE.test(shadow) ? styled(shadow, atoms, { next: 0 }, 0) : plainText(shadow, atoms, { next: 0 });
  out.html += rendered.html;
  out.text += rendered.text;
}

/** Renders `shadow`, taking atoms in order as their placeholders come. */
function styled(shadow: string, atoms: Atom[], cursor: { next: number }, depth: number): Atom {
  let html = '';
  let text = '';
  let rest = shadow;
  while (rest) {
    const match = depth < MAX_STYLE_DEPTH ? STYLE.exec(rest) : null;
    const plainEnd = match ? match.index : rest.length;
    const plain = plainText(rest.slice(0, plainEnd), atoms, cursor);
    html += plain.html;
    text += plain.text;
    if (!match) break;
    const tag = TAGS[match[1]];
    const inner = styled(match[2], atoms, cursor, depth + 1);
    html += `<${tag}>${inner.html}</${tag}>`;
    text += inner.text;
    rest = rest.slice(match.index + match[0].length);
  }
  return { html, text };
}

function plainText(shadow: string, atoms: Atom[], cursor: { next: number }): Atom {
  let html = '';
  let text = '';
  let start = 0;
  for (let at = shadow.indexOf(ATOM); at !== -1; at = shadow.indexOf(ATOM, start)) {
    const piece = decodeSlack(shadow.slice(start, at));
    html += linkText(piece);
    text += piece;
    const atom = atoms[cursor.next++];
    html += atom.html;
    text += atom.text;
    start = at + 1;
  }
  const piece = decodeSlack(shadow.slice(start));
  return { html: html + linkText(piece), text: text + piece };
}

function atomOf(match: RegExpExecArray, names: Names): Atom | null {
  if (match[1] !== undefined) return controlSequence(match[1], names);
  if (match[2] !== undefined) {
    const code = codeText(match[2], names);
    return { html: `<code>${escapeHtml(code)}</code>`, text: code };
  }
  const emoji = emojiOf(match[4] ? `${match[3]}::skin-tone-${match[4]}` : match[3]);
  return emoji ? { html: emoji, text: emoji } : null;
}

const SPECIAL: Record<string, string> = { here: '@here', channel: '@channel', everyone: '@everyone' };

/**
 * Code (a block or a span) as Slack shows it: no formatting inside, and every control sequence as
 * the text it reads as (a link's label, else its URL; a person or channel by name). Slack escapes
 * `<` in what people type, so each raw `<…>` in code is one of its own.
 */
function codeText(code: string, names: Names): string {
  return decodeSlack(code.indexOf('<') === -1 ? code : code.replace(/<([^<>\n]*)>/g, (_, inner: string) => labelOf(inner, names)));
}

/** `<…>`: a mention, channel, special mention, date or link. */
function controlSequence(inner: string, names: Names): Atom | null {
  if (!inner) return null;
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? '' : decodeSlack(inner.slice(bar + 1));
  const sigil = target.charAt(0);
  // Named as they are now (the envelope's names), else as the text labelled them.
  if (sigil === '@') {
    const id = decodeSlack(target.slice(1));
    return userMention(id, nameIn(names, id) || label.replace(/^@/, ''));
  }
  if (sigil === '#') {
    const id = decodeSlack(target.slice(1));
    const name = (nameIn(names, id) || label || id).replace(/^#/, '');
    return mention(`#${name}`);
  }
  if (sigil === '!') {
    const command = target.slice(1);
    const word = command.split('^')[0];
    if (Object.hasOwn(SPECIAL, word)) return mention(label && label.startsWith('@') ? label : SPECIAL[word]);
    if (word === 'subteam') return mention(label ? (label.startsWith('@') ? label : `@${label}`) : '@group');
    // `<!date^1392734382^{date}|Feb 18, 2014>` and anything newer: the fallback text.
    const shown = label || `@${decodeSlack(word)}`;
    return { html: escapeHtml(shown), text: shown };
  }
  const url = decodeSlack(target);
  // Slack escapes `<` in what people type, so `<b>` or `<script>` never comes from Slack: shown as typed.
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return { html: escapeHtml(`<${decodeSlack(inner)}>`), text: `<${decodeSlack(inner)}>` };
  const member = SLACK_MEMBER_LINK.exec(url);
  if (member) {
    const ref = personText(slackPerson(member[1]), label || member[1]);
    return { html: escapeHtml(ref), text: ref };
  }
  if (SLACK_FILE_LINK.test(url)) {
    const shown = label || url.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop()!;
    return { html: escapeHtml(shown), text: shown };
  }
  const href = hrefOf(url);
  const shown = label || (href && href.toLowerCase().startsWith('mailto:') ? href.slice(7) : url);
  if (!href) return { html: escapeHtml(shown), text: shown }; // `javascript:` and friends: text only
  return { html: `<a href="${escapeHtml(href)}" rel="nofollow noopener">${escapeHtml(shown)}</a>`, text: shown };
}

function mention(name: string): Atom {
  return { html: `<span class="cc-mention">${escapeHtml(name)}</span>`, text: name };
}

/** Slack's links to a member's profile or an integration: the id is the person. */
const SLACK_MEMBER_LINK = /^https?:\/\/[\w.-]+\.slack\.com\/(?:team|services)\/([A-Z][A-Z0-9]{1,30})\/?$/;
/** Files hosted by Slack: the path names the uploader or the team. */
const SLACK_FILE_LINK = /^https?:\/\/(?:[\w.-]+\.)?slack(?:-files)?\.com\/files(?:-pri|-tmb)?\//i;

/** `<@U123|name>`: a person reference; a target that is no id is a name without one. */
function userMention(target: string, label: string): Atom {
  if (!target && !label) return mention('@');
  const ref = SLACK_ID.test(target) ? personText(slackPerson(target), label || target) : personText('', label || target);
  return { html: `<span class="cc-mention">@${escapeHtml(ref)}</span>`, text: `@${ref}` };
}

/** What a control sequence reads as, without markup (inside code). */
function labelOf(inner: string, names: Names): string {
  const atom = controlSequence(inner, names);
  return atom ? atom.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : `&lt;${inner}&gt;`;
}

/**
 * The href for a URL: http, https or mailto (safeHref), and one a browser parses (a host with `|`
 * or `^` is none: no link is better than a dead one).
 */
export function hrefOf(url: string): string | null {
  const href = safeHref(url);
  return href !== null && URL.canParse(href) ? href : null;
}

const BARE_URL = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}]/g;
const LINE_BREAKS = /\r\n?|\n/g;

/**
 * Escaped text with bare URLs linked. Slack itself stores every link it recognized as `<url>`;
 * bare ones come from tools that post raw text, and Slack's clients link those too.
 */
function linkText(text: string): string {
  if (text.indexOf('http') === -1) return escapeHtml(text);
  let out = '';
  let last = 0;
  for (const match of text.matchAll(BARE_URL)) {
    const href = hrefOf(match[0]);
    if (!href) continue;
    out += `${escapeHtml(text.slice(last, match.index))}<a href="${escapeHtml(href)}" rel="nofollow noopener">${escapeHtml(match[0])}</a>`;
    last = match.index + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
}

/** Slack escapes exactly these three in text; anything else that looks like an entity is text. */
export function decodeSlack(text: string): string {
  if (text.indexOf('&') === -1) return text;
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}
