import type { TeamsEnvelope, TeamsPerson } from '../../markup/teams.js';
import type { Attachment, ChatRecord, MessageKind, MessageRecord, PersonRecord } from '../../model.js';
import { isObject, objects, str, text, type JsonObject } from '../kit/fields.js';
import { mimeOf, safeName } from '../kit/media-files.js';
import type { Directory } from './directory.js';
import { eventOf } from './events.js';
import { lowerKeys } from './keys.js';
import { parseTime } from './time.js';
import { parseJsonText as parseBounded } from '../kit/json/parse.js';

/**
 * One Graph `chatMessage` (keys lower-cased) → a MessageRecord with a TeamsEnvelope body, and the
 * chat it belongs to. People are `teams:<Azure AD object id>` (users and applications alike),
 * named by the message itself, else by the export's user list. Chats are named by their Teams
 * ids: `chatId` for chats, `channelIdentity.channelId` for channels (a channel's posts and
 * replies are one chat; a reply's `replyToId` names its post).
 */

/** A message that cannot be imported; the reason becomes the warning. */
export class BadMessage extends Error {}

export interface ParsedMessage {
  chat: ChatRecord;
  /** The team of a channel (for its title). */
  teamId: string | null;
  record: MessageRecord;
  /** The id of the message this one replies to or quotes, in the same chat. */
  parentId: string | null;
  /** parentId is the root of this message's thread (`replyToId`: a channel reply), not a quote. */
  thread: boolean;
  /** The new name of the chat when this is a rename event. */
  renamed: string | null;
  /** The user who sent it (not an app): a member of the chat, whom an untitled chat is named after. */
  sender: PersonRecord | null;
}

export const PERSON_PREFIX = 'teams:';

/** Teams' six classic reactions by name; newer exports write the emoji itself. */
const REACTIONS: Record<string, string> = { like: '👍', heart: '❤️', laugh: '😆', surprised: '😮', sad: '😢', angry: '😡' };
const CALL_EVENTS = new Set(['callStarted', 'callEnded', 'callRecording', 'callTranscript']);
const MAX_ITEMS = 100;

export function messageOf(m: JsonObject, fallbackChat: string | null, directory: Directory): ParsedMessage {
  const person = (identity: unknown): TeamsPerson | null => personOf(identity, directory);
  const time = parseTime(m.createddatetime);
  if (Number.isNaN(time)) throw new BadMessage('no valid createdDateTime; skipped');
  const channel = isObject(m.channelidentity) ? m.channelidentity : null;
  const channelId = channel ? idText(channel.channelid) : null;
  const chatId = channelId ?? idText(m.chatid) ?? fallbackChat;
  if (!chatId) throw new BadMessage('names no chat (chatId or channelIdentity); skipped');

  const body = isObject(m.body) ? m.body : {};
  const content = text(body.content);
  const detail = isObject(m.eventdetail) ? m.eventdetail : null;
  const type = (str(m.messagetype) ?? 'message').toLowerCase();
  const isEvent = detail !== null || (type !== 'message' && /<systemEventMessage\b/i.test(content));
  const env: TeamsEnvelope = { content: isEvent ? '' : content };
  if ((str(body.contenttype) ?? '').toLowerCase() === 'text') env.text = true;
  const subject = str(m.subject)?.trim();
  if (subject) env.subject = subject;

  let kind: MessageKind = 'text';
  let author = person(m.from);
  let renamed: string | null = null;
  if (isEvent) {
    env.event = eventOf(detail ?? {}, person);
    kind = CALL_EVENTS.has(env.event.type) ? 'call' : 'event';
    author ??= env.event.actor ?? null;
    if (env.event.type === 'chatRenamed' || env.event.type === 'channelRenamed') renamed = env.event.name ?? null;
  }
  if (!author && !isEvent) throw new BadMessage('no sender (from); skipped');

  const attachments: Attachment[] = [];
  let parentId = idText(m.replytoid);
  const thread = parentId !== null;
  const parts: NonNullable<TeamsEnvelope['parts']> = [];
  for (const a of objects(m.attachments).slice(0, MAX_ITEMS)) {
    const id = idText(a.id) ?? '';
    const contentType = (str(a.contenttype) ?? '').toLowerCase();
    const name = str(a.name);
    if (contentType === 'messagereference' || contentType === 'forwardedmessagereference') {
      const ref = lowerKeys(parseJsonText(a.content));
      if (!isObject(ref)) continue;
      const author = person(ref.messagesender);
      parts.push({ id, kind: 'quote', text: text(ref.messagepreview), ...(author ? { author } : {}) });
      if (contentType === 'messagereference') parentId ??= idText(ref.messageid);
    } else if (contentType.startsWith('application/vnd.microsoft.card') || (!name && str(a.content))) {
      parts.push({ id, kind: 'card', text: cardText(lowerKeys(parseJsonText(a.content))) });
    } else if (name) {
      const url = str(a.contenturl);
      const type = mimeOf(name);
      attachments.push({ name: safeName(name), ...(type ? { type } : {}), ...(url && isPublicUrl(url) ? { url } : {}) });
      parts.push({ id, kind: 'file', name: safeName(name) });
    }
  }
  if (parts.length) env.parts = parts;
  const mentions = objects(m.mentions).slice(0, MAX_ITEMS).flatMap((mention) => {
    const shown = text(mention.mentiontext);
    const who = person(mention.mentioned) ?? (shown ? { id: '', name: shown } : null);
    if (who && !who.name) who.name = shown;
    return who ? [{ id: idText(mention.id) ?? '', person: who }] : [];
  });
  if (mentions.length) env.mentions = mentions;
  const reactions = reactionsOf(m.reactions, person);
  if (reactions.length) env.reactions = reactions;
  if (kind === 'text' && attachments.length && !content.replace(/<attachment\b[^>]*>\s*<\/attachment>|<[^>]*>|&nbsp;|\s/gi, '')) kind = 'file';

  const deleted = m.deleteddatetime !== undefined && m.deleteddatetime !== null;
  const edited = parseTime(m.lastediteddatetime);
  const record: MessageRecord = {
    nativeId: idText(m.id) ?? undefined,
    authorId: author?.id || 'teams:system',
    authorName: author ? author.name || null : 'Microsoft Teams',
    time,
    kind,
    body: JSON.stringify(env),
    markup: 'teams',
    editedAt: Number.isNaN(edited) ? null : edited,
    deleted,
  };
  if (attachments.length) record.attachments = attachments;
  const sender = isObject(m.from) && isObject(m.from.user) && author ? { nativeId: author.id, displayName: author.name || null } : null;
  return { chat: chatOf(chatId, channelId !== null, directory), teamId: channel ? idText(channel.teamid) : null, record, parentId, thread, renamed, sender };
}

/** A chat as far as its id and the directory tell: 1:1 chats' ids name both members. */
function chatOf(id: string, isChannel: boolean, directory: Directory): ChatRecord {
  const pair = /^19:([0-9a-f-]{36})_([0-9a-f-]{36})@unq\.gbl\.spaces$/i.exec(id);
  const chatType = directory.chatType(id);
  const kind = isChannel ? 'channel' : chatType ? (chatType === 'oneonone' ? 'direct' : 'group') : pair ? 'direct' : 'group';
  const chat: ChatRecord = { nativeId: id, kind, title: directory.name(id) };
  if (pair) chat.members = [pair[1], pair[2]].map((u) => ({ nativeId: PERSON_PREFIX + u, displayName: directory.name(u) }));
  return chat;
}

/** An identity set (`{user|application|device: {id, displayName}}`) as a person. */
function personOf(identity: unknown, directory: Directory): TeamsPerson | null {
  if (!isObject(identity)) return null;
  for (const key of ['user', 'application', 'device']) {
    const who = identity[key];
    const id = isObject(who) ? idText(who.id) : null;
    if (isObject(who) && id) return { id: PERSON_PREFIX + id, name: str(who.displayname)?.trim() || directory.name(id) || '' };
  }
  return null;
}

function reactionsOf(value: unknown, person: (identity: unknown) => TeamsPerson | null): NonNullable<TeamsEnvelope['reactions']> {
  const byEmoji = new Map<string, TeamsPerson[]>();
  for (const r of objects(value).slice(0, MAX_ITEMS)) {
    const type = str(r.reactiontype)?.trim();
    if (!type) continue;
    const emoji = Object.hasOwn(REACTIONS, type.toLowerCase()) ? REACTIONS[type.toLowerCase()] : type.slice(0, 40);
    const users = byEmoji.get(emoji) ?? [];
    byEmoji.set(emoji, users);
    const who = person(r.user);
    if (who) users.push(who);
  }
  return [...byEmoji].map(([emoji, users]) => ({ emoji, users }));
}

/** The readable text of a card (adaptive, hero, thumbnail…): its titles and text blocks, in order. */
function cardText(card: unknown): string {
  const lines: string[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (depth > 12 || lines.length >= 40) return;
    if (Array.isArray(value)) for (const v of value.slice(0, MAX_ITEMS)) walk(v, depth + 1);
    else if (isObject(value)) {
      for (const [key, v] of Object.entries(value)) {
        if ((key === 'title' || key === 'subtitle' || key === 'text') && typeof v === 'string' && v.trim()) lines.push(v.trim().slice(0, 2000));
        else walk(v, depth + 1);
      }
    }
  };
  walk(card, 0);
  return lines.join('\n');
}

/**
 * Whether a file's URL can be published: an http(s) link, but not into someone's OneDrive
 * (`…-my.sharepoint.com/personal/alice_contoso_com/…`), whose path names its owner.
 */
function isPublicUrl(url: string): boolean {
  return /^https?:\/\//i.test(url) && !/-my\.sharepoint\.com\/personal\//i.test(url);
}

function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return parseBounded(value);
  } catch {
    return null;
  }
}

/** An id as text: a non-empty string of at most 1,000 characters, or a whole number. */
export function idText(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  const id = str(value);
  return id && id.trim() && id.length <= 1000 ? id : null;
}
