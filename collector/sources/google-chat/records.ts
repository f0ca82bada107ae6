import { createHash } from 'node:crypto';
import { messageKey } from '../../identity/key.js';
import type { GoogleChatEnvelope, GoogleFormat, GooglePerson, GoogleSpan } from '../../markup/google-chat.js';
import { MessageFlags, type MessageRecord } from '../../model.js';
import { isObject, list, objects, str, text, type JsonObject } from '../kit/fields.js';
import { parseTakeoutDate } from './dates.js';
import { PERSON_PREFIX, type People } from './people.js';

/** A message that cannot be imported; the reason becomes the warning. */
export class BadMessage extends Error {}

const FORMATS: Record<string, GoogleFormat> = { BOLD: 'b', ITALIC: 'i', STRIKE: 's', MONOSPACE: 'code', MONOSPACE_BLOCK: 'code' };
const MAX_ITEMS = 200;

/**
 * The messages of one group (a DM or a Space) → MessageRecords with a GoogleChatEnvelope body.
 * Takeout lists a group's messages oldest first, so what a message points back to is read before
 * it: the message it quotes (`quoted_message_metadata`: by its `message_id` when newer exports
 * give it, else the latest earlier message of the same author and text) and, in a Space, its
 * thread (`topic_id`: the topic's first message is the parent of the others).
 */
export class GroupMessages {
  private readonly keys = new Map<string, string>();
  private readonly quotable = new Map<string, string>();
  private readonly topics = new Map<string, string>();

  constructor(
    readonly chatId: string,
    private readonly threaded: boolean,
    private readonly people: People,
  ) {}

  /** The record of one message, and its `attached_files` for the caller to read. */
  message(m: JsonObject): { record: MessageRecord; files: JsonObject[] } {
    const versions = objects(m.previous_message_versions);
    // An edited message keeps its first date in its oldest version; a deleted one only its deletion's.
    const raw = m.created_date ?? versions.map((v) => v.created_date).find((d) => d !== undefined) ?? m.deleted_date;
    if (raw === undefined) throw new BadMessage('no created_date; skipped');
    const time = parseTakeoutDate(raw);
    if (Number.isNaN(time)) throw new BadMessage(`created_date ${JSON.stringify(String(raw).slice(0, 100))} is not a date this reader knows; skipped`);
    const deleted = str(m.message_state)?.toUpperCase() === 'DELETED' || isObject(m.deletion_metadata);
    const author = this.people.person(m.creator);
    if (!author && !deleted) throw new BadMessage('no creator; skipped');
    const body = text(m.text);
    const id = str(m.message_id)?.slice(0, 1000) ?? `~${digest(author?.id ?? '', String(raw), body)}`;
    const authorId = author?.id ?? `${PERSON_PREFIX}unknown`;

    const env: GoogleChatEnvelope = { text: deleted ? '' : body };
    const { spans, cards } = annotationsOf(m.annotations, body, this.people);
    if (spans.length) env.spans = spans;
    if (cards.length) env.cards = cards;
    const quoted = isObject(m.quoted_message_metadata) ? m.quoted_message_metadata : null;
    if (quoted) {
      const who = this.people.person(quoted.creator);
      env.quote = { text: text(quoted.text), ...(who ? { author: who } : {}) };
    }
    const reactions = objects(m.reactions).slice(0, MAX_ITEMS).flatMap((r) => {
      const emoji = isObject(r.emoji) ? str(r.emoji.unicode)?.trim().slice(0, 40) : null;
      const users = list(r.reactor_emails).slice(0, MAX_ITEMS).map((e) => this.people.byEmail(e)).filter((p): p is GooglePerson => p !== null);
      return emoji ? [{ emoji, users }] : [];
    });
    if (reactions.length && !deleted) env.reactions = reactions;

    const files = deleted ? [] : objects(m.attached_files).slice(0, MAX_ITEMS);
    const edited = parseTakeoutDate(m.updated_date);
    const record: MessageRecord = {
      nativeId: id,
      authorId,
      // Takeout names nobody on a deleted message: one placeholder person for all of them.
      authorName: author ? author.name || null : 'Unknown sender',
      time,
      kind: files.length && !body.trim() ? 'file' : 'text',
      body: JSON.stringify(env),
      markup: 'google-chat',
      editedAt: Number.isNaN(edited) ? null : edited,
      deleted,
    };
    const parent = this.parentOf(m, quoted, id);
    record.replyToKey = parent?.key ?? null;
    if (parent?.thread) record.flags = MessageFlags.threadReply;
    const key = messageKey({ chat: this.chatId, author: authorId, time, identity: id });
    this.keys.set(id, key);
    // A quote shows the text as it was when quoted: an edited message is found by its earlier texts too.
    if (!deleted) for (const t of [...versions.map((v) => text(v.text)), body]) this.quotable.set(`${authorId}\u0000${t}`, key);
    return { record, files };
  }

  /**
   * In a Space, the first message of its topic (the root of its thread: a message in a thread
   * belongs under it, also when it quotes another), else the message it quotes.
   */
  private parentOf(m: JsonObject, quoted: JsonObject | null, id: string): { key: string; thread: boolean } | undefined {
    const topic = this.threaded ? str(m.topic_id) : null;
    if (topic) {
      const first = this.topics.get(topic);
      if (!first) this.topics.set(topic, id);
      const root = first && first !== id ? this.keys.get(first) : undefined;
      if (root) return { key: root, thread: true };
    }
    if (!quoted) return undefined;
    const byId = str(quoted.message_id) && this.keys.get(str(quoted.message_id)!);
    const who = this.people.person(quoted.creator);
    const found = byId || (who ? this.quotable.get(`${who.id}\u0000${text(quoted.text)}`) : undefined);
    return found ? { key: found, thread: false } : undefined;
  }
}

/** Spans over the text (links, mentions, formats) and the links it does not show. */
function annotationsOf(value: unknown, body: string, people: People): { spans: GoogleSpan[]; cards: [string, string][] } {
  const spans: GoogleSpan[] = [];
  const cards: [string, string][] = [];
  for (const a of objects(value).slice(0, MAX_ITEMS)) {
    const start = typeof a.start_index === 'number' ? a.start_index : 0;
    const length = typeof a.length === 'number' ? a.length : 0;
    const inText = Number.isInteger(start) && Number.isInteger(length) && start >= 0 && length > 0 && start + length <= body.length;
    const span = { start, length };
    const link = linkOf(a);
    const mention = isObject(a.user_mention_metadata) ? a.user_mention_metadata : null;
    const format = isObject(a.format_metadata) ? FORMATS[str(a.format_metadata.format_type) ?? ''] : undefined;
    if (mention && inText) {
      const user = [mention.user, mention.mentioned_user, mention.id].find((u) => isObject(u) && (str(u.email) || str(u.name)));
      const who = people.person(user);
      if (who || str(mention.type) !== 'MENTION_ALL') spans.push({ ...span, person: who ?? { id: '', name: body.slice(start, start + length).replace(/^[@+]/, '') } });
    } else if (format && inText) {
      spans.push({ ...span, format });
    } else if (link && inText) {
      spans.push({ ...span, link: link[0] });
    } else if (link) {
      cards.push(link);
    }
  }
  return { spans, cards };
}

/** The URL an annotation links to, with a title: a web page, a Drive file, a video, a meeting. */
function linkOf(a: JsonObject): [string, string] | null {
  const meta = (key: string): JsonObject | null => (isObject(a[key]) ? (a[key] as JsonObject) : null);
  const url = meta('url_metadata');
  const wrapped = url && isObject(url.url) ? str(url.url.private_do_not_access_or_else_safe_url_wrapped_value) : null;
  if (wrapped) return [wrapped, text(url!.title)];
  const drive = meta('drive_metadata');
  if (drive && str(drive.id)) return [`https://drive.google.com/open?id=${encodeURIComponent(str(drive.id)!)}`, text(drive.title) || 'Google Drive file'];
  const youtube = meta('youtube_metadata');
  if (youtube && str(youtube.id)) return [`https://www.youtube.com/watch?v=${encodeURIComponent(str(youtube.id)!)}`, 'YouTube video'];
  const call = meta('video_call_metadata');
  const meeting = call && isObject(call.meeting_space) ? str(call.meeting_space.meeting_url) : null;
  return meeting ? [meeting, 'Video meeting'] : null;
}

/** A stable id for a message of an export too old to carry `message_id`. */
function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
}
