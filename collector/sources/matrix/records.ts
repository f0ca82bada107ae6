import { messageKey } from '../../identity/key.js';
import type { MatrixEnvelope, MatrixPerson } from '../../markup/matrix.js';
import { MessageFlags, type Attachment, type MessageKind, type MessageRecord } from '../../model.js';
import { isObject, num, str, text, type JsonObject } from '../kit/fields.js';
import { own } from '../../own.js';
import { mimeOf, safeName } from '../kit/media-files.js';
import type { Room } from './rooms.js';
import { roomEventOf } from './room-events.js';

/**
 * One Matrix event → a MessageRecord with a MatrixEnvelope body, using what the first pass learnt
 * of its room (rooms.ts): the latest edit's `m.new_content` replaces the content (editedAt is the
 * edit's time), reactions and redactions are applied, the author is named as they were then.
 * People are their Matrix user ids (`@alice:example.org`); messages are keyed by `event_id`.
 *
 * Returns a reason instead for what is not a message of its own: relations (edits, reactions,
 * redactions: they changed another event), room configuration, unknown event types.
 */
export type Mapped =
  | { record: MessageRecord; media: { folder: string; body: string } | null; undecrypted: boolean }
  | { skip: 'relation' | 'setting' | 'orphan-edit' | 'orphan-reaction' }
  | { skip: 'unknown'; type: string }
  | { bad: string };

const MEDIA: Record<string, { kind: MessageKind; folder: string }> = {
  'm.image': { kind: 'media', folder: 'images' },
  'm.video': { kind: 'media', folder: 'videos' },
  'm.audio': { kind: 'media', folder: 'audio' },
  'm.file': { kind: 'file', folder: 'files' },
};
const KINDS: Record<string, MessageKind> = { 'm.text': 'text', 'm.emote': 'emote', 'm.notice': 'notice', 'm.location': 'text' };
const MAX_REACTORS = 100;

export function recordOf(e: JsonObject, room: Room): Mapped {
  const type = str(e.type) ?? '';
  const id = str(e.event_id);
  const sender = str(e.sender);
  const time = num(e.origin_server_ts);
  let content = isObject(e.content) ? e.content : {};
  const relation = isObject(content['m.relates_to']) ? content['m.relates_to'] : {};
  const target = str(relation.event_id);
  if (type === 'm.room.redaction' || (type === 'm.reaction' && target === null)) return { skip: 'relation' };
  if (type === 'm.reaction' || relation.rel_type === 'm.replace') {
    if (target && room.sent.has(target)) return { skip: 'relation' };
    return { skip: type === 'm.reaction' ? 'orphan-reaction' : 'orphan-edit' };
  }
  if (!id) return { bad: 'no event_id; skipped' };
  if (!sender) return { bad: 'no sender; skipped' };
  if (time === null || !Number.isSafeInteger(time)) return { bad: 'no valid origin_server_ts; skipped' };

  const deleted = room.redacted.has(id);
  const person = (user: string): MatrixPerson => ({ id: user, name: room.nameAt(user, time) ?? '' });
  const record: MessageRecord = { nativeId: id, authorId: sender, authorName: room.nameAt(sender, time), time, kind: 'text', body: '', markup: 'matrix', deleted };
  let env: MatrixEnvelope = { body: '' };
  let media: { folder: string; body: string } | null = null;
  let undecrypted = false;

  if (type === 'm.room.message' || type === 'm.sticker') {
    const edit = room.edits.get(id);
    if (edit && edit.sender === sender && !room.redacted.has(edit.id) && !deleted) {
      content = edit.content;
      record.editedAt = edit.time;
    }
    const msgtype = type === 'm.sticker' ? 'm.sticker' : (str(content.msgtype) ?? 'm.text');
    undecrypted = msgtype === 'm.bad.encrypted' && !deleted;
    env = undecrypted ? { body: '', encrypted: true } : contentEnvelope(content, msgtype);
    if (isObject(relation['m.in_reply_to']) || relation.rel_type === 'm.thread') env.reply = true;
    const parent = parentOf(relation, room);
    record.replyToKey = parent?.key ?? null;
    if (parent?.thread) record.flags = MessageFlags.threadReply;
    const file = own(MEDIA, msgtype) ?? (msgtype === 'm.sticker' ? { kind: 'media' as const, folder: 'stickers' } : null);
    record.kind = file?.kind ?? own(KINDS, msgtype) ?? 'text';
    if (file && !deleted) {
      record.attachments = [attachmentOf(content)];
      media = { folder: file.folder, body: text(content.body) };
    }
  } else if (type === 'm.room.encrypted') {
    undecrypted = !deleted;
    env = { body: '', encrypted: true };
  } else {
    const event = roomEventOf(e, person);
    if (!event) return typeof e.state_key === 'string' || type.startsWith('m.room.') ? { skip: 'setting' } : { skip: 'unknown', type };
    env = { body: '', event };
    record.kind = 'event';
  }
  const reactions = deleted ? [] : reactionsOf(id, room, person);
  if (reactions.length) env.reactions = reactions;
  record.body = JSON.stringify(env);
  return { record, media, undecrypted };
}

function contentEnvelope(content: JsonObject, msgtype: string): MatrixEnvelope {
  const body = text(content.body);
  const env: MatrixEnvelope = { body };
  if (content.format === 'org.matrix.custom.html' && typeof content.formatted_body === 'string') env.html = content.formatted_body;
  if (msgtype === 'm.location' && str(content.geo_uri)) env.geo = str(content.geo_uri)!;
  if (own(MEDIA, msgtype) || msgtype === 'm.sticker') {
    // Since Matrix 1.10 `filename` names the file and `body` is a caption when they differ.
    const name = fileNameOf(content);
    env.file = name;
    if (!str(content.filename) || body === name) {
      env.body = '';
      delete env.html;
    }
  }
  return env;
}

function fileNameOf(content: JsonObject): string {
  return safeName(str(content.filename) ?? (text(content.body) || 'file'));
}

function attachmentOf(content: JsonObject): Attachment {
  const info = isObject(content.info) ? content.info : {};
  const file = isObject(content.file) ? content.file : {};
  const name = fileNameOf(content);
  const type = str(info.mimetype) ?? str(file.mimetype) ?? mimeOf(name);
  const size = num(info.size);
  return { name, ...(type && type.length <= 100 ? { type } : {}), ...(size !== null && Number.isSafeInteger(size) && size >= 0 ? { size } : {}) };
}

/**
 * What a message points back to: the root of its thread (`m.thread`: a message in a thread
 * belongs under its root, also when it answers another message of the thread), else (or when the
 * root is not in this export) the message it replies to. A key needs its target's sender and
 * time: a target not in this export leaves none.
 */
function parentOf(relation: JsonObject, room: Room): { key: string; thread: boolean } | null {
  const inReplyTo = isObject(relation['m.in_reply_to']) ? str(relation['m.in_reply_to'].event_id) : null;
  const threadRoot = relation.rel_type === 'm.thread' ? str(relation.event_id) : null;
  for (const [parent, thread] of [[threadRoot, true], [inReplyTo, false]] as const) {
    const sent = parent ? room.sent.get(parent) : undefined;
    if (parent && sent) return { key: messageKey({ chat: room.id, author: sent.sender, time: sent.time, identity: parent }), thread };
  }
  return null;
}

function reactionsOf(id: string, room: Room, person: (user: string) => MatrixPerson): NonNullable<MatrixEnvelope['reactions']> {
  const byKey = new Map<string, MatrixPerson[]>();
  for (const [reactionId, { key, sender }] of room.reactions.get(id) ?? []) {
    if (room.redacted.has(reactionId)) continue;
    const users = byKey.get(key) ?? [];
    byKey.set(key, users);
    // One reaction per person and key (the spec lets servers refuse duplicates; older ones did not).
    if (users.length < MAX_REACTORS && !users.some((u) => u.id === sender)) users.push(person(sender));
  }
  return [...byKey].map(([emoji, users]) => ({ emoji, users }));
}
