import { hash } from 'node:crypto';
import { messageKey, repeatId } from '../../identity/key.js';
import { mattermostPerson, type MattermostCard, type MattermostEnvelope, type MattermostReaction } from '../../markup/mattermost.js';
import { MessageFlags, type ChatRecord, type MessageKind, type MessageRecord } from '../../model.js';
import { isObject, list, num, objects, str, text, type JsonObject } from '../kit/fields.js';
import { mimeOf } from '../kit/media-files.js';
import { membersOf, type Directory } from './directory.js';

/**
 * One `post` or `direct_post` line → its chat and messages: the post, then its replies (a thread:
 * each reply's replyToKey is the post's key). Mattermost's export gives posts no ids; a post is
 * its channel, author and `create_at` (ms), so that is its key (nativeId = create_at; chat and
 * author are the key's other inputs): the same post in a re-import or an overlapping export has
 * the same key even after an edit (`edit_at`, new text) or new reactions, which a key made from
 * the text would not. Two posts of one author in one channel in the same millisecond (imports,
 * bots) get `#1`, `#2`… in file order (ThreadIds); an export lacking one of them numbers the
 * others differently, which the store sorts out by their texts (`positional`, store/repeats.ts).
 */

/** A post or reply that cannot be imported; the reason becomes the warning. */
export class BadPost extends Error {}

export interface ParsedPost {
  chat: ChatRecord;
  records: MessageRecord[];
  /** Attachment paths per record (same order), to look up in the export's files. */
  files: string[][];
  /** Replies skipped, with why. */
  skipped: string[];
}

const MAX_ITEMS = 1000;

export function parsePost(line: JsonObject, direct: boolean, directory: Directory, ids: ThreadIds): ParsedPost {
  const post = (direct ? line.direct_post : line.post) as unknown;
  if (!isObject(post)) throw new BadPost(`no "${direct ? 'direct_post' : 'post'}" object; skipped`);
  let chat: ChatRecord;
  let team = '';
  if (direct) {
    const members = membersOf(post);
    if (!members.length) throw new BadPost('a direct post without channel_members; skipped');
    chat = directory.directChat(members);
  } else {
    team = str(post.team) ?? '';
    const channel = str(post.channel);
    if (!team || !channel) throw new BadPost('a post without its team and channel; skipped');
    chat = directory.channelChat(team, channel);
  }
  const root = recordOf(post, chat.nativeId, team, directory, ids, null);
  const parsed: ParsedPost = { chat, records: [root.record], files: [root.files], skipped: [] };
  const rootKey = messageKey({ chat: chat.nativeId, author: root.record.authorId, time: root.record.time, identity: root.record.nativeId! });
  for (const [i, reply] of list(post.replies).slice(0, 100_000).entries()) {
    try {
      if (!isObject(reply)) throw new BadPost('not an object');
      const r = recordOf(reply, chat.nativeId, team, directory, ids, rootKey);
      parsed.records.push(r.record);
      parsed.files.push(r.files);
    } catch (err) {
      if (!(err instanceof BadPost)) throw err;
      parsed.skipped.push(`reply ${i}: ${err.message.replace(/; skipped$/, '')}; skipped`);
    }
  }
  return parsed;
}

function recordOf(
  post: JsonObject,
  chat: string,
  team: string,
  directory: Directory,
  ids: ThreadIds,
  replyTo: string | null,
): { record: MessageRecord; files: string[] } {
  const user = str(post.user)?.toLowerCase();
  if (!user) throw new BadPost('no user; skipped');
  const time = num(post.create_at);
  if (time === null || !Number.isSafeInteger(time)) throw new BadPost('no valid create_at (ms); skipped');
  const message = text(post.message);
  const type = str(post.type) ?? (systemSentence(message, user) ? 'system_' : '');
  const kind: MessageKind = type.startsWith('system_') ? 'event' : type === 'me' ? 'emote' : 'text';
  const authorId = mattermostPerson(user);
  const env: MattermostEnvelope = { message };
  if (type) env.type = type;

  const people = new Map<string, string>();
  const named = kind === 'event' ? WORD : MENTION;
  for (const m of message.matchAll(named)) {
    for (const name of [m[1].toLowerCase(), m[1].toLowerCase().replace(/[._-]+$/, '')]) {
      if (directory.isUser(name) && people.size < 200) people.set(name, directory.nameOf(name));
    }
  }
  const channels = new Map<string, string>();
  if (team) {
    for (const m of message.matchAll(CHANNEL)) {
      const shown = directory.channelName(team, m[1].toLowerCase());
      if (shown && channels.size < 200) channels.set(m[1].toLowerCase(), shown);
    }
  }
  const reactions = reactionsOf(post.reactions);
  for (const r of reactions) for (const u of r.users) if (people.size < 500) people.set(u, directory.nameOf(u));
  if (people.size) env.people = Object.fromEntries(people);
  if (channels.size) env.channels = Object.fromEntries(channels);
  if (reactions.length) env.reactions = reactions;
  const props = isObject(post.props) ? post.props : {};
  const cards = objects(props.attachments).slice(0, 20).map(cardOf).filter((c): c is MattermostCard => c !== null);
  if (cards.length) env.cards = cards;

  const plain = env.type === undefined && !env.people && !env.channels && !env.reactions && !env.cards && message.charCodeAt(0) !== 0x7b;
  const edited = num(post.edit_at);
  const record: MessageRecord = {
    nativeId: ids.next(chat, authorId, time),
    positional: true,
    authorId,
    authorName: directory.nameOf(user),
    time,
    kind,
    body: plain ? message : JSON.stringify(env),
    markup: 'mattermost',
    editedAt: edited !== null && edited > 0 && Number.isSafeInteger(edited) ? edited : null,
  };
  // Mattermost's replies are its threads (root_id): no quote-replies.
  if (replyTo) {
    record.replyToKey = replyTo;
    record.flags = MessageFlags.threadReply;
  }
  const files = objects(post.attachments).slice(0, MAX_ITEMS).map((a) => str(a.path)).filter((p): p is string => p !== null);
  // Files alone: a picture (or film, sound) is media, anything else a file.
  if (kind === 'text' && files.length && !message.trim()) record.kind = files.every((f) => /^(?:image|video|audio)\//.test(mimeOf(f) ?? '')) ? 'media' : 'file';
  return { record, files };
}

const MENTION = /(?<![\p{L}\p{N}_.-])@([a-z0-9][a-z0-9._-]{0,63})/giu;
const WORD = /(?<![\p{L}\p{N}_.-])@?([a-z0-9][a-z0-9._-]{0,63})/giu;
const CHANNEL = /(?<![\p{L}\p{N}_~])~([a-z0-9][a-z0-9_-]{0,63})/giu;

/**
 * Older exporters left out a post's type, so a system post is only its sentence: Mattermost's
 * English for joins, leaves, additions and channel updates, whose actor is the post's own user.
 */
function systemSentence(message: string, user: string): boolean {
  const actor = JOIN_LEAVE.exec(message)?.[1] ?? ADDED.exec(message)?.[1] ?? UPDATED.exec(message)?.[1];
  if (actor !== undefined) return actor.toLowerCase() === user;
  return REMOVED.test(message);
}

const JOIN_LEAVE = /^@?([\w.-]+) (?:joined|left) the (?:channel|team)\.$/;
const ADDED = /^@?[\w.-]+ (?:added to|removed from) the (?:channel|team) by @?([\w.-]+)\.$/;
const REMOVED = /^@?[\w.-]+ (?:was )?removed from the (?:channel|team)\.$/;
const UPDATED = /^@?([\w.-]+) updated the channel (?:header|display name|purpose) (?:from|to): /;

function reactionsOf(value: unknown): MattermostReaction[] {
  const byEmoji = new Map<string, string[]>();
  for (const r of objects(value).slice(0, MAX_ITEMS)) {
    const emoji = str(r.emoji_name)?.trim().slice(0, 64);
    const user = str(r.user)?.toLowerCase();
    if (!emoji || !user) continue;
    const users = byEmoji.get(emoji) ?? [];
    byEmoji.set(emoji, users);
    if (!users.includes(user)) users.push(user);
  }
  return [...byEmoji].map(([emoji, users]) => ({ emoji, users }));
}

/** An integration's message attachment: the fields worth showing. */
function cardOf(a: JsonObject): MattermostCard | null {
  const card: MattermostCard = {};
  for (const key of ['pretext', 'author_name', 'title', 'title_link', 'text', 'footer', 'fallback'] as const) {
    const value = str(a[key]);
    if (value) card[key] = value.slice(0, 20_000);
  }
  const fields = objects(a.fields).slice(0, 50).map((f) => ({ title: text(f.title).slice(0, 2000), value: text(f.value).slice(0, 20_000) }));
  if (fields.length) card.fields = fields;
  return Object.keys(card).length ? card : null;
}

/**
 * nativeIds for the posts of one read: the post's create_at, and `#n` for the n-th repeat of one
 * chat, author and millisecond (remembered as a 52-bit hash per post: a big export has millions).
 */
export class ThreadIds {
  private readonly seen = new Map<number, number>();

  next(chat: string, author: string, time: number): string {
    const h = parseInt(hash('sha1', `${chat}\u0000${author}\u0000${time}`, 'hex').slice(0, 13), 16);
    const n = this.seen.get(h) ?? 0;
    this.seen.set(h, n + 1);
    return repeatId(String(time), n);
  }
}
