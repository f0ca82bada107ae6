import { createHash } from 'node:crypto';
import type { MetaEnvelope, MetaPerson } from '../../markup/meta.js';
import type { ChatRecord, MessageKind, MessageRecord } from '../../model.js';
import { isObject, list, num, objects, str, type JsonObject } from '../kit/fields.js';
import { repaired } from './mojibake.js';

/**
 * One Meta thread file's JSON → records. Two shapes:
 *
 *   DYI (Messenger, Instagram):  {"participants": [{"name"}], "title", "thread_type": "Regular" |
 *     "RegularGroup", "thread_path": "inbox/alice_123", "messages": [{"sender_name", "timestamp_ms",
 *     "content", "type": Generic|Share|Call|Subscribe|Unsubscribe, "photos"|"videos"|"gifs"|
 *     "audio_files"|"files": [{"uri"}], "sticker": {"uri"}, "share": {"link", "share_text"},
 *     "reactions": [{"reaction", "actor"}], "users": [{"name"}], "call_duration", "missed",
 *     "is_unsent"}]}, every string mojibake (collector/sources/meta/mojibake.ts)
 *   end-to-end encrypted Messenger: {"participants": ["name"], "threadName", "messages":
 *     [{"senderName", "text", "timestamp", "isUnsent", "media": [{"uri"}], "reactions": [{"reaction", "actor"}]}]}
 *
 * Identity: people have only names, so a person is `<format>:<name>`. A chat is
 * `<format>:<thread folder>` (the last part of `thread_path`, which stays when a thread moves
 * between inbox and archive), else the folder or file name. Messages have no ids: a message's
 * native id is a hash of its text (content or nothing), so its key is made of author, time and
 * text only, while its body (which also carries reactions, added between two exports) may change.
 */

export type Platform = 'messenger' | 'instagram';

export class BadMessage extends Error {}

export function personId(platform: Platform, name: string): string {
  return `${platform}:${name}`;
}

/** The chat of a thread file; `fallback` names it when the file says nothing (a folder or file name). */
export function chatRecord(root: JsonObject, platform: Platform, fallback: string): ChatRecord {
  const e2ee = isE2ee(root);
  const listed = (e2ee ? list(root.participants) : objects(root.participants)).length;
  let names = e2ee
    ? list(root.participants).map(repaired).filter((n): n is string => n !== null)
    : objects(root.participants).map((p) => repaired(p.name)).filter((n): n is string => n !== null);
  // A fragment with only `messages` (as tools save them): its senders are whom it shows.
  if (!names.length) names = objects(root.messages).map((m) => repaired(e2ee ? m.senderName : m.sender_name)).filter((n): n is string => n !== null);
  names = [...new Set(names)];
  const members = names.map((name) => ({ nativeId: personId(platform, name), displayName: name }));
  const path = repaired(root.thread_path);
  const thread = path?.split('/').filter(Boolean).pop() ?? fallback;
  const type = str(root.thread_type);
  // Two people seen writing in a fragment need not be all of the chat: only a list says direct.
  const kind = type === 'Regular' ? 'direct' : type === 'RegularGroup' ? 'group' : listed === 2 ? 'direct' : 'group';
  return {
    nativeId: e2ee ? `${platform}:e2ee:${fallback}` : `${platform}:${thread}`,
    title: repaired(e2ee ? root.threadName : root.title) ?? (names.join(', ') || null),
    kind,
    members,
  };
}

export function isE2ee(root: JsonObject): boolean {
  return 'threadName' in root || (!('thread_path' in root) && objects(root.messages).some((m) => 'senderName' in m));
}

/** A media file a message names: its uri, and whether it is an image-like file (else a file). */
export interface MediaUse {
  uri: string;
  visual: boolean;
}

export interface MappedMessage {
  record: MessageRecord;
  media: MediaUse[];
}

const VISUAL_LISTS = ['photos', 'videos', 'gifs'] as const;
const FILE_LISTS = ['audio_files', 'files'] as const;

/** One message object → its record and the media it names; BadMessage when it cannot be one. */
export function messageRecord(raw: JsonObject, platform: Platform, e2ee: boolean): MappedMessage {
  const sender = repaired(e2ee ? raw.senderName : raw.sender_name);
  const author = sender ?? 'unknown';
  const time = timeOf(e2ee ? raw.timestamp : raw.timestamp_ms, e2ee);
  if (time === null) throw new BadMessage(`a message without a valid ${e2ee ? 'timestamp' : 'timestamp_ms'}: skipped`);
  const content = repaired(e2ee ? raw.text : raw.content);
  const deleted = (e2ee ? raw.isUnsent : raw.is_unsent) === true;
  const who = (name: string): MetaPerson => ({ id: personId(platform, name), name });

  const envelope: MetaEnvelope = {};
  let kind: MessageKind = 'text';
  const type = str(raw.type);
  const users = objects(raw.users).map((u) => repaired(u.name)).filter((n): n is string => n !== null);
  if (type === 'Subscribe' || type === 'Unsubscribe') {
    kind = 'event';
    envelope.actor = who(author);
    if (type === 'Subscribe') envelope.event = 'added';
    else envelope.event = users.length === 0 || (users.length === 1 && users[0] === sender) ? 'left' : 'removed';
    if (envelope.event !== 'left') envelope.users = users.map(who);
  } else if (type === 'Call' || num(raw.call_duration) !== null) {
    kind = 'call';
    envelope.event = 'call';
    envelope.actor = who(author);
    const duration = num(raw.call_duration);
    if (duration !== null && duration > 0) envelope.duration = duration;
    if (raw.missed === true) envelope.missed = true;
  } else if (content !== null) {
    envelope.text = content;
    const named = namedInOwnSentence(content, sender);
    if (named.length) envelope.named = named.map(who);
  }
  const share = isObject(raw.share) ? raw.share : null;
  if (share && kind === 'text') {
    const link = repaired(share.link);
    const text = repaired(share.share_text);
    if (link || text) envelope.share = { ...(link ? { link } : {}), ...(text ? { text } : {}) };
  }
  const reactions = objects(raw.reactions)
    .map((r) => ({ emoji: repaired(r.reaction), actor: repaired(r.actor) }))
    .filter((r): r is { emoji: string; actor: string | null } => r.emoji !== null)
    .map((r) => (r.actor ? { emoji: r.emoji, by: who(r.actor) } : { emoji: r.emoji }));
  if (reactions.length) envelope.reactions = reactions;

  const media: MediaUse[] = [];
  const add = (value: unknown, visual: boolean) => {
    for (const item of objects(value)) {
      const uri = repaired(item.uri);
      if (uri) media.push({ uri, visual });
    }
  };
  if (e2ee) for (const item of objects(raw.media)) add([item], /\.(jpe?g|png|gif|webp|heic|mp4|mov|webm)$/i.test(str(item.uri) ?? ''));
  for (const field of VISUAL_LISTS) add(raw[field], true);
  for (const field of FILE_LISTS) add(raw[field], false);
  if (isObject(raw.sticker)) add([raw.sticker], true);
  if (kind === 'text' && content === null && !envelope.share && media.length) kind = media.some((m) => m.visual) ? 'media' : 'file';

  return {
    record: {
      // The text alone names the message: reactions and media come and go between exports.
      nativeId: `t:${createHash('sha256').update(content ?? '').digest('hex').slice(0, 32)}`,
      authorId: personId(platform, author),
      authorName: sender,
      time,
      kind,
      body: JSON.stringify(envelope),
      markup: 'meta',
      deleted,
    },
    media,
  };
}

/**
 * The people Meta's own sentences name in a message's text ("Alice Smith named the group Summit
 * Crew.", "You set the nickname for Zoë Ørsted to Boots."): its sender, when the text starts with
 * their name, and a nickname's subject. Drawn as person references (markup/meta.ts), so a site
 * with authors hidden shows no name there. A message that starts with its own sender's name
 * otherwise is drawn the same: the reference shows that name wherever names are shown.
 */
function namedInOwnSentence(content: string, sender: string | null): string[] {
  const byName = sender !== null && content.startsWith(`${sender} `);
  if (!byName && !content.startsWith('You ')) return [];
  const named = byName ? [sender!] : [];
  const subject = NICKNAME.exec(content)?.[1];
  if (subject && !named.includes(subject)) named.push(subject);
  return named;
}

const NICKNAME = /^[^\n]{0,200}? set the nickname for ([^\n]{1,200}?) to /;

/** Milliseconds since the epoch; the encrypted export's `timestamp` may be in seconds. */
function timeOf(value: unknown, e2ee: boolean): number | null {
  const n = num(value);
  if (n === null || !Number.isSafeInteger(Math.trunc(n))) return null;
  const ms = e2ee && Math.abs(n) < 1e11 ? n * 1000 : n;
  return Math.trunc(ms);
}
