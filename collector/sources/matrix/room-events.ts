import type { MatrixPerson, MatrixRoomEvent } from '../../markup/matrix.js';
import { isObject, str, text, type JsonObject } from '../kit/fields.js';

/**
 * A state event shown in the timeline → the converter's MatrixRoomEvent, or null for state that
 * only configures the room (power levels, join rules, history visibility…), which Element's
 * timeline does not show either. Membership is read as the spec's transitions from the previous
 * membership (`unsigned.prev_content`): a join over a join is a profile change, a leave by someone
 * else a kick, a leave after an invite a rejection or a withdrawal.
 */
export function roomEventOf(e: JsonObject, person: (id: string) => MatrixPerson): MatrixRoomEvent | null {
  const type = str(e.type);
  const content = isObject(e.content) ? e.content : {};
  const sender = str(e.sender) ?? '';
  const actor = person(sender);
  switch (type) {
    case 'm.room.create':
      return { type: 'created', actor };
    case 'm.room.encryption':
      return { type: 'encryption', actor };
    case 'm.room.topic': {
      const topic = text(content.topic).trim();
      return topic ? { type: 'topic', actor, text: topic } : { type: 'topic-removed', actor };
    }
    case 'm.room.name': {
      const name = text(content.name).trim();
      return name ? { type: 'name', actor, text: name } : { type: 'name-removed', actor };
    }
    case 'm.room.member':
      return memberEvent(e, content, sender, person);
    default:
      return null;
  }
}

function memberEvent(e: JsonObject, content: JsonObject, sender: string, person: (id: string) => MatrixPerson): MatrixRoomEvent | null {
  const target = str(e.state_key);
  if (!target) return null;
  const unsigned = isObject(e.unsigned) ? e.unsigned : {};
  const prev = isObject(unsigned.prev_content) ? unsigned.prev_content : isObject(e.prev_content) ? e.prev_content : {};
  const now = str(content.membership);
  const before = str(prev.membership);
  const reason = text(content.reason).trim();
  const event: MatrixRoomEvent = { type: '', actor: person(sender), target: person(target) };
  if (reason) event.text = reason;
  const self = sender === target;
  if (now === 'join' && before === 'join') {
    const from = text(prev.displayname).trim();
    const to = text(content.displayname).trim();
    if (from === to) return str(prev.avatar_url) === str(content.avatar_url) ? null : { ...event, type: 'avatar' };
    return from && to ? { ...event, type: 'renamed', from, to } : to ? { ...event, type: 'named', to } : { ...event, type: 'unnamed', from };
  }
  if (now === 'join') return { ...event, type: 'joined' };
  if (now === 'invite') return { ...event, type: 'invited' };
  if (now === 'knock') return { ...event, type: 'knocked' };
  if (now === 'ban') return { ...event, type: 'banned' };
  if (now === 'leave') {
    if (before === 'ban') return { ...event, type: 'unbanned' };
    if (before === 'invite') return { ...event, type: self ? 'rejected' : 'withdrew' };
    return { ...event, type: self ? 'left' : 'kicked' };
  }
  return null;
}
