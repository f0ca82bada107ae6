/**
 * Mattermost post bodies → safe HTML + plain text.
 *
 * The adapter (collector/sources/mattermost/) writes a post's `message` as it is, or, when the post
 * has more to show than its text (people or channels it names, reactions, a system post's type,
 * message attachments of integrations), a JSON envelope (MattermostEnvelope). It wraps every
 * message that starts with `{`, so a body that starts with `{` and parses to an object with a
 * string `message` is an envelope, never text.
 *
 * Mattermost's markdown is CommonMark with GitHub's additions, close enough to Discord's that its
 * renderer is reused (markup/discord): **bold**, *italic* / _italic_, ~~strike~~, `code`, ```
 * blocks, `>` quotes, `#` headings, `-` lists, [links](https://…) and bare URLs. Differences
 * left as they are: `__x__` shows underlined (bold in Mattermost), headings past `###` and
 * tables show as typed. Raw HTML is never markup in Mattermost: it shows as typed here too.
 *
 * Before the markdown pass, what Mattermost itself resolves is cut out of the text and replaced
 * by placeholders (outside code and URLs): `@username` of a person the envelope names becomes a
 * person reference (collector/store/person-refs.ts, id `mattermost:<username>`), `~channel` its
 * display name, `:shortcode:` its emoji (custom emoji stay `:name:`). The placeholders are
 * private-use characters removed from the text first, so a message cannot forge one.
 *
 * System posts (`system_join_channel`…, or the same sentences in exports that left out the type)
 * are Mattermost's own English sentence with the usernames in it as person references.
 */
import { personText } from '../store/person-refs.js';
import { renderDiscordMarkdown } from './discord/index.js';
import { escapeHtml, safeHref, stripInvalidXml } from './html.js';
import { ensureSafeFragment } from './sanitize.js';
import { emojiOf } from './slack-emoji.js';
import { reactionsBlock, type Reaction } from './reactions.js';
import type { MarkupConverter, RenderedBody } from './types.js';

export interface MattermostEnvelope {
  message: string;
  /** The post's type when it is not an ordinary post: `system_…`, `me`. */
  type?: string;
  /** Display names of the people the post names (mentions, reactors, a system post's subjects), by username. */
  people?: Record<string, string>;
  /** Display names of the channels `~name` mentions, by name. */
  channels?: Record<string, string>;
  reactions?: MattermostReaction[];
  /** Message attachments of integrations (`props.attachments`). */
  cards?: MattermostCard[];
}

export interface MattermostReaction {
  /** Mattermost's emoji name (`+1`, `smile`, `thumbsup_light_skin_tone`, a custom emoji's name). */
  emoji: string;
  /** Usernames, in the order they reacted. */
  users: string[];
}

export interface MattermostCard {
  pretext?: string;
  author_name?: string;
  title?: string;
  title_link?: string;
  text?: string;
  fields?: { title?: string; value?: string }[];
  footer?: string;
  fallback?: string;
}

/** The person id the adapter gives a Mattermost user. */
export function mattermostPerson(username: string): string {
  return `mattermost:${username}`;
}

export const mattermost: MarkupConverter = (body, context) => {
  const env = body.charCodeAt(0) === 0x7b ? parseEnvelope(body) : null;
  if (!env) return withNames(body, NONE, NONE);
  const people = table(env.people);
  const channels = table(env.channels);
  let out: RenderedBody;
  if (context.kind === 'event') out = systemLine(env.message, people);
  else if (env.type === 'me') out = emote(env.message, people, channels);
  else out = withNames(env.message, people, channels);
  const cards = Array.isArray(env.cards) ? env.cards.slice(0, MAX_PARTS) : [];
  for (const card of cards) if (isObject(card)) addCard(out, card as MattermostCard, people, channels);
  out.html += reactionsBlock(reactionsOf(env.reactions, people));
  return { html: ensureSafeFragment(out.html), text: out.text.trim() };
};

const MAX_PARTS = 100;
const NONE: ReadonlyMap<string, string> = new Map();

function parseEnvelope(body: string): MattermostEnvelope | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  return isObject(value) && typeof value.message === 'string' ? (value as unknown as MattermostEnvelope) : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? stripInvalidXml(v) : '';
}

/** An envelope's name table as a Map (names come from the export: `constructor` must find nothing). */
function table(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!isObject(value)) return out;
  for (const [key, name] of Object.entries(value).slice(0, 500)) if (str(name).trim()) out.set(key, str(name).trim());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Markdown with Mattermost's names

/** Placeholder delimiters: private-use characters, removed from the source first. */
const OPEN = '\uE010';
const CLOSE = '\uE011';
const PLACEHOLDERS = /[\uE010\uE011]/g;
const PLACEHOLDER = /\uE010(\d{1,6})\uE011/g;

/** What is never looked into for names: code blocks and spans, URLs (a `/@x` or `:x:` in a link is the link's). */
const SKIP = /```[\s\S]*?(?:```|$)|`[^`\n]*`|\b(?:https?:\/\/|mailto:)[^\s<>]*/gy;
// A `_` before `@` opens emphasis (`_@bob_`, whose text Mattermost shows as a mention) unless it
// is inside a word (`snake_@bob`).
const NAMED = /(?<![\p{L}\p{N}.-]|[\p{L}\p{N}]_)@([a-z0-9][a-z0-9._-]{0,63})|(?<![\p{L}\p{N}_~])~([a-z0-9][a-z0-9_-]{0,63})|:([a-z0-9_+-]{1,64}):/giu;

interface Piece {
  html: string;
  text: string;
}

/** Markdown with `@user`, `~channel` and `:emoji:` resolved as Mattermost shows them. */
function withNames(source: string, people: ReadonlyMap<string, string>, channels: ReadonlyMap<string, string>): RenderedBody {
  const clean = stripInvalidXml(source).replace(PLACEHOLDERS, '');
  const pieces: Piece[] = [];
  let shadow = '';
  let at = 0;
  // Walk the text: skipped spans are copied; names in the rest become placeholders.
  const names = (text: string): string =>
    text.replace(NAMED, (all: string, user?: string, channel?: string, emoji?: string) => {
      const piece = pieceOf(user, channel, emoji, people, channels);
      if (!piece) return all;
      pieces.push(piece);
      return `${OPEN}${pieces.length - 1}${CLOSE}`;
    });
  while (at < clean.length) {
    const next = nextSkip(clean, at);
    shadow += names(clean.slice(at, next.start)) + clean.slice(next.start, next.end);
    at = next.end;
  }
  const rendered = renderDiscordMarkdown(shadow);
  if (!pieces.length) return rendered;
  return {
    html: rendered.html.replace(PLACEHOLDER, (_, i: string) => pieces[Number(i)]?.html ?? ''),
    text: rendered.text.replace(PLACEHOLDER, (_, i: string) => pieces[Number(i)]?.text ?? ''),
  };
}

/** The next span not to look into at or after `from` (an empty one at the end). */
function nextSkip(s: string, from: number): { start: number; end: number } {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x60 && c !== 0x68 && c !== 0x6d) continue; // ` h m
    SKIP.lastIndex = i;
    const m = SKIP.exec(s);
    if (m && m[0].length) return { start: i, end: i + m[0].length };
  }
  return { start: s.length, end: s.length };
}

function pieceOf(
  user: string | undefined,
  channel: string | undefined,
  emoji: string | undefined,
  people: ReadonlyMap<string, string>,
  channels: ReadonlyMap<string, string>,
): Piece | null {
  if (user !== undefined) {
    // Mattermost allows a trailing `.` or `_` after a mention: `@bob.` is bob.
    const lower = user.toLowerCase();
    const trimmed = lower.replace(/[._-]+$/, '');
    const name = people.has(lower) ? lower : people.has(trimmed) ? trimmed : null;
    if (name === null) return null;
    const ref = personText(mattermostPerson(name), people.get(name)!);
    const rest = user.slice(name.length);
    return { html: `<span class="cc-mention">@${escapeHtml(ref)}</span>${escapeHtml(rest)}`, text: `@${ref}${rest}` };
  }
  if (channel !== undefined) {
    const shown = channels.get(channel);
    return shown ? { html: `<span class="cc-mention">~${escapeHtml(shown)}</span>`, text: `~${shown}` } : null;
  }
  const glyph = emoji === undefined ? undefined : emojiOf(slackName(emoji));
  return glyph ? { html: glyph, text: glyph } : null;
}

const TONES: [string, number][] = [['_medium_light_skin_tone', 3], ['_medium_dark_skin_tone', 5], ['_light_skin_tone', 2], ['_medium_skin_tone', 4], ['_dark_skin_tone', 6]];

/** Mattermost's emoji name in the form emojiOf() reads: skin tones as `::skin-tone-N`. */
function slackName(name: string): string {
  for (const [suffix, tone] of TONES) if (name.endsWith(suffix)) return `${name.slice(0, -suffix.length)}::skin-tone-${tone}`;
  return name;
}

/** An emoji name as shown: the emoji, else `:name:` (custom emoji: no images are published). */
export function emojiShown(name: string): string {
  return emojiOf(slackName(name)) ?? `:${name}:`;
}

// ---------------------------------------------------------------------------------------------
// System posts, /me, cards, reactions

/** A system post's sentence, with the usernames in it as person references. */
function systemLine(message: string, people: ReadonlyMap<string, string>): RenderedBody {
  let sentence = stripInvalidXml(message).replace(PLACEHOLDERS, '').trim();
  if (people.size) {
    const names = [...people.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}_.-])@?(?:${names.join('|')})(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])`, 'gu');
    sentence = sentence.replace(pattern, (name) => {
      const at = name.startsWith('@') ? '@' : '';
      const user = name.slice(at.length);
      return at + personText(mattermostPerson(user), people.get(user)!);
    });
  }
  return { html: `<span class="cc-event">${escapeHtml(sentence)}</span>`, text: sentence };
}

/** `/me waves`: shown as Mattermost shows it, in italics. */
function emote(message: string, people: ReadonlyMap<string, string>, channels: ReadonlyMap<string, string>): RenderedBody {
  const inner = withNames(message, people, channels);
  return { html: `<em>${inner.html}</em>`, text: inner.text };
}

function addCard(out: RenderedBody, card: MattermostCard, people: ReadonlyMap<string, string>, channels: ReadonlyMap<string, string>): void {
  const parts: string[] = [];
  const texts: string[] = [];
  const pretext = str(card.pretext);
  if (pretext.trim()) {
    const p = withNames(pretext, people, channels);
    out.html += p.html;
    out.text += `${out.text ? '\n' : ''}${p.text}`;
  }
  const author = str(card.author_name).trim();
  if (author) {
    parts.push(`<b>${escapeHtml(author)}</b>`);
    texts.push(author);
  }
  const title = str(card.title).trim();
  if (title) {
    const href = safeHref(str(card.title_link));
    parts.push(href ? `<a href="${escapeHtml(href)}" rel="nofollow noopener"><b>${escapeHtml(title)}</b></a>` : `<b>${escapeHtml(title)}</b>`);
    texts.push(title);
  }
  const fields = Array.isArray(card.fields) ? card.fields.slice(0, MAX_PARTS).filter(isObject) : [];
  const text = str(card.text) || (!title && !fields.length ? str(card.fallback) : '');
  if (text.trim()) {
    const t = withNames(text, people, channels);
    parts.push(t.html);
    texts.push(t.text);
  }
  for (const field of fields) {
    const name = str(field.title).trim();
    const value = withNames(str(field.value), people, channels);
    if (!name && !value.text) continue;
    parts.push(`${name ? `<b>${escapeHtml(name)}</b><br>` : ''}${value.html}`);
    texts.push(name ? `${name}: ${value.text}` : value.text);
  }
  const footer = str(card.footer).trim();
  if (footer) {
    parts.push(`<span class="cc-card-footer">${escapeHtml(footer)}</span>`);
    texts.push(footer);
  }
  if (!parts.length) return;
  out.html += `<blockquote class="cc-card">${parts.join('<br>')}</blockquote>`;
  out.text += `${out.text ? '\n' : ''}${texts.join('\n')}`;
}

/** Reactions by emoji name with who reacted (usernames, named by the envelope's people). */
function reactionsOf(value: unknown, people: ReadonlyMap<string, string>): Reaction[] {
  const out: Reaction[] = [];
  for (const reaction of Array.isArray(value) ? value.slice(0, MAX_PARTS) : []) {
    if (!isObject(reaction)) continue;
    const name = str(reaction.emoji).trim();
    if (!name) continue;
    const users = (Array.isArray(reaction.users) ? reaction.users.slice(0, MAX_PARTS) : []).map(str).filter((u) => u !== '');
    out.push({ emoji: emojiShown(name), reactors: users.map((u) => ({ id: mattermostPerson(u), name: people.get(u) ?? u })) });
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
