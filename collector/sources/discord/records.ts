import type { ChatRecord, MessageKind } from '../../model.js';
import { isObject, list, text, type JsonObject } from '../kit/fields.js';

/** Reading a DiscordChatExporter export's fields: ids, names, the chat's title and kind, message types. */

/** An object, else null. */
export function record(value: unknown): JsonObject | null {
  return isObject(value) ? value : null;
}

/** At most `max` entries of an array (a hostile export's lists are cut, not read whole). */
export function upTo(value: unknown, max: number): unknown[] {
  return list(value).slice(0, max);
}

/** An id as text: a non-empty string (at most 100 characters) or a whole number. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string') {
    const id = value.trim();
    return id && id.length <= 100 ? id : null;
  }
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
}

/** A user's name as the app shows it: the server nickname (the export's `nickname`), else the user name. */
export function displayName(user: JsonObject | null): string | null {
  if (!user) return null;
  const name = text(user.nickname).trim() || text(user.name).trim();
  return name || null;
}

export function chatTitle(guild: JsonObject | null, channel: JsonObject): string | null {
  const name = text(channel.name).trim();
  const type = text(channel.type);
  if (type.startsWith('Direct') || (guild && idOf(guild.id) === '0')) return name || null;
  const guildName = guild ? text(guild.name).trim() : '';
  if (!name) return guildName || null;
  const parent = text(channel.category).trim();
  // A thread's "category" is the channel it was started in: `#general › thread`.
  const label = /Thread$/.test(type) && parent ? `#${parent} › ${name}` : `#${name}`;
  return guildName ? `${guildName} / ${label}` : label;
}

export function chatKind(guild: JsonObject | null, channel: JsonObject): ChatRecord['kind'] {
  const type = text(channel.type);
  if (type === 'DirectTextChat') return 'direct';
  if (type === 'DirectGroupTextChat' || (guild && idOf(guild.id) === '0')) return 'group';
  return 'channel';
}

const TEXT_TYPES = new Set(['Default', 'Reply', 'ChatInputCommand', 'ContextMenuCommand', 'ThreadStarterMessage', '0', '19', '20', '21', '23']);
const EVENT_TYPES = new Set([
  'RecipientAdd', 'RecipientRemove', 'ChannelNameChange', 'ChannelIconChange', 'ChannelPinnedMessage',
  'GuildMemberJoin', 'ThreadCreated',
]);

/**
 * The kind a DiscordChatExporter message type maps to, and whether the type is a known one. The
 * exporter names the types it knows and writes Discord's others as numbers: 1–18 are system
 * notices (boosts, follows…), higher ones messages of some app or feature.
 */
export function kindOfType(type: string): [MessageKind, boolean] {
  if (TEXT_TYPES.has(type)) return ['text', true];
  if (type === 'Call' || type === '3') return ['call', true];
  if (EVENT_TYPES.has(type)) return ['event', true];
  if (/^\d{1,3}$/.test(type)) {
    const n = Number(type);
    return n >= 1 && n <= 18 ? ['event', n <= 12] : ['text', false];
  }
  return ['text', false];
}
