import type { DiscordEmbed, DiscordEnvelope, DiscordReaction } from '../../markup/discord/envelope.js';
import type { MessageKind } from '../../model.js';
import { text, type JsonObject } from '../kit/fields.js';
import { displayName, idOf, record, upTo } from './records.js';
import { parseTimestamp } from './time.js';

/** The parts of a message a page shows besides its content, as the envelope carries them. */

/** Embeds with something to read (title, text, fields); image- and video-only ones are left out. */
function embedsOf(value: unknown): DiscordEmbed[] {
  const out: DiscordEmbed[] = [];
  for (const item of upTo(value, 10)) {
    const e = record(item);
    if (!e) continue;
    const embed: DiscordEmbed = {};
    const author = text(record(e.author)?.name).trim();
    const title = text(e.title).trim();
    const url = text(e.url).trim();
    const description = text(e.description);
    const fields = upTo(e.fields, 25)
      .map(record)
      .filter((f): f is JsonObject => f !== null)
      .map((f) => ({ name: text(f.name), value: text(f.value) }))
      .filter((f) => f.name.trim() || f.value.trim());
    const footer = text(record(e.footer)?.text).trim();
    if (!author && !title && !description.trim() && !fields.length && !footer) continue;
    if (author) embed.author = author;
    if (title) embed.title = title;
    if (url) embed.url = url;
    if (description.trim()) embed.description = description;
    if (fields.length) embed.fields = fields;
    if (footer) embed.footer = footer;
    out.push(embed);
  }
  return out;
}

/** Reactions as the app shows them: the emoji (`:name:` for a server's own), how many, and who (where listed). */
function reactionsOf(value: unknown): DiscordReaction[] {
  const out: DiscordReaction[] = [];
  for (const item of upTo(value, 50)) {
    const r = record(item);
    const emoji = record(r?.emoji);
    if (!r || !emoji) continue;
    const name = text(emoji.name).trim();
    const custom = idOf(emoji.id) !== null;
    const label = custom ? `:${name || 'emoji'}:` : name || (text(emoji.code) ? `:${text(emoji.code)}:` : '');
    if (!label) continue;
    const count = typeof r.count === 'number' && Number.isFinite(r.count) && r.count >= 0 ? Math.floor(r.count) : 1;
    const users = upTo(r.users, 100).flatMap((u) => {
      const user = record(u);
      const id = user ? idOf(user.id) : null;
      const name = displayName(user);
      return id || name ? [{ id: id ?? '', name: name ?? '' }] : [];
    });
    out.push(users.length ? { emoji: label, count, users } : { emoji: label, count });
  }
  return out;
}

/** What the envelope is made of besides the message object: what the reader worked out of it. */
export interface EnvelopeParts {
  content: string;
  kind: MessageKind;
  /** The message type as the exporter names it (or its number). */
  type: string;
  time: number;
  authorRaw: string;
  authorName: string | null;
  forwarded: JsonObject | null;
  stickers: string[];
  /** The names of this channel (and a thread's parent) for `<#id>`, asked only when the content has one. */
  channelNames: () => Record<string, string>;
}

/**
 * The envelope of a message (collector/markup/discord/envelope.ts): the content, and every part the
 * page shows besides it; people in it with their user ids, for the converter's person references.
 */
export function envelopeOf(msg: JsonObject, parts: EnvelopeParts): DiscordEnvelope {
  const { content, kind, type, time, forwarded, stickers } = parts;
  const envelope: DiscordEnvelope = { content };
  if (kind === 'event' || kind === 'call') {
    envelope.type = type;
    envelope.author = parts.authorName ?? parts.authorRaw;
    envelope.authorId = parts.authorRaw;
    const ended = typeof msg.callEndedTimestamp === 'string' ? parseTimestamp(msg.callEndedTimestamp) : NaN;
    if (type === 'Call' && Number.isFinite(ended) && ended >= time) envelope.callSeconds = Math.round((ended - time) / 1000);
    // "Started a thread.": the thread is the channel its reference names (the site links it).
    const ref = record(msg.reference);
    const thread = ref ? idOf(ref.channelId) : null;
    if (type === 'ThreadCreated' && thread) envelope.thread = { id: thread, guild: (ref && idOf(ref.guildId)) ?? '@me' };
  }
  const interaction = record(msg.interaction);
  if (interaction && text(interaction.name)) {
    const user = record(interaction.user);
    const userName = displayName(user);
    const userId = user ? idOf(user.id) : null;
    envelope.interaction = { name: text(interaction.name) };
    if (userName) envelope.interaction.user = userName;
    if (userName && userId) envelope.interaction.userId = userId;
  }
  const mentions: Record<string, string> = {};
  let anyMention = false;
  for (const u of upTo(msg.mentions, 200)) {
    const user = record(u);
    const id = user ? idOf(user.id) : null;
    const name = displayName(user);
    if (id && name && !Object.hasOwn(mentions, id)) {
      mentions[id] = name;
      anyMention = true;
    }
  }
  if (anyMention) envelope.mentions = mentions;
  if (content.includes('<#')) envelope.channels = parts.channelNames();
  if (forwarded && (text(forwarded.content) || upTo(forwarded.attachments, 1).length)) envelope.forwarded = { content: text(forwarded.content) };
  if (stickers.length) envelope.stickers = stickers;
  const embeds = embedsOf(msg.embeds);
  if (embeds.length) envelope.embeds = embeds;
  const reactions = reactionsOf(msg.reactions);
  if (reactions.length) envelope.reactions = reactions;
  if (msg.isPinned === true) envelope.pinned = true;
  return envelope;
}
