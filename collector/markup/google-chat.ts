/**
 * Google Chat (Takeout) bodies → safe HTML + plain text.
 *
 * The adapter (collector/sources/google-chat/) writes each body as a JSON envelope: the message's
 * text as Takeout gave it (plain text: Google Chat's `*bold*` is already resolved into format
 * annotations), the annotation spans it reads (links, mentions with the person's id, bold,
 * italic, strike, monospace) by UTF-16 offset into the text, links an annotation carries that the
 * text does not show (a Drive file, a meeting), the quoted message, and reactions with who
 * reacted. Mentions, quote authors and reactors are person references (collector/store/person-refs.ts).
 *
 * Classes: cc-mention, cc-quote, cc-card, cc-deleted; reactions as the Teams converter draws them.
 */
import { personHtml, personText } from '../store/person-refs.js';
import { escapeHtml, linesToHtml, linkifyLines, safeHref, stripInvalidXml } from './html.js';
import { ensureSafeFragment } from './sanitize.js';
import { reactionChips } from './teams.js';
import type { MarkupConverter } from './types.js';

/** `id` is the adapter's person id (`gchat:<email>`), or '' for a name only. */
export interface GooglePerson {
  id: string;
  name: string;
}

export type GoogleFormat = 'b' | 'i' | 's' | 'code';

export interface GoogleSpan {
  start: number;
  length: number;
  link?: string;
  person?: GooglePerson;
  format?: GoogleFormat;
}

export interface GoogleChatEnvelope {
  text: string;
  spans?: GoogleSpan[];
  /** Links the text does not show: `[url, title]`. */
  cards?: [string, string][];
  quote?: { author?: GooglePerson; text: string };
  reactions?: { emoji: string; users: GooglePerson[] }[];
}

export const GOOGLE_CHAT_DELETED_HTML = '<span class="cc-deleted">This message was deleted.</span>';

/** Spans, cards and reactions drawn at most from one envelope (real messages have few). */
const MAX_ITEMS = 200;
const FORMATS = new Set(['b', 'i', 's', 'code']);

export const googleChat: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: GOOGLE_CHAT_DELETED_HTML, text: '' };
  const env = envelopeOf(body);
  const { html, text } = renderText(stripInvalidXml(env.text), items(env.spans));
  let out = quoteHtml(env.quote) + html;
  for (const card of items<unknown>(env.cards)) {
    const href = Array.isArray(card) && typeof card[0] === 'string' ? safeHref(card[0]) : null;
    const title = Array.isArray(card) && typeof card[1] === 'string' ? stripInvalidXml(card[1]).trim() : '';
    if (href) out += `<blockquote class="cc-card"><a href="${escapeHtml(href)}" rel="nofollow noopener">${escapeHtml(title || href)}</a></blockquote>`;
  }
  return { html: ensureSafeFragment(out + reactionChips(env.reactions)), text };
};

function envelopeOf(body: string): GoogleChatEnvelope {
  if (body.charCodeAt(0) === 0x7b) {
    try {
      const value: unknown = JSON.parse(body);
      if (isObject(value) && typeof value.text === 'string') return value as unknown as GoogleChatEnvelope;
    } catch {
      // plain text that starts with `{`
    }
  }
  return { text: body };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function items<T = Record<string, unknown>>(value: unknown): T[] {
  return Array.isArray(value) ? (value.slice(0, MAX_ITEMS) as T[]) : [];
}

function personOf(value: unknown): GooglePerson | null {
  if (!isObject(value)) return null;
  const id = typeof value.id === 'string' ? stripInvalidXml(value.id) : '';
  const name = typeof value.name === 'string' ? stripInvalidXml(value.name) : '';
  return id || name ? { id, name } : null;
}

/** The text with its spans applied: cut at every span edge, each piece wrapped in what covers it. */
function renderText(text: string, raw: unknown[]): { html: string; text: string } {
  const spans = raw.filter(isObject).flatMap((s) => {
    const start = s.start;
    const length = s.length;
    if (typeof start !== 'number' || typeof length !== 'number' || !Number.isInteger(start) || !Number.isInteger(length)) return [];
    if (start < 0 || length <= 0 || start + length > text.length) return [];
    const link = typeof s.link === 'string' ? safeHref(s.link) : null;
    const person = personOf(s.person);
    const format = typeof s.format === 'string' && FORMATS.has(s.format) ? s.format : null;
    return link || person || format ? [{ start, end: start + length, link, person, format }] : [];
  });
  if (!spans.length) return { html: linkifyLines(text), text };
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
  let html = '';
  let plain = '';
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [from, to] = [cuts[i], cuts[i + 1]];
    const over = spans.filter((s) => s.start <= from && s.end >= to);
    const mention = over.find((s) => s.person);
    if (mention) {
      // A mention shows its person once, in place of the span's text.
      if (mention.start === from) {
        const who = mention.person!.name ? mention.person! : { ...mention.person!, name: text.slice(mention.start, mention.end).replace(/^[@+]/, '') };
        html += `<span class="cc-mention">@${personHtml(who.id, who.name, escapeHtml)}</span>`;
        plain += `@${personText(who.id, who.name)}`;
      }
      continue;
    }
    const piece = text.slice(from, to);
    plain += piece;
    const link = over.find((s) => s.link)?.link;
    let inner = link ? linesToHtml(piece).replace(/<a [^>]*>|<\/a>/g, '') : linkifyLines(piece);
    for (const f of ['code', 's', 'i', 'b'] as const) if (over.some((s) => s.format === f)) inner = `<${f}>${inner}</${f}>`;
    html += link ? `<a href="${escapeHtml(link)}" rel="nofollow noopener">${inner}</a>` : inner;
  }
  return { html, text: plain };
}

function quoteHtml(quote: unknown): string {
  if (!isObject(quote)) return '';
  const author = personOf(quote.author);
  const body = typeof quote.text === 'string' ? stripInvalidXml(quote.text).trim() : '';
  const head = author ? `<b>${personHtml(author.id, author.name, escapeHtml)}</b>${body ? '<br>' : ''}` : '';
  return head || body ? `<blockquote class="cc-quote">${head}${linesToHtml(body)}</blockquote>` : '';
}
