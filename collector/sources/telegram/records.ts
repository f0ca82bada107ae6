import { telegramNamedId } from '../../identity/telegram-ids.js';
import type { MessageKind, MessageRecord } from '../../model.js';
import { isObject, type JsonObject } from '../kit/fields.js';
import { UNKNOWN, type Chat, type Prepared } from './chat.js';

/** A Telegram message object's fields → the parts of a message record, and the record itself. */

const CALL_ACTIONS = new Set(['phone_call', 'conference_call', 'group_call', 'invite_to_group_call', 'group_call_scheduled']);
/** Fields the record carries elsewhere (ids, times, sizes) or that are not shown. */
const BOOKKEEPING = new Set([
  'id', 'type', 'date', 'date_unixtime', 'edited', 'edited_unixtime', 'text_entities', 'thumbnail',
  'width', 'height', 'photo_file_size', 'file_size', 'mime_type', 'inline_bot_buttons', 'message_id',
]);
/**
 * The ids of people a message shows by name (its actor, a proximity alert's two people, who a
 * message was forwarded or saved from), kept in the envelope for the converter's person
 * references. A message's own `from_id` is its author, kept only for service messages.
 */
const PERSON_ID_FIELDS = new Set(['actor_id', 'from_id', 'to_id', 'forwarded_from_id', 'saved_from_id']);
const LBRACE = 0x7b;

/** A message id as a string (ids are integers; a string of digits is accepted), or null. */
export function messageId(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && /^-?\d{1,16}$/.test(v.trim())) return String(Number(v.trim()));
  return null;
}

export function authorOf(raw: JsonObject, service: boolean, chat: Chat): { authorId: string; authorName: string | null } {
  const nameKey = service ? 'actor' : 'from';
  const name = raw[nameKey];
  const displayName = typeof name === 'string' && name.trim() ? name : name === null ? 'Deleted Account' : null;
  const id = telegramNamedId(raw[`${nameKey}_id`], name);
  if (id) return { authorId: id, authorName: displayName };
  // Channel posts in old exports name no sender: the channel speaks.
  if (!service && (chat.type === 'public_channel' || chat.type === 'private_channel')) {
    return { authorId: `telegram:channel${chat.nativeId.slice('telegram:'.length)}`, authorName: chat.title };
  }
  return { authorId: UNKNOWN, authorName: null };
}

/** A reply's `reply_to_peer_id` ("channel123", "user5") names another chat than this one. */
export function inOtherChat(peer: unknown, chat: Chat): boolean {
  if (peer === undefined || peer === null) return false;
  const digits = /(\d+)$/.exec(String(peer));
  return !digits || `telegram:${digits[1]}` !== chat.nativeId;
}

export function kindOf(raw: JsonObject, service: boolean): MessageKind {
  if (service) return typeof raw.action === 'string' && CALL_ACTIONS.has(raw.action) ? 'call' : 'event';
  if (raw.poll !== undefined) return 'poll';
  if (raw.contact_information !== undefined) return 'contact';
  if (raw.photo !== undefined) return 'media';
  if (raw.file !== undefined) return typeof raw.media_type === 'string' ? 'media' : 'file';
  return 'text';
}

/**
 * The envelope of a message (collector/markup/telegram/): its own fields but bookkeeping and ids,
 * except the ids of the people the converter names, with the text as textOf() gives it.
 */
export function envelopeOf(raw: JsonObject, service: boolean): Record<string, unknown> {
  const env: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (BOOKKEEPING.has(key) || (key === 'from' && !service)) continue;
    // Ids are the record's business, except those of the people the converter names.
    if (key.endsWith('_id') && !(PERSON_ID_FIELDS.has(key) && (service || key !== 'from_id'))) continue;
    env[key] = raw[key];
  }
  const text = textOf(raw);
  if (text === '') delete env.text;
  else env.text = text;
  return env;
}

/**
 * The text as the envelope keeps it: `text_entities` when present (newer exports), else `text`;
 * plain parts become strings, neighbours merged, so plain text is one string.
 */
function textOf(raw: JsonObject): string | (string | JsonObject)[] {
  const source = Array.isArray(raw.text_entities) ? raw.text_entities : raw.text;
  if (typeof source === 'string') return source;
  if (!Array.isArray(source)) return '';
  const parts: (string | JsonObject)[] = [];
  for (const part of source) {
    const piece = typeof part === 'string' ? part : isObject(part) && part.type === 'plain' && typeof part.text === 'string' ? part.text : part;
    if (typeof piece === 'string') {
      if (piece === '') continue;
      if (typeof parts[parts.length - 1] === 'string') parts[parts.length - 1] += piece;
      else parts.push(piece);
    } else if (isObject(piece)) {
      parts.push(piece);
    }
  }
  if (parts.length === 0) return '';
  return parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : parts;
}

/** The record of a prepared message: plain text as the body when that is all it has, else the envelope. */
export function messageRecord(p: Prepared, replyToKey: string | null): MessageRecord {
  const keys = Object.keys(p.env);
  const plainText = keys.length === 0 ? '' : keys.length === 1 && typeof p.env.text === 'string' && p.env.text.charCodeAt(0) !== LBRACE ? p.env.text : null;
  return {
    nativeId: p.id,
    authorId: p.authorId,
    authorName: p.authorName,
    time: p.time,
    kind: p.kind,
    body: plainText ?? JSON.stringify(p.env),
    markup: 'telegram',
    editedAt: p.editedAt,
    deleted: false,
    replyToKey,
    attachments: p.attachments.length ? p.attachments : undefined,
  };
}
