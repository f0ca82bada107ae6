/**
 * Microsoft Teams message bodies → safe HTML + plain text.
 *
 * The Teams adapter (collector/sources/teams/) writes every body as a JSON envelope (TeamsEnvelope):
 * the message's HTML (or text) content as Teams stored it, plus what that HTML refers to and a
 * converter cannot look up itself: the `<attachment id>` entries, the `<at id>` mentions with the
 * person's id, reactions with who reacted, and a system event's details. A body that is not such
 * an envelope is taken as HTML content.
 *
 * Teams HTML: `<p>`, `<b>`, lists, links, `<at id="0">Name</at>` (→ a person reference),
 * `<attachment id="…"></attachment>` (→ the entry: a quoted message, a card's text, a file's name;
 * files themselves are the record's attachments), `<emoji alt="🙂">` (→ the emoji),
 * `<img>` (→ "🖼 image": Graph-hosted images need a login, and the allow-list has no images),
 * `<systemEventMessage/>`. Everything else goes through sanitizeFragment() like any foreign HTML;
 * the plain text is read back from the sanitized HTML. The tag scanner is linear on hostile input:
 * a tag that never closes, or an element whose end tag never comes, is remembered as such.
 *
 * Classes: cc-mention, cc-quote, cc-card, cc-image, cc-deleted, the reaction chips' (reactions.ts);
 * system lines are the site's cc-event / cc-call.
 */
import { personHtml } from '../store/person-refs.js';
import { formatDuration } from './duration.js';
import { decodeEntities, escapeHtml, linesToHtml, stripInvalidXml } from './html.js';
import { ensureSafeFragment, sanitizeFragment } from './sanitize.js';
import { reactionsBlock } from './reactions.js';
import type { MarkupConverter, RenderedBody } from './types.js';

/** A person as the envelope names them: `id` is the adapter's person id (`teams:…`), or '' for a name only. */
export interface TeamsPerson {
  id: string;
  name: string;
}

export interface TeamsEnvelope {
  /** Body.Content as Teams stored it. */
  content: string;
  /** Body.ContentType was `text`: the content is shown as written. */
  text?: boolean;
  /** A channel post's subject line. */
  subject?: string;
  /** Attachments by their id: `file` (a name), `quote` (a quoted or replied-to message), `card` (text of a card). */
  parts?: { id: string; kind: 'file' | 'quote' | 'card'; name?: string; text?: string; author?: TeamsPerson }[];
  /** Mentions by their `<at id>`. */
  mentions?: { id: string; person: TeamsPerson }[];
  /** One entry per emoji, with who reacted. */
  reactions?: { emoji: string; users: TeamsPerson[] }[];
  /** A system event (collector/sources/teams/events.ts). */
  event?: TeamsEvent;
}

export interface TeamsEvent {
  /** Graph's event name without its suffix: `membersAdded`, `callEnded`, `chatRenamed`… ('' when the export gives none). */
  type: string;
  actor?: TeamsPerson;
  members?: TeamsPerson[];
  /** A new name, description, app or recording name. */
  name?: string;
  /** A call's duration. */
  seconds?: number;
}

export const TEAMS_DELETED_HTML = '<span class="cc-deleted">This message has been deleted.</span>';

/** Parts, mentions, reactions, members drawn at most from one envelope (real messages have few). */
const MAX_ITEMS = 100;

export const teams: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: TEAMS_DELETED_HTML, text: '' };
  const env = envelopeOf(body);
  if (isObject(env.event)) return eventLine(env.event, context.kind);
  const out = renderContent(env);
  const chips = reactionChips(env.reactions);
  return chips ? { html: out.html + ensureSafeFragment(chips), text: out.text } : out;
};

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function textOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function envelopeOf(body: string): JsonObject {
  if (body.charCodeAt(0) === 0x7b) {
    try {
      const value: unknown = JSON.parse(body);
      if (isObject(value) && typeof value.content === 'string') return value;
    } catch {
      // not an envelope: HTML that starts with `{`
    }
  }
  return { content: body };
}

function items(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.slice(0, MAX_ITEMS).filter(isObject) : [];
}

function personOf(value: unknown): TeamsPerson | null {
  if (!isObject(value)) return null;
  const name = stripInvalidXml(textOf(value.name));
  const id = stripInvalidXml(textOf(value.id));
  return id || name ? { id, name } : null;
}

function ref(p: TeamsPerson): string {
  return personHtml(p.id, p.name, escapeHtml);
}

// ---------------------------------------------------------------------------------------------
// Content

function renderContent(env: JsonObject): RenderedBody {
  const content = stripInvalidXml(textOf(env.content));
  let html = env.text === true ? linesToHtml(content) : rewrite(content, env);
  const subject = stripInvalidXml(textOf(env.subject)).trim();
  if (subject) html = `<p><b>${escapeHtml(subject)}</b></p>${html}`;
  const clean = sanitizeFragment(html);
  return { html: clean, text: textOfHtml(clean) };
}

/** Teams' own elements replaced by allow-listed HTML; the rest is left for the sanitizer. */
function rewrite(src: string, env: JsonObject): string {
  const parts = new Map(items(env.parts).map((p) => [textOf(p.id), p]));
  const mentions = new Map(items(env.mentions).map((m) => [textOf(m.id), personOf(m.person)]));
  const used = new Set<string>();
  const ends = new EndTags(src);
  let out = '';
  let i = 0;
  let tagsEnd = false; // a `<` that opened no complete tag: none after it does either
  while (i < src.length) {
    const lt = tagsEnd ? -1 : src.indexOf('<', i);
    if (lt === -1) {
      out += src.slice(i);
      break;
    }
    out += src.slice(i, lt);
    const tag = readTag(src, lt);
    if (tag === 'unclosed') tagsEnd = true;
    if (typeof tag !== 'object') {
      out += '&lt;';
      i = lt + 1;
      continue;
    }
    i = tag.end;
    if (tag.close) {
      if (!SWALLOWED.has(tag.name)) out += src.slice(lt, tag.end);
      continue;
    }
    const id = attribute(tag.attrs, 'id');
    if (tag.name === 'at') {
      const end = ends.after('at', i);
      const shown = decodeEntities(src.slice(i, end === -1 ? i : end.start).replace(/<[^>]*>/g, '')).trim();
      const person = mentions.get(id) ?? (shown ? { id: '', name: shown } : null);
      if (end !== -1) i = end.end;
      if (person) out += `<span class="cc-mention">${ref(person.name ? person : { ...person, name: shown })}</span>`;
    } else if (tag.name === 'attachment') {
      const end = ends.after('attachment', i);
      if (end !== -1) i = end.end;
      const part = parts.get(id);
      if (part && !used.has(id)) {
        used.add(id);
        out += partHtml(part);
      }
    } else if (tag.name === 'emoji') {
      const end = ends.after('emoji', i);
      if (end !== -1) i = end.end;
      out += escapeHtml(attribute(tag.attrs, 'alt'));
    } else if (tag.name === 'img') {
      const alt = attribute(tag.attrs, 'alt');
      out += /emoji/i.test(attribute(tag.attrs, 'itemtype')) && alt ? escapeHtml(alt) : '<span class="cc-image">🖼 image</span>';
    } else if (tag.name !== 'systemeventmessage') {
      out += src.slice(lt, tag.end);
    }
  }
  // Quotes and cards the HTML does not place: quotes before the text, cards after it.
  let before = '';
  for (const [id, part] of parts) {
    if (used.has(id) || part.kind === 'file') continue;
    if (part.kind === 'quote') before += partHtml(part);
    else out += partHtml(part);
  }
  return before + out;
}

/** End tags this converter consumed with their element. */
const SWALLOWED = new Set(['at', 'attachment', 'emoji', 'systemeventmessage']);

function partHtml(part: JsonObject): string {
  const body = stripInvalidXml(textOf(part.text)).trim();
  if (part.kind === 'file') return escapeHtml(stripInvalidXml(textOf(part.name)));
  if (part.kind === 'quote') {
    const author = personOf(part.author);
    const head = author ? `<b>${ref(author)}</b>${body ? '<br>' : ''}` : '';
    return `<blockquote class="cc-quote">${head}${linesToHtml(body)}</blockquote>`;
  }
  return body ? `<blockquote class="cc-card">${linesToHtml(body)}</blockquote>` : '';
}

interface Tag {
  name: string;
  close: boolean;
  attrs: string;
  end: number;
}

const TAG_START = /<(\/?)([A-Za-z][A-Za-z0-9:-]*)/y;

/** The tag at `lt`: not a tag (a lone `<`), or one that never ends (`unclosed`). Quotes are followed. */
function readTag(src: string, lt: number): Tag | 'text' | 'unclosed' {
  TAG_START.lastIndex = lt;
  const m = TAG_START.exec(src);
  if (!m) return 'text';
  let quote = 0;
  for (let j = lt + m[0].length; j < src.length; j++) {
    const c = src.charCodeAt(j);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) {
      quote = c;
    } else if (c === 0x3e) {
      return { name: m[2].toLowerCase(), close: m[1] === '/', attrs: src.slice(lt + m[0].length, j), end: j + 1 };
    }
  }
  return 'unclosed';
}

const ATTRIBUTE = /([^\s"'=<>`/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

function attribute(attrs: string, name: string): string {
  for (const m of attrs.matchAll(ATTRIBUTE)) {
    if (m[1].toLowerCase() === name) return decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return '';
}

/** Finds `</name>` after a position, remembering where none is left, so hostile input stays linear. */
class EndTags {
  private readonly last = new Map<string, { from: number; found: { start: number; end: number } | -1 }>();

  constructor(private readonly src: string) {}

  after(name: string, from: number): { start: number; end: number } | -1 {
    const seen = this.last.get(name);
    if (seen && (seen.found === -1 || (seen.from <= from && seen.found.start >= from))) return seen.found;
    const re = new RegExp(`</${name}\\s*>`, 'gi');
    re.lastIndex = from;
    const m = re.exec(this.src);
    const found = m ? { start: m.index, end: m.index + m[0].length } : -1;
    this.last.set(name, { from, found });
    return found;
  }
}

const BLOCK_END = /<br>|<\/(?:p|li|blockquote|pre|ul|ol)>/g;

/** Plain text of sanitized HTML: block ends are line breaks, entities decoded. */
function textOfHtml(html: string): string {
  const lines = html.replace(BLOCK_END, '\n').replace(/<[^>]*>/g, '');
  return decodeEntities(lines).replace(/[ \t\u00a0]+\n/g, '\n').replace(/\n{2,}/g, '\n').trim();
}

// ---------------------------------------------------------------------------------------------
// Reactions

/** `{emoji, users, count?}` entries (Teams, Google Chat) as chips: how many, and who. */
export function reactionChips(value: unknown): string {
  return reactionsBlock(
    items(value).map((r) => ({
      emoji: textOf(r.emoji),
      count: typeof r.count === 'number' ? r.count : undefined,
      reactors: items(r.users).map(personOf).filter((p): p is TeamsPerson => p !== null),
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// System events

/** Sentences by event type: {actor}, {members}, {name}, {duration}. */
const SENTENCES: Record<string, string> = {
  membersAdded: '{actor} added {members}',
  membersDeleted: '{actor} removed {members}',
  membersJoined: '{members} joined',
  membersLeft: '{members} left',
  chatRenamed: '{actor} renamed the chat to “{name}”',
  channelRenamed: '{actor} renamed the channel to “{name}”',
  channelAdded: '{actor} added the channel “{name}”',
  channelDeleted: '{actor} deleted the channel “{name}”',
  channelDescriptionUpdated: '{actor} changed the channel description to “{name}”',
  teamCreated: '{actor} created the team',
  teamRenamed: '{actor} renamed the team to “{name}”',
  teamDescriptionUpdated: '{actor} changed the team description to “{name}”',
  teamArchived: '{actor} archived the team',
  teamUnarchived: '{actor} unarchived the team',
  messagePinned: '{actor} pinned a message',
  messageUnpinned: '{actor} unpinned a message',
  callStarted: '{actor} started a call',
  callEnded: 'Call ended after {duration}',
  callRecording: '{actor} recorded the call',
  callTranscript: '{actor} transcribed the call',
  teamsAppInstalled: '{actor} added the app “{name}”',
  teamsAppRemoved: '{actor} removed the app “{name}”',
  teamsAppUpgraded: '{actor} upgraded the app “{name}”',
  conversationMemberRoleUpdated: '{actor} changed the role of {members}',
  tabUpdated: '{actor} updated a tab',
  meetingPolicyUpdated: '{actor} changed the meeting options',
};

function eventLine(event: JsonObject, kind: string): RenderedBody {
  const type = textOf(event.type);
  const actor = personOf(event.actor);
  const members = items(event.members).map(personOf).filter((p): p is TeamsPerson => p !== null);
  const name = stripInvalidXml(textOf(event.name)).trim();
  const seconds = typeof event.seconds === 'number' && Number.isFinite(event.seconds) && event.seconds >= 0 ? Math.round(event.seconds) : null;
  let template = Object.hasOwn(SENTENCES, type) ? SENTENCES[type] : '';
  if (type === 'membersDeleted' && actor && members.length === 1 && members[0].id === actor.id) template = '{members} left';
  if (type === 'callEnded') template = seconds === null ? 'Call ended' : template;
  if (/“\{name\}”/.test(template) && !name) template = template.replace(/ (to )?“\{name\}”/, '');
  if (type === 'callEnded' && members.length) template += ' ({members})';
  if (!template) template = type ? `{actor}: ${words(type)}` : '{actor}: a system event the export gives no details of';
  let html = '';
  let text = '';
  for (const piece of template.split(/(\{[a-z]+\})/)) {
    if (piece === '{actor}') {
      html += actor ? ref(actor) : 'Someone';
    } else if (piece === '{members}') {
      html += members.length ? members.map(ref).join(', ') : 'someone';
    } else {
      html += escapeHtml(piece === '{name}' ? name : piece === '{duration}' ? formatDuration(seconds ?? 0) : piece);
    }
  }
  text = decodeEntities(html);
  return { html: ensureSafeFragment(`<span class="${kind === 'call' ? 'cc-call' : 'cc-event'}">${html}</span>`), text };
}

/** `teamsAppInstalled` → "teams app installed". */
function words(type: string): string {
  return type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().slice(0, 80);
}

