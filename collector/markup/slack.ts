/**
 * Slack message bodies (mrkdwn) → safe HTML + plain text.
 *
 * The Slack adapter (collector/sources/slack/) emits either the message's mrkdwn `text` as it is,
 * or, when the message has more to show (names of the people and channels it mentions, legacy
 * attachments: bot cards and link previews; reactions; an event's actor), a JSON envelope
 * `{"text", "names": {id: name}, "attachments": [card…], "reactions": [{name, count, users}…]}`
 * (slack-envelope.ts) whose `text` is still the message's own. A body starting with `{` is always
 * an envelope (the adapter wraps text that starts with `{`), so the two forms cannot be confused.
 * A converter sees one body and no users.json: `<@U…>`/`<#C…>` are named from the envelope's
 * `names`, else by their `|label`.
 *
 * Slack escapes `&`, `<` and `>` in a message's text and in every string of its cards (titles,
 * links, author and service names…): each is decoded exactly once before it is escaped for HTML.
 *
 * People are person references (collector/store/person-refs.ts), with the id the adapter gives
 * authors, `slack:<user or bot id>`: user mentions, reactors, a shared message's author, and the
 * links Slack writes to a member or an integration (`…slack.com/team/U…`, `/services/B…`). A link
 * to a Slack-hosted file (`…slack.com/files/<user id>/…`) shows its label only: its URL names the
 * uploader, and the message's attachment links to the same file.
 *
 * Here: the converter and the envelope's cards and reactions; the envelope's shape is
 * slack-envelope.ts, mrkdwn slack-mrkdwn.ts, emoji slack-emoji.ts.
 */
import { personText } from '../store/person-refs.js';
import { escapeHtml, stripInvalidXml } from './html.js';
import { ensureSafeFragment } from './sanitize.js';
import { emojiOf } from './slack-emoji.js';
import { reactionsBlock, type Reaction, type Reactor } from './reactions.js';
import { SLACK_ID, slackPerson, type SlackCard, type SlackEnvelope } from './slack-envelope.js';
import { decodeSlack, hrefOf, NO_NAMES, renderText, writeMrkdwn, type Names, type Output } from './slack-mrkdwn.js';
import type { MarkupConverter, RenderedBody } from './types.js';

export const SLACK_DELETED_HTML = '<span class="cc-deleted">This message was deleted.</span>';

export const slack: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: SLACK_DELETED_HTML, text: '' };
  const envelope = body.charCodeAt(0) === 0x7b ? parseEnvelope(body) : null;
  if (!envelope) return renderText(body);
  return renderEnvelope(envelope);
};

// ---------------------------------------------------------------------------------------------
// Envelope

function parseEnvelope(body: string): SlackEnvelope | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isObject(value) || typeof value.text !== 'string') return null;
  return value as unknown as SlackEnvelope;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? stripInvalidXml(v) : '';
}

/** Cards and reactions a hostile envelope can hold at most (a real message has a handful). */
const MAX_PARTS = 100;

function renderEnvelope(envelope: SlackEnvelope): RenderedBody {
  const out: Output = { html: '', text: '' };
  const names: Names = isObject(envelope.names) ? envelope.names : NO_NAMES;
  writeMrkdwn(shownText(envelope), out, names);
  const cards = Array.isArray(envelope.attachments) ? envelope.attachments.slice(0, MAX_PARTS) : [];
  for (const card of cards) if (isObject(card)) writeCard(card as SlackCard, out, names);
  const reactions: Reaction[] = [];
  for (const reaction of Array.isArray(envelope.reactions) ? envelope.reactions.slice(0, MAX_PARTS) : []) {
    if (!isObject(reaction)) continue;
    const name = str(reaction.name);
    if (!name) continue;
    const users = Array.isArray(reaction.users) ? reaction.users.slice(0, MAX_PARTS).map(reactor).filter((r) => r !== null) : [];
    const count = typeof reaction.count === 'number' ? reaction.count : undefined;
    reactions.push({ emoji: emojiOf(name) ?? `:${name}:`, count, reactors: users });
  }
  out.html += reactionsBlock(reactions);
  return { html: ensureSafeFragment(out.html), text: out.text.trim() };
}

/**
 * The text as Slack shows it: the message's own, else its blocks' (an app's message), else an
 * event's subtype in words; an event whose text leaves out who did it (bot_add) starts with them.
 */
function shownText(envelope: SlackEnvelope): string {
  let text = str(envelope.text);
  if (!text.trim()) text = str(envelope.blocks);
  if (!text.trim() && str(envelope.subtype)) text = str(envelope.subtype).replace(/_/g, ' ');
  const actor = str(envelope.actor);
  if (SLACK_ID.test(actor) && !text.startsWith('<@')) text = `<@${actor}> ${text}`;
  return text;
}

/** A reactor as a person (null for nothing usable). */
function reactor(value: unknown): Reactor | null {
  if (typeof value === 'string') return str(value) ? { id: '', name: str(value) } : null;
  if (!isObject(value)) return null;
  const id = str(value.id);
  const name = str(value.name);
  if (!SLACK_ID.test(id)) return name ? { id: '', name } : null;
  return { id: slackPerson(id), name: name || id };
}

/** A card as Slack draws it: pretext above, then a bar with author, title, text, fields, footer. */
function writeCard(card: SlackCard, out: Output, names: Names): void {
  const pretext = str(card.pretext);
  if (pretext) writeMrkdwn(pretext, out, names);
  const inner: Output = { html: '', text: '' };
  // Fields shown as plain text or used as links: Slack's escaping undone here (mrkdwn ones undo it as they are read).
  const authorName = decodeSlack(str(card.author_name));
  const authorId = str(card.author_id);
  const known = SLACK_ID.test(authorId) && Object.hasOwn(names, authorId) ? str(names[authorId]) : '';
  const author = authorName && SLACK_ID.test(authorId) ? personText(slackPerson(authorId), known || authorName) : authorName || decodeSlack(str(card.service_name));
  if (author) line(inner, `<b>${escapeHtml(author)}</b>`, author);
  const title = str(card.title);
  if (title) {
    const href = hrefOf(decodeSlack(str(card.title_link)));
    // A title is plain text in Slack (and a link in a link is no link).
    const label = renderText(title, names).text;
    line(inner, href ? `<a href="${escapeHtml(href)}" rel="nofollow noopener"><b>${escapeHtml(label)}</b></a>` : `<b>${escapeHtml(label)}</b>`, label);
  }
  const text = str(card.text) || (!title && !pretext && !(Array.isArray(card.fields) && card.fields.length) ? str(card.fallback) : '');
  if (text) {
    const body: Output = { html: '', text: '' };
    writeMrkdwn(text, body, names);
    line(inner, body.html, body.text);
  }
  if (Array.isArray(card.fields)) {
    for (const field of card.fields.slice(0, MAX_PARTS)) {
      if (!isObject(field)) continue;
      const name = decodeSlack(str(field.title));
      const value = renderText(str(field.value), names);
      if (!name && !value.text) continue;
      line(inner, `${name ? `<b>${escapeHtml(name)}</b>${value.html ? '<br>' : ''}` : ''}${value.html}`, name ? `${name}: ${value.text}` : value.text);
    }
  }
  const image = hrefOf(decodeSlack(str(card.image_url)));
  if (image && !image.toLowerCase().startsWith('mailto:')) line(inner, `<a href="${escapeHtml(image)}" rel="nofollow noopener">🖼 image</a>`, '');
  const footer = str(card.footer);
  if (footer) {
    const f = renderText(footer, names);
    line(inner, `<span class="cc-card-footer">${f.html}</span>`, f.text);
  }
  if (!inner.html) return;
  if (out.text) out.text += '\n';
  out.html += `<blockquote class="cc-card">${inner.html}</blockquote>`;
  out.text += `> ${inner.text.replace(/\n/g, '\n> ')}`;
}

function line(out: Output, html: string, text: string): void {
  if (!html) return;
  if (out.html) out.html += '<br>';
  out.html += html;
  if (text) out.text += (out.text ? '\n' : '') + text;
}
