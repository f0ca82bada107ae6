/**
 * What a message shows besides its text, as the converter (collector/markup/slack.ts) reads it:
 * mentions resolved to current names, legacy attachments (cards), reactions, and the text of
 * Block Kit blocks for messages that have no `text`.
 */
import type { SlackCard, SlackReaction, SlackReactor } from '../../markup/slack-envelope.js';
import { isObject, str } from '../kit/fields.js';
import type { User } from './metadata.js';

/** The names a body's ids resolve to. */
export interface Directory {
  users: Map<string, User>;
  channelNames: Map<string, string>;
}

const MENTION = /<([@#])([A-Z0-9]+)(?:\|([^>]*))?>/g;

/** `<@U123>` → `<@U123|alice>`, `<#C123>` → `<#C123|general>`: current names for the converter. */
export function resolveMentions(text: string, context: Directory): string {
  if (text.indexOf('<') === -1) return text;
  return text.replace(MENTION, (whole, sigil: string, id: string) => {
    const name = sigil === '@' ? context.users.get(id)?.name : context.channelNames.get(id);
    return name ? `<${sigil}${id}|${escapeMrkdwn(name)}>` : whole;
  });
}

/** Names go into mrkdwn: Slack's own escaping of `&`, `<`, `>`. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const CARD_FIELDS = ['pretext', 'service_name', 'author_name', 'title', 'title_link', 'text', 'footer', 'fallback', 'image_url', 'from_url'] as const;

/** Legacy attachments: the fields a reader sees, mentions resolved. */
export function cardsOf(value: unknown, context: Directory): SlackCard[] {
  if (!Array.isArray(value)) return [];
  const cards: SlackCard[] = [];
  for (const item of value) {
    if (!isObject(item)) continue;
    const card: SlackCard = {};
    for (const field of CARD_FIELDS) {
      const v = str(item[field]);
      if (v) card[field] = field.endsWith('_url') || field === 'title_link' ? v : resolveMentions(v, context);
    }
    // A shared message names its author: a person reference when it names a member.
    const authorId = str(item.author_id);
    if (authorId && card.author_name) {
      card.author_id = authorId;
      card.author_name = context.users.get(authorId)?.name ?? card.author_name;
    }
    if (Array.isArray(item.fields)) {
      const fields = item.fields.filter(isObject).map((f) => ({ title: str(f.title) ?? '', value: resolveMentions(str(f.value) ?? '', context) }));
      if (fields.length) card.fields = fields;
    }
    if (Array.isArray(item.blocks) && !card.text) {
      const text = blocksText(item.blocks);
      if (text) card.text = resolveMentions(text, context);
    }
    if (Object.keys(card).length) cards.push(card);
  }
  return cards;
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
