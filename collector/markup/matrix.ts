/**
 * Matrix message bodies → safe HTML + plain text.
 *
 * The Matrix adapter (collector/sources/matrix/) writes every body as a JSON envelope
 * (MatrixEnvelope): the event's `body` and, for `format: org.matrix.custom.html`, its
 * `formatted_body`, plus what a converter cannot look up itself: the attached file's name, a
 * location, reactions with who reacted, a room event's people. A body that is not such an envelope
 * is plain text.
 *
 * HTML (the spec's subset: `<b>`, `<a>`, lists, `<pre><code>`, `<blockquote>`, `<mx-reply>`…):
 * the reply fallback `<mx-reply>…</mx-reply>` is cut (the reply is the record's replyToKey), a
 * custom emoji `<img alt=":x:">` is its alt text, the rest goes through sanitizeFragment(); then a
 * link to a user (`https://matrix.to/#/@alice:example.org`) becomes a person reference with that
 * id, the one the adapter gives authors. Plain bodies lose their reply fallback (`> <@a:b> …`
 * lines before a blank line) when the event is a reply.
 *
 * Classes: cc-mention, cc-file, cc-encrypted, cc-deleted, the reaction chips' (reactions.ts);
 * room events are the site's cc-event lines.
 */
import { personHtml } from '../store/person-refs.js';
import { decodeEntities, escapeHtml, linesToHtml, stripInvalidXml } from './html.js';
import { ensureSafeFragment, sanitizeFragment } from './sanitize.js';
import { reactionsBlock, type Reaction } from './reactions.js';
import type { MarkupConverter, RenderedBody } from './types.js';

/** A person as the envelope names them: `id` is a Matrix user id (`@alice:example.org`), or '' for a name only. */
export interface MatrixPerson {
  id: string;
  name: string;
}

export interface MatrixEnvelope {
  /** content.body (the plain text, or the file name of media without a caption). */
  body: string;
  /** content.formatted_body when content.format is org.matrix.custom.html. */
  html?: string;
  /** The event replies to another: its reply fallback is dropped. */
  reply?: boolean;
  /** The attached file's name (image, video, audio, file, sticker). */
  file?: string;
  /** A location's `geo:` URI. */
  geo?: string;
  /** An end-to-end encrypted event the export could not decrypt. */
  encrypted?: boolean;
  /** A room event (collector/sources/matrix/room-events.ts). */
  event?: MatrixRoomEvent;
  reactions?: { emoji: string; users: MatrixPerson[] }[];
}

export interface MatrixRoomEvent {
  /** A key of SENTENCES below. */
  type: string;
  actor?: MatrixPerson;
  target?: MatrixPerson;
  /** A new topic or room name; a kick's or ban's reason. */
  text?: string;
  /** Display names before and after a change (shown as names: the person's id would show the latest). */
  from?: string;
  to?: string;
}

export const MATRIX_DELETED_HTML = '<span class="cc-deleted">This message was deleted.</span>';
const ENCRYPTED_HTML = '<span class="cc-encrypted">🔒 An encrypted message that could not be decrypted</span>';
const MAX_ITEMS = 100;

export const matrix: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: MATRIX_DELETED_HTML, text: '' };
  const env = envelopeOf(body);
  if (env.encrypted === true) return { html: ENCRYPTED_HTML, text: '' };
  if (isObject(env.event)) return eventLine(env.event);
  const out = content(env);
  const chips = reactionsBlock(reactionsOf(env.reactions));
  return chips ? { html: ensureSafeFragment(out.html + chips), text: out.text } : out;
};

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function textOf(v: unknown): string {
  return typeof v === 'string' ? stripInvalidXml(v) : '';
}

function envelopeOf(body: string): JsonObject {
  if (body.charCodeAt(0) === 0x7b) {
    try {
      const value: unknown = JSON.parse(body);
      if (isObject(value) && typeof value.body === 'string') return value;
    } catch {
      // plain text that starts with `{`
    }
  }
  return { body };
}

function personOf(value: unknown): MatrixPerson | null {
  if (!isObject(value)) return null;
  const id = textOf(value.id);
  const name = textOf(value.name);
  return id || name ? { id, name } : null;
}

function ref(p: MatrixPerson): string {
  return personHtml(p.id, p.name, escapeHtml);
}

// ---------------------------------------------------------------------------------------------
// Content

function content(env: JsonObject): RenderedBody {
  const reply = env.reply === true;
  let html = typeof env.html === 'string' ? richHtml(textOf(env.html), reply) : linesToHtml(reply ? withoutReplyLines(textOf(env.body)) : textOf(env.body));
  const file = textOf(env.file);
  const geo = textOf(env.geo);
  if (geo) html = geoLink(geo, html);
  if (file) html = `<span class="cc-file">📎 ${escapeHtml(file)}</span>${html && html !== escapeHtml(file) ? `<br>${html}` : ''}`;
  return { html, text: textOfHtml(html) };
}

/** formatted_body → allow-listed HTML with mentions as person references. */
function richHtml(src: string, reply: boolean): string {
  let html = reply || /<mx-reply/i.test(src) ? withoutMxReply(src) : src;
  if (/<img/i.test(html)) html = html.replace(IMG, (tag) => escapeHtml(decodeEntities(ALT.exec(tag)?.[1] ?? ALT.exec(tag)?.[2] ?? '')));
  // A `matrix:u/alice:example.org` link (the Matrix URI scheme, MSC2312) is a mention too: as its
  // matrix.to form, or sanitizing would drop the link and leave the person's name as text.
  if (/matrix:u\//i.test(html)) html = html.replace(MATRIX_URI, (_all, quote: string, id: string) => `href=${quote}https://matrix.to/#/@${id}${quote}`);
  const clean = sanitizeFragment(html);
  if (!/matrix\.to/i.test(clean)) return clean;
  return ensureSafeFragment(clean.replace(MENTION, (all, id: string, inner: string) => {
    const user = userOf(id);
    if (!user) return all;
    return `<span class="cc-mention">${ref({ id: user, name: decodeEntities(inner.replace(/<[^>]*>/g, '')).trim() })}</span>`;
  }));
}

/** A link to a user in the Matrix URI scheme; the id up to its query or fragment. */
const MATRIX_URI = /href\s*=\s*(["'])matrix:u\/([^"'?#\s<>]{1,255})[^"'<>]*\1/gi;
// `[^<>]*` stops at the next tag: linear on any input.
const IMG = /<img\b[^<>]*>/gi;
const ALT = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
/**
 * A sanitized link to a matrix.to permalink, whatever other attributes it kept (a title) and
 * however its scheme and host are written (`HTTPS://Matrix.to`): each form a client may send.
 */
const MENTION = /<a\b[^<>]*?\bhref="https?:\/\/matrix\.to\/#\/([^"]*)"[^<>]*>([^]*?)<\/a>/gi;

/** The user id of a matrix.to fragment (`@alice:example.org`, `%40alice%3Aexample.org?via=…`), or null for rooms and events. */
function userOf(fragment: string): string | null {
  let id = decodeEntities(fragment).split('?')[0];
  try {
    id = decodeURIComponent(id);
  } catch {
    return null;
  }
  return /^@[^\s/:]+:[^\s/]+$/.test(id) && id.length <= 255 ? id : null;
}

/** The HTML without its `<mx-reply>` fallbacks; a fallback that never closes runs to the end. */
function withoutMxReply(src: string): string {
  const lower = src.toLowerCase();
  let out = '';
  let i = 0;
  for (;;) {
    const start = lower.indexOf('<mx-reply', i);
    if (start === -1) return out + src.slice(i);
    out += src.slice(i, start);
    const end = lower.indexOf('</mx-reply>', start);
    if (end === -1) return out;
    i = end + '</mx-reply>'.length;
  }
}

/** A plain reply's body without its fallback: the leading `> ` lines and the blank line after them. */
function withoutReplyLines(body: string): string {
  if (!body.startsWith('> ')) return body;
  const lines = body.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].startsWith('>')) i++;
  return i < lines.length && lines[i] === '' ? lines.slice(i + 1).join('\n') : body;
}

/** `geo:52.52,13.40` → a link to the place on OpenStreetMap (the allow-list has no `geo:` links). */
function geoLink(uri: string, html: string): string {
  const at = /^geo:(-?\d{1,3}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)/i.exec(uri);
  if (!at) return html;
  const url = `https://www.openstreetmap.org/?mlat=${at[1]}&mlon=${at[2]}`;
  return `📍 <a href="${escapeHtml(url)}" rel="nofollow noopener">${html || escapeHtml(`${at[1]}, ${at[2]}`)}</a>`;
}

const BLOCK_END = /<br>|<\/(?:p|li|blockquote|pre|ul|ol)>/g;

/** Plain text of sanitized HTML: block ends are line breaks, entities decoded. */
function textOfHtml(html: string): string {
  return decodeEntities(html.replace(BLOCK_END, '\n').replace(/<[^>]*>/g, '')).replace(/[ \t]+\n/g, '\n').replace(/\n{2,}/g, '\n').trim();
}

/** One entry per key with who reacted (the count is the people: one reaction each). */
function reactionsOf(value: unknown): Reaction[] {
  return (Array.isArray(value) ? value.slice(0, MAX_ITEMS) : []).filter(isObject).map((r) => ({
    emoji: textOf(r.emoji).trim().slice(0, 40),
    reactors: (Array.isArray(r.users) ? r.users.slice(0, MAX_ITEMS) : []).map(personOf).filter((p): p is MatrixPerson => p !== null),
  }));
}

// ---------------------------------------------------------------------------------------------
// Room events

/** Sentences by event type: {actor}, {target}, {text}, {from}, {to}. */
const SENTENCES: Record<string, string> = {
  created: '{actor} created the room',
  joined: '{target} joined the room',
  left: '{target} left the room',
  invited: '{actor} invited {target}',
  kicked: '{actor} removed {target}',
  banned: '{actor} banned {target}',
  unbanned: '{actor} unbanned {target}',
  rejected: '{target} rejected the invitation',
  withdrew: '{actor} withdrew the invitation of {target}',
  knocked: '{target} asked to join',
  renamed: '{target} changed their display name from {from} to {to}',
  named: '{target} set their display name to {to}',
  unnamed: '{target} removed their display name {from}',
  avatar: '{target} changed their profile picture',
  topic: '{actor} changed the topic to “{text}”',
  'topic-removed': '{actor} removed the topic',
  name: '{actor} changed the room name to “{text}”',
  'name-removed': '{actor} removed the room name',
  encryption: '{actor} turned on end-to-end encryption',
};

function eventLine(event: JsonObject): RenderedBody {
  const type = textOf(event.type);
  const actor = personOf(event.actor);
  const target = personOf(event.target) ?? actor;
  const extra = textOf(event.text).trim().slice(0, 2000);
  let template = Object.hasOwn(SENTENCES, type) ? SENTENCES[type] : '{actor}: a room event';
  if ((type === 'kicked' || type === 'banned') && extra) template += ': {text}';
  let html = '';
  for (const piece of template.split(/(\{[a-z]+\})/)) {
    if (piece === '{actor}' || piece === '{target}') {
      const who = piece === '{actor}' ? actor : target;
      html += who ? ref(who) : 'Someone';
    } else if (piece === '{from}' || piece === '{to}') {
      html += ref({ id: '', name: textOf(piece === '{from}' ? event.from : event.to) });
    } else {
      html += escapeHtml(piece === '{text}' ? extra : piece);
    }
  }
  return { html: ensureSafeFragment(`<span class="cc-event">${html}</span>`), text: decodeEntities(html) };
}
