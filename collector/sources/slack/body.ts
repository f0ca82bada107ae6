/**
 * What a message shows besides its text, as the converter (collector/markup/slack.ts) reads it:
 * the current names of the ids it mentions, legacy attachments (cards, as the export has them),
 * reactions, and the text of Block Kit blocks for messages that have no `text`.
 */
import type { SlackCard, SlackReaction, SlackReactor } from '../../markup/slack-envelope.js';
import { isObject, str } from '../kit/fields.js';
import type { User } from './metadata.js';

/** The names a body's ids resolve to. */
export interface Directory {
  users: Map<string, User>;
  channelNames: Map<string, string>;
}

const MENTION = /<([@#])([A-Z0-9]+)(?:\|[^>]*)?>/g;

/**
 * The current names of the users and channels `texts` mention (`<@U123>`, `<#C123|old>`), and of
 * `userIds`: what the converter names them by, since it has no users.json. The texts stay as they
 * are. Undefined when there is none.
 */
export function namesOf(texts: Iterable<string>, userIds: Iterable<string>, context: Directory): Record<string, string> | undefined {
  const names: Record<string, string> = {};
  let any = false;
  const add = (id: string, name: string | null | undefined): void => {
    if (name && !Object.hasOwn(names, id)) {
      names[id] = name;
      any = true;
    }
  };
  for (const text of texts) {
    if (text.indexOf('<') === -1) continue;
    for (const [, sigil, id] of text.matchAll(MENTION)) add(id, sigil === '@' ? context.users.get(id)?.name : context.channelNames.get(id));
  }
  for (const id of userIds) add(id, context.users.get(id)?.name);
  return any ? names : undefined;
}

/** Names go into mrkdwn: Slack's own escaping of `&`, `<`, `>`. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const CARD_FIELDS = ['pretext', 'service_name', 'author_name', 'title', 'title_link', 'text', 'footer', 'fallback', 'image_url', 'from_url'] as const;

/** Legacy attachments: the fields a reader sees, as the export has them. */
export function cardsOf(value: unknown): SlackCard[] {
  if (!Array.isArray(value)) return [];
  const cards: SlackCard[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const card: SlackCard = {};
    for (const field of CARD_FIELDS) {
      const v = str(item[field]);
      if (v) card[field] = v;
    }
    // A shared message names its author: a person reference when it names a member.
    const authorId = str(item.author_id);
    if (authorId && card.author_name) card.author_id = authorId;
    if (Array.isArray(item.fields)) {
      const fields = item.fields.filter(isObject).map((f) => ({ title: str(f.title) ?? '', value: str(f.value) ?? '' }));
      if (fields.length) card.fields = fields;
    }
    if (Array.isArray(item.blocks) && !card.text) {
      const text = blocksText(item.blocks);
      if (text) card.text = text;
    }
    if (Object.keys(card).length) cards.push(card);
  }
  return cards;
}

/** Every string of a card that may mention someone (for namesOf). */
export function cardTexts(cards: SlackCard[]): string[] {
  const out: string[] = [];
  for (const card of cards) {
    for (const v of Object.values(card)) if (typeof v === 'string') out.push(v);
    for (const f of card.fields ?? []) out.push(f.title ?? '', f.value ?? '');
  }
  return out;
}

export function reactionsOf(value: unknown, users: Map<string, User>): SlackReaction[] {
  if (!Array.isArray(value)) return [];
  const out: SlackReaction[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const name = str(item.name);
    if (!name) continue;
    const ids = Array.isArray(item.users) ? item.users.filter((u): u is string => typeof u === 'string') : [];
    const count = typeof item.count === 'number' && Number.isSafeInteger(item.count) && item.count > 0 ? item.count : Math.max(ids.length, 1);
    out.push({ name, count, users: ids.map((id): SlackReactor => ({ id, name: users.get(id)?.name ?? id })) });
  }
  return out;
}

/** The text of Block Kit blocks (section, header, context; rich_text), for messages with no `text`. */
export function blocksText(blocks: unknown[]): string {
  const lines: string[] = [];
  const textOf = (v: unknown): string => (isObject(v) && typeof v.text === 'string' ? v.text : '');
  for (const block of blocks.slice(0, 100)) {
    if (!isObject(block)) continue;
    const t = textOf(block.text);
    if (t) lines.push(block.type === 'header' ? `*${t}*` : t);
    if (Array.isArray(block.fields)) for (const f of block.fields) if (textOf(f)) lines.push(textOf(f));
    if (Array.isArray(block.elements)) {
      const parts: string[] = [];
      collectRichText(block.elements, parts, 0);
      if (parts.length) lines.push(parts.join(''));
    }
  }
  return lines.join('\n');
}

/** rich_text elements → mrkdwn-ish text (links and mentions as Slack writes them in `text`). */
function collectRichText(elements: unknown[], out: string[], depth: number): void {
  if (depth > 8) return;
  for (const el of elements.slice(0, 1000)) {
    if (!isObject(el)) continue;
    switch (el.type) {
      case 'text':
        if (typeof el.text === 'string') out.push(escapeMrkdwn(el.text));
        break;
      case 'mrkdwn':
      case 'plain_text':
        if (typeof el.text === 'string') out.push(el.text);
        break;
      case 'link':
        if (typeof el.url === 'string') out.push(`<${el.url}${typeof el.text === 'string' ? `|${escapeMrkdwn(el.text)}` : ''}>`);
        break;
      case 'user':
        if (typeof el.user_id === 'string') out.push(`<@${el.user_id}>`);
        break;
      case 'channel':
        if (typeof el.channel_id === 'string') out.push(`<#${el.channel_id}>`);
        break;
      case 'emoji':
        if (typeof el.name === 'string') out.push(`:${el.name}:`);
        break;
      default:
        if (Array.isArray(el.elements)) {
          if (out.length && el.type !== 'rich_text_section') out.push('\n');
          collectRichText(el.elements, out, depth + 1);
        }
    }
  }
}
