/**
 * Messenger and Instagram message bodies (collector/sources/meta/) → safe HTML + plain text.
 *
 * The adapter always writes a JSON envelope (never bare text, so the two cannot be confused):
 *
 *   {"text", "share": {"link", "text"}, "event": "added"|"removed"|"left"|"call",
 *    "actor": {id, name}, "users": [{id, name}…], "duration", "missed",
 *    "reactions": [{"emoji", "by": {id, name}}…], "named": [{id, name}…]}
 *
 * Meta's own sentences for joins, leaves and calls ("Alice added Bob to the group.") bake names
 * into text; events are written here from `actor` and `users` as person references
 * (collector/store/person-refs.ts) instead, so the site can hide or pseudonymize them. Reactors
 * are person references too (collector/markup/reactions.ts). Text is plain (bare URLs linked,
 * line breaks kept). Classes: cc-event, cc-call, cc-share, cc-deleted, and the reaction chips'.
 */
import { personHtml, personText } from '../store/person-refs.js';
import { escapeHtml, linkifyLines, safeHref, stripInvalidXml } from './html.js';
import { ensureSafeFragment } from './sanitize.js';
import { formatDuration } from './duration.js';
import { reactionsBlock, type Reaction, type Reactor } from './reactions.js';
import type { MarkupConverter, RenderedBody } from './types.js';

export interface MetaPerson {
  id: string;
  name: string;
}

export interface MetaEnvelope {
  text?: string;
  share?: { link?: string; text?: string };
  event?: 'added' | 'removed' | 'left' | 'call';
  actor?: MetaPerson;
  users?: MetaPerson[];
  /** A call's length in seconds. */
  duration?: number;
  missed?: boolean;
  reactions?: { emoji: string; by?: MetaPerson }[];
  /** People whose names Meta's own sentence in `text` bakes in (sources/meta/records.ts): drawn there as references. */
  named?: MetaPerson[];
}

export const META_DELETED_HTML = '<span class="cc-deleted">This message was unsent.</span>';

/** People and reactions drawn at most from one envelope (a real message has a handful). */
const MAX_PARTS = 100;

export const meta: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: META_DELETED_HTML, text: '' };
  let envelope: unknown = null;
  try {
    envelope = JSON.parse(body);
  } catch {
    // not an envelope: shown as the text it is
  }
  if (!isObject(envelope)) return plainOut(body);
  return render(envelope as MetaEnvelope);
};

function plainOut(text: string): RenderedBody {
  const clean = stripInvalidXml(text);
  return { html: linkifyLines(clean), text: clean };
}

function render(env: MetaEnvelope): RenderedBody {
  const html: string[] = [];
  const text: string[] = [];
  const event = eventLine(env);
  if (event) {
    html.push(`<span class="${env.event === 'call' ? 'cc-call' : 'cc-event'}">${event.html}</span>`);
    text.push(event.text);
  }
  const own = stripInvalidXml(str(env.text));
  const share = isObject(env.share) ? env.share : null;
  const link = share ? safeHref(str(share.link)) : null;
  // A shared link's message text is often the link itself: shown once, in the share.
  const ownShown = own.trim() !== '' && !event && own.trim() !== link;
  if (ownShown) {
    const drawn = withPeople(own, env.named);
    html.push(drawn.html);
    text.push(drawn.text);
  }
  if (share) {
    const shareText = stripInvalidXml(str(share.text)).trim();
    const parts: string[] = [];
    if (link) parts.push(`<a href="${escapeHtml(link)}" rel="nofollow noopener">${escapeHtml(link)}</a>`);
    if (shareText) parts.push(linkifyLines(shareText));
    if (parts.length) html.push(`<span class="cc-share">${parts.join('<br>')}</span>`);
    // A link already in the message's text is not said twice.
    if (link && !(ownShown && own.includes(link))) text.push(link);
    if (shareText) text.push(shareText);
  }
  return { html: ensureSafeFragment(html.join('<br>') + reactionsBlock(grouped(env.reactions))), text: text.join('\n') };
}

/** Plain text with each occurrence of the `named` people's names drawn as a person reference. */
function withPeople(own: string, named: unknown): { html: string; text: string } {
  const people = (Array.isArray(named) ? named.slice(0, MAX_PARTS) : [])
    .filter(isObject)
    .map((p) => ({ name: stripInvalidXml(str(p.name)).trim(), ref: person(p) }))
    .filter((p): p is { name: string; ref: { html: string; text: string } } => p.name !== '' && p.ref !== null)
    .sort((a, b) => b.name.length - a.name.length);
  if (!people.length) return { html: linkifyLines(own), text: own };
  const html: string[] = [];
  const text: string[] = [];
  const byName = new Map(people.map((p) => [p.name, p.ref]));
  const pattern = new RegExp(people.map((p) => p.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  let at = 0;
  for (const m of own.matchAll(pattern)) {
    html.push(linkifyLines(own.slice(at, m.index)), byName.get(m[0])!.html);
    text.push(own.slice(at, m.index), byName.get(m[0])!.text);
    at = m.index! + m[0].length;
  }
  html.push(linkifyLines(own.slice(at)));
  text.push(own.slice(at));
  return { html: html.join(''), text: text.join('') };
}

/** "Alice added Bob and Carol", "Bob left the group", "Alice called · 3 min". */
function eventLine(env: MetaEnvelope): { html: string; text: string } | null {
  const kind = env.event;
  if (kind !== 'added' && kind !== 'removed' && kind !== 'left' && kind !== 'call') return null;
  const actor = person(env.actor);
  const users = (Array.isArray(env.users) ? env.users.slice(0, MAX_PARTS) : []).map(person).filter((p) => p !== null);
  const who = actor ?? { html: 'Someone', text: 'Someone' };
  const list = joined(users.length ? users : [{ html: 'someone', text: 'someone' }]);
  let rest: { html: string; text: string };
  if (kind === 'added') rest = sentence(' added ', list, '');
  else if (kind === 'removed') rest = sentence(' removed ', list, ' from the group');
  else if (kind === 'left') rest = { html: ' left the group', text: ' left the group' };
  else {
    const seconds = typeof env.duration === 'number' && Number.isFinite(env.duration) && env.duration > 0 ? Math.floor(env.duration) : 0;
    const said = seconds ? ` called · ${formatDuration(seconds)}` : env.missed === true ? ' called (missed)' : ' called';
    rest = { html: escapeHtml(said), text: said };
  }
  return { html: who.html + rest.html, text: who.text + rest.text };
}

function sentence(before: string, list: { html: string; text: string }, after: string): { html: string; text: string } {
  return { html: escapeHtml(before) + list.html + escapeHtml(after), text: before + list.text + after };
}

function joined(people: { html: string; text: string }[]): { html: string; text: string } {
  const sep = (i: number) => (i === 0 ? '' : i === people.length - 1 ? ' and ' : ', ');
  return {
    html: people.map((p, i) => escapeHtml(sep(i)) + p.html).join(''),
    text: people.map((p, i) => sep(i) + p.text).join(''),
  };
}

/** A person as a reference, or null for nothing usable. */
function person(value: unknown): { html: string; text: string } | null {
  if (!isObject(value)) return null;
  const name = stripInvalidXml(str(value.name)).trim();
  const id = stripInvalidXml(str(value.id));
  if (!name && !id) return null;
  return { html: personHtml(id, name, escapeHtml), text: personText(id, name) };
}

/** One reaction per person as Meta lists them, grouped by emoji in first-seen order. */
function grouped(value: unknown): Reaction[] {
  if (!Array.isArray(value)) return [];
  const groups = new Map<string, { count: number; reactors: Reactor[] }>();
  for (const reaction of value.slice(0, MAX_PARTS)) {
    if (!isObject(reaction)) continue;
    const emoji = stripInvalidXml(str(reaction.emoji)).trim();
    if (!emoji) continue;
    let group = groups.get(emoji);
    if (!group) groups.set(emoji, (group = { count: 0, reactors: [] }));
    group.count++;
    const by = isObject(reaction.by) ? reaction.by : null;
    if (by) group.reactors.push({ id: str(by.id), name: str(by.name) });
  }
  return [...groups].map(([emoji, g]) => ({ emoji, count: g.count, reactors: g.reactors }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
