/**
 * Discord message bodies → safe HTML + plain text.
 *
 * Bodies come from collector/sources/discord.ts (DiscordChatExporter JSON). A body is either the
 * message's content — Discord markdown, as the export wrote it — or, when the message has more to
 * show than its text (a system event, embeds, stickers, reactions, a pin, mentions, a forward, the
 * slash command a bot answered), a JSON envelope `{"content": …}` carrying those parts
 * (DiscordEnvelope). The adapter wraps every content that starts with `{`, so a body that starts
 * with `{` and parses to an object with a string `content` is an envelope, never text.
 *
 * Markdown as the Discord client shows it: **bold**, *italic* / _italic_, __underline__,
 * ~~strike~~, ||spoiler||, `code` and ``code``, ``` fenced blocks (a language on the first line),
 * `> ` quote lines and `>>> ` (the rest of the message quoted), `# `/`## `/`### ` headings, `-# `
 * subtext, `- ` lists, [masked](https://links), <https://autolinks> and bare URLs, `<@id>`
 * `<@!id>` `<@&id>` `<#id>` mentions (names from the envelope), `</command:id>`, `<:name:id>` and
 * `<a:name:id>` custom emoji (as `:name:`: the allow-list has no images), `<t:unix:style>`
 * timestamps (UTC), and `\` escapes of punctuation.
 *
 * How: fenced blocks are cut out first; the text between them is read line by line for the block
 * rules; each run of ordinary lines goes to an inline scanner. The HTML is built only from
 * escapeHtml()'d text, fixed tags and safeHref()'d links, then checked by ensureSafeFragment().
 * Work stays linear on hostile input: a closing delimiter is found with indexOf and the answer is
 * remembered per delimiter (parsing moves left to right, so no stretch is searched twice), nesting
 * is capped, and every regex rule is anchored and length-bounded. Bodies with none of the
 * characters markdown needs (most messages) are escaped and linked without the scanner.
 *
 * People are person references (collector/store/person-refs.ts) with the id the adapter gives
 * authors, `discord:<user id>`: a system message's subject, the user who ran a slash command,
 * `<@id>` mentions and the `@name`s of users the message mentions, and in a system message's
 * sentence ("Added Bob to the group.") the names of the users it mentions. A `<@id>` the envelope
 * has no name for stays Discord's `@unknown-user`, which names nobody.
 *
 * Classes for the site's stylesheet: cc-mention, cc-spoiler, cc-underline, cc-heading-large /
 * -medium / -small, cc-subtext, cc-embed (+ cc-embed-author, cc-embed-footer), cc-forward,
 * cc-sticker, cc-reactions, cc-reaction, cc-pinned, cc-interaction, cc-event, cc-call.
 */
import { personText } from '../../store/person-refs.js';
import { escapeHtml, linkifyLines, safeHref, stripInvalidXml } from '../html.js';
import { ensureSafeFragment } from '../sanitize.js';
import type { MarkupConverter, RenderedBody } from '../types.js';
import { own } from '../../own.js';

/** What the adapter puts in a body besides the content (every field optional but `content`). */
export interface DiscordEnvelope {
  content: string;
  /** DiscordChatExporter's message type, for system messages (`GuildMemberJoin`, `Call`…). */
  type?: string;
  /** The author's display name: a system message reads as a sentence about them. */
  author?: string;
  /** The author's user id (for the person reference). */
  authorId?: string;
  /** How long a call lasted (`callEndedTimestamp` − `timestamp`), in seconds. */
  callSeconds?: number;
  /** The slash command a bot's message answers. */
  interaction?: { name: string; user?: string; userId?: string };
  /** Display names of the users the message mentions, by id. */
  mentions?: Record<string, string>;
  /** Names of channels by id, for `<#id>`. */
  channels?: Record<string, string>;
  /** A forwarded message's content. */
  forwarded?: { content: string };
  stickers?: string[];
  embeds?: DiscordEmbed[];
  reactions?: DiscordReaction[];
  pinned?: boolean;
}

export interface DiscordEmbed {
  author?: string;
  title?: string;
  url?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: string;
}

export interface DiscordReaction {
  /** The emoji itself, or `:name:` for a custom one. */
  emoji: string;
  count: number;
}

export const DISCORD_DELETED_HTML = '<span class="cc-deleted">This message has been deleted.</span>';

export const discord: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: DISCORD_DELETED_HTML, text: '' };
  const envelope = body.charCodeAt(0) === 0x7b ? parseEnvelope(body) : null;
  const out = new Output();
  if (!envelope) {
    markdown(body, NO_NAMES, out);
  } else if (context.kind === 'event' || context.kind === 'call') {
    const names = namesOf(envelope);
    systemLine(envelope, context.kind, names, out);
    extras(envelope, names, out);
  } else {
    const names = namesOf(envelope);
    const interaction = record(envelope.interaction);
    if (interaction && str(interaction.name)) {
      const user = stripInvalidXml(str(interaction.user)).trim();
      const who = user ? person(str(interaction.userId), user) : '';
      const line = `${who ? `${who} used` : 'Used'} /${stripInvalidXml(str(interaction.name)).trim()}`;
      out.html += `<p><span class="cc-interaction">${escapeHtml(line)}</span></p>`;
      out.line();
      out.addText(line);
    }
    markdown(str(envelope.content), names, out);
    const forwarded = record(envelope.forwarded);
    if (forwarded && str(forwarded.content)) {
      const inner = new Output();
      markdown(str(forwarded.content), names, inner);
      out.html += `<blockquote class="cc-forward"><span class="cc-forward-label">Forwarded</span><br>${inner.html}</blockquote>`;
      out.line();
      out.addText(inner.text);
    }
    extras(envelope, names, out);
  }
  return { html: ensureSafeFragment(out.html), text: out.text };
};

// ---------------------------------------------------------------------------------------------
// Output

class Output {
  html = '';
  text = '';
  /** Whether `text` ends a line; kept apart, since reading a long concatenated string's end flattens it. */
  private atLineEnd = true;

  addText(text: string): void {
    if (text === '') return;
    this.text += text;
    this.atLineEnd = text.charCodeAt(text.length - 1) === 10;
  }

  /** Starts what follows on a new line of text. */
  line(): void {
    if (!this.atLineEnd) {
      this.text += '\n';
      this.atLineEnd = true;
    }
  }
}

const LINE_BREAK = /\r\n?|\n/g;

function escapeLines(text: string): string {
  const html = escapeHtml(text);
  return html.indexOf('\n') === -1 && html.indexOf('\r') === -1 ? html : html.replace(LINE_BREAK, '<br>');
}

// ---------------------------------------------------------------------------------------------
// The envelope

type Loose = Record<string, unknown>;

function parseEnvelope(body: string): Loose | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  const env = record(value);
  return env && typeof env.content === 'string' ? env : null;
}

function record(value: unknown): Loose | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : null;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function list(value: unknown, max: number): unknown[] {
  return Array.isArray(value) ? value.slice(0, max) : [];
}

interface Names {
  users: Map<string, string>;
  channels: Map<string, string>;
  /** `@name` forms to highlight in the text, longest first. */
  highlight: string[];
  /** The user id of each highlighted name (the first user with it). */
  idOfName: Map<string, string>;
}

const NO_NAMES: Names = { users: new Map(), channels: new Map(), highlight: [], idOfName: new Map() };

/** A user id as Discord writes it (a snowflake). */
const USER_ID = /^\d{1,20}$/;

/** A person reference for a user: `discord:<id>`, as the adapter gives authors; no id, the name alone. */
function person(id: string, name: string): string {
  return personText(USER_ID.test(id) ? `discord:${id}` : '', name);
}

function namesOf(env: Loose): Names {
  const users = new Map<string, string>();
  const channels = new Map<string, string>();
  const mentions = record(env.mentions);
  if (mentions) for (const [id, name] of Object.entries(mentions).slice(0, 200)) if (cleanName(name)) users.set(id, cleanName(name));
  const chans = record(env.channels);
  if (chans) for (const [id, name] of Object.entries(chans).slice(0, 200)) if (cleanName(name)) channels.set(id, cleanName(name));
  if (users.size === 0 && channels.size === 0) return NO_NAMES;
  const idOfName = new Map<string, string>();
  for (const [id, name] of users) if (!idOfName.has(name)) idOfName.set(name, id);
  const highlight = [...idOfName.keys()].sort((a, b) => b.length - a.length);
  return { users, channels, highlight, idOfName };
}

/** A name as the text shows it: no control characters (a name of only NUL is no name). */
function cleanName(value: unknown): string {
  return stripInvalidXml(str(value)).trim();
}

/** Stickers, embeds, reactions and the pin marker, after the content. */
function extras(env: Loose, names: Names, out: Output): void {
  for (const sticker of list(env.stickers, 10)) {
    const name = str(sticker).trim();
    if (!name) continue;
    const line = `Sticker: ${stripInvalidXml(name)}`;
    out.html += `<p><span class="cc-sticker">${escapeHtml(line)}</span></p>`;
    out.line();
    out.addText(line);
  }
  for (const embed of list(env.embeds, 10)) {
    const e = record(embed);
    if (e) renderEmbed(e, names, out);
  }
  let meta = '';
  for (const reaction of list(env.reactions, 50)) {
    const r = record(reaction);
    const emoji = r ? stripInvalidXml(str(r.emoji)).trim() : '';
    if (!emoji) continue;
    // A count that is not a number shows as 1; none left (0 or less) is no reaction.
    const count = typeof r!.count === 'number' && Number.isFinite(r!.count) ? Math.floor(r!.count) : 1;
    if (count <= 0) continue;
    meta += `${meta ? ' ' : ''}<span class="cc-reaction">${escapeHtml(emoji)} ${count}</span>`;
  }
  if (meta) meta = `<span class="cc-reactions">${meta}</span>`;
  if (env.pinned === true) meta += `${meta ? ' ' : ''}<span class="cc-pinned">📌 Pinned</span>`;
  if (meta) out.html += `<p>${meta}</p>`;
}

function renderEmbed(e: Loose, names: Names, out: Output): void {
  const author = stripInvalidXml(str(e.author)).trim();
  const title = stripInvalidXml(str(e.title)).trim();
  const description = str(e.description);
  const footer = stripInvalidXml(str(e.footer)).trim();
  const fields = list(e.fields, 25).map(record).filter((f): f is Loose => f !== null && (str(f.name) !== '' || str(f.value) !== ''));
  if (!author && !title && !description.trim() && !fields.length && !footer) return;
  const parts: string[] = [];
  const texts: string[] = [];
  if (author) {
    parts.push(`<span class="cc-embed-author">${escapeHtml(author)}</span>`);
    texts.push(author);
  }
  if (title) {
    const href = safeHref(str(e.url));
    parts.push(href ? `<strong><a href="${escapeHtml(href)}" rel="nofollow noopener">${escapeHtml(title)}</a></strong>` : `<strong>${escapeHtml(title)}</strong>`);
    texts.push(title);
  }
  if (description.trim()) {
    const inner = new Output();
    markdown(description, names, inner);
    parts.push(inner.html);
    texts.push(inner.text);
  }
  for (const field of fields) {
    const name = stripInvalidXml(str(field.name)).trim();
    const inner = new Output();
    markdown(str(field.value), names, inner);
    parts.push(`${name ? `<strong>${escapeHtml(name)}</strong><br>` : ''}${inner.html}`);
    texts.push(name ? `${name}: ${inner.text}` : inner.text);
  }
  if (footer) {
    parts.push(`<span class="cc-embed-footer">${escapeHtml(footer)}</span>`);
    texts.push(footer);
  }
  out.html += `<blockquote class="cc-embed">${parts.join('<br>')}</blockquote>`;
  out.line();
  out.addText(texts.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// System messages

/** The action of each DiscordChatExporter system type, for when the export gave no sentence. */
const ACTIONS: Record<string, string> = {
  RecipientAdd: 'added someone to the group.',
  RecipientRemove: 'removed someone from the group.',
  Call: 'started a call.',
  ChannelNameChange: 'changed the channel name.',
  ChannelIconChange: 'changed the channel icon.',
  ChannelPinnedMessage: 'pinned a message to this channel.',
  GuildMemberJoin: 'joined the server.',
  ThreadCreated: 'started a thread.',
  // Discord's types the exporter has no name for, written as numbers.
  '8': 'boosted the server.',
  '9': 'boosted the server. The server reached Level 1!',
  '10': 'boosted the server. The server reached Level 2!',
  '11': 'boosted the server. The server reached Level 3!',
  '12': 'followed a channel into this one.',
};

/**
 * `Thomas joined the server.`: DiscordChatExporter writes a system message's content as a sentence
 * without its subject ("Joined the server.", "Changed the channel name: x"); the author goes first.
 */
function systemLine(env: Loose, kind: string, names: Names, out: Output): void {
  const name = stripInvalidXml(str(env.author)).trim();
  const author = name ? person(str(env.authorId), name) : 'Someone';
  const type = str(env.type);
  const content = namesAsPeople(stripInvalidXml(env.content as string).trim(), names);
  let sentence: string;
  if (type === 'Call') {
    const seconds = typeof env.callSeconds === 'number' && Number.isFinite(env.callSeconds) ? env.callSeconds : null;
    sentence = seconds === null ? `${author} started a call.` : `${author} started a call that lasted ${callLength(seconds)}.`;
  } else if (!content) {
    sentence = `${author} ${own(ACTIONS, type) ?? 'did something Discord shows as a system message.'}`;
  } else if (own(ACTIONS, type) !== undefined && /^[A-Z][a-z]/.test(content)) {
    sentence = `${author} ${content[0].toLowerCase()}${content.slice(1)}`;
  } else {
    sentence = `${author}: ${content}`;
  }
  out.html += `<span class="${kind === 'call' ? 'cc-call' : 'cc-event'}">${escapeHtml(sentence)}</span>`;
  out.addText(sentence);
}

/**
 * The names of the users a system message mentions, in its sentence, as person references: the
 * exporter writes them as plain names ("Added Bob to the group."), whole words.
 */
function namesAsPeople(content: string, names: Names): string {
  if (!names.highlight.length || !content) return content;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${names.highlight.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'gu');
  return content.replace(pattern, (name) => person(names.idOfName.get(name)!, name));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How Discord words a call's length: "a few seconds", "a minute", "5 minutes", "2 hours". */
export function callLength(seconds: number): string {
  if (seconds < 60) return 'a few seconds';
  if (seconds < 120) return 'a minute';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} minutes`;
  if (seconds < 7200) return 'an hour';
  return `${Math.floor(seconds / 3600)} hours`;
}

// ---------------------------------------------------------------------------------------------
// Markdown: fenced blocks, then lines

/** Any character a markdown rule could start with, or a line a block rule could apply to. */
const NEEDS_PARSER = /[*_~|`<[\\@]|(?:^|\n)[ \t]*(?:[#>]|-[#\s])/;

function markdown(source: string, names: Names, out: Output): void {
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

interface Fence {
  start: number;
  end: number;
  code: string;
}

const FENCE_LANGUAGE = /[a-z0-9_+\-.#]{1,32}\n/iy;

/**
 * The first ``` block starting in [from, to): a language line is dropped, newlines around the code
 * are trimmed, and the code must hold a character besides newlines (Discord's own rule).
 */
function findFence(s: string, from: number, to: number): Fence | null {
  let start = s.indexOf('```', from);
  while (start !== -1 && start < to && isEscaped(s, start)) start = s.indexOf('```', start + 1);
  if (start === -1 || start + 3 > to) return null;
  let codeStart = start + 3;
  FENCE_LANGUAGE.lastIndex = codeStart;
  if (FENCE_LANGUAGE.test(s) && FENCE_LANGUAGE.lastIndex < to) {
    // A language only when code follows it (```js``` is the code "js").
    const after = FENCE_LANGUAGE.lastIndex;
    const close = s.indexOf('```', after);
    if (close !== -1 && close + 3 <= to && /[^\n]/.test(s.slice(after, close))) codeStart = after;
  }
  let first = codeStart;
  while (first < to && s.charCodeAt(first) === 10) first++;
  if (first >= to) return null;
  const close = s.indexOf('```', first + 1);
  if (close === -1 || close + 3 > to) return null;
  let last = close;
  while (last > first && s.charCodeAt(last - 1) === 10) last--;
  return { start, end: close + 3, code: s.slice(first, last) };
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

// ---------------------------------------------------------------------------------------------
// Inline rules

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

/** An odd number of backslashes before `at` escapes the character there. */
function isEscaped(s: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && s.charCodeAt(k) === BACKSLASH) k--;
  return ((at - 1 - k) & 1) === 1;
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
class Inline {
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

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** `<t:1673013783:f>` as Discord would show it, in UTC (a static page has no reader's zone). */
export function formatTimestamp(seconds: number, style: string): string | null {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const date = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  switch (style) {
    case 't':
      return `${clock} UTC`;
    case 'T':
      return `${clock}:${pad(d.getUTCSeconds())} UTC`;
    case 'd':
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    case 'D':
      return date;
    case 'F':
      return `${WEEKDAYS[d.getUTCDay()]}, ${date} ${clock} UTC`;
    default: // f, R (relative: a static page cannot say "3 days ago")
      return `${date} ${clock} UTC`;
  }
}

/** Renders Discord markdown alone (no envelope), for tests and other callers. */
export function renderDiscordMarkdown(source: string): RenderedBody {
  const out = new Output();
  markdown(source, NO_NAMES, out);
  return { html: ensureSafeFragment(out.html), text: out.text };
}
