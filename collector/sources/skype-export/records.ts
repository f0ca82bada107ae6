import { messageKey } from '../../identity/key.js';
import type { ChatRecord, MessageRecord, PersonRecord } from '../../model.js';
import { editMarkerTime, initiatorOf, onlyEditMarkers, quoteAttributes } from '../../markup/skype/xml.js';
import { isObject } from '../kit/fields.js';
import { plural, type Warnings } from '../kit/warnings.js';
import { attachmentsOf } from './attachments.js';
import { findTime, type Conversation } from './conversation.js';
import { normalizeId } from './ids.js';
import { at, type ExportInput } from './input.js';
import { hash32 } from './probe.js';
import { parseTime } from './time.js';
import { chatKind, isTextual, kindOf } from './kinds.js';
import { parseJsonText } from '../kit/json/parse.js';

/**
 * An export's conversations and messages as records. Person ids always get their type prefix;
 * thread activity sent "from" the thread is credited to its `<initiator>`. `properties.edittime`
 * or an `<e_m ts_ms>` marker → editedAt; `properties.deletetime`, or a textual message left empty
 * or with only `<e_m/>` → deleted (the body is kept).
 */

/** What mapping needs of the read it is part of. */
export interface RecordContext {
  input: ExportInput;
  warnings: Warnings;
  /** The exporting account (`userId`). */
  selfId: string | null;
  /** The canonical id of a conversation id (collector/identity/skype-ids.ts). */
  canonical(id: string): string;
}

export function chatRecord(conv: Conversation, ctx: RecordContext): ChatRecord {
  const id = conv.id as string;
  const props = isObject(conv.threadProperties) ? conv.threadProperties : null;
  const topic = props && typeof props.topic === 'string' && props.topic.trim() ? props.topic : null;
  const displayName = typeof conv.displayName === 'string' && conv.displayName.trim() ? conv.displayName : null;
  const kind = chatKind(id);
  const members: PersonRecord[] = [];
  const seen = new Set<string>();
  const addMember = (nativeId: string | null, displayName?: string | null) => {
    if (!nativeId || seen.has(nativeId)) return;
    seen.add(nativeId);
    members.push(displayName ? { nativeId, displayName } : { nativeId });
  };
  if (props && props.members != null) {
    let list: unknown = props.members;
    if (typeof list === 'string') {
      try {
        list = parseJsonText(list);
      } catch {
        list = null;
      }
    }
    if (Array.isArray(list)) for (const m of list) addMember(normalizeId(m));
    else ctx.warnings.add(`${conv.label} (${at(ctx.input, conv.start)})`, 'threadProperties.members is not a list of ids; members unknown');
  }
  if (kind === 'direct') {
    addMember(id, displayName);
    addMember(ctx.selfId);
  }
  // A dialog's title is its partner's name only from one side: the site shows members instead.
  return { nativeId: conv.nativeId, title: kind === 'direct' ? null : displayName ?? topic, kind, members, owner: ctx.selfId };
}

export function messageRecord(m: Record<string, unknown>, conv: Conversation, index: number, offset: number, ctx: RecordContext): MessageRecord | null {
  const chatId = conv.nativeId;
  const where = () => `${conv.label}, message ${index} (${at(ctx.input, offset)})`;
  if (!isObject(m)) {
    ctx.warnings.add(where(), 'not an object; skipped');
    return null;
  }
  // Pass 1 read the time from the same bytes; only a probe miss (escaped key…) parses again.
  let time = conv.times[index];
  if (time !== time) time = typeof m.originalarrivaltime === 'string' ? parseTime(m.originalarrivaltime) : NaN;
  if (!Number.isFinite(time)) {
    ctx.warnings.add(where(), `no valid time (originalarrivaltime ${JSON.stringify(m.originalarrivaltime ?? null)}); skipped`);
    return null;
  }
  let author = normalizeId(m.from);
  if (!author) {
    ctx.warnings.add(where(), 'no sender ("from"); skipped');
    return null;
  }
  const type = typeof m.messagetype === 'string' ? m.messagetype : '';
  const [kind, known] = kindOf(type);
  if (!known) ctx.warnings.tally(`type ${type}`, where(), (count) => `${plural(count, 'message')} of unknown type "${type}" imported as ${kind}`);
  const body = typeof m.content === 'string' ? m.content : m.content == null ? '' : JSON.stringify(m.content);
  const hasMarkup = body.indexOf('<') >= 0;

  if (author.startsWith('19:') && hasMarkup) {
    // Thread activity is sent "from" the thread itself: credit whoever did it.
    const initiator = initiatorOf(body);
    if (initiator !== null) author = normalizeId(initiator) ?? author;
  }

  let props = m.properties;
  if (typeof props === 'string') {
    try {
      props = parseJsonText(props);
    } catch {
      props = null;
    }
  }
  let editedAt = isObject(props) ? msNumber(props.edittime) : null;
  let deleted = isObject(props) && props.deletetime != null && props.deletetime !== '';
  if (hasMarkup && body.indexOf('<e_m') >= 0) {
    // `<e_m a="bob" ts_ms="…" t="61"/>` marks an edit; alone, it is what a deletion leaves.
    if (editedAt === null) editedAt = editMarkerTime(body);
    if (isTextual(kind) && onlyEditMarkers(body)) deleted = true;
  } else if (isTextual(kind) && body.trim() === '') {
    deleted = true;
  }

  // Every record has every field (one object shape for the importer's hot path).
  return {
    nativeId: m.id != null && m.id !== '' ? String(m.id) : undefined,
    authorId: author,
    authorName: typeof m.displayName === 'string' && m.displayName.trim() ? m.displayName : null,
    time,
    kind,
    body,
    markup: 'skype',
    editedAt,
    deleted,
    replyToKey: hasMarkup && body.indexOf('<quote') >= 0 ? quoteKey(body, conv, chatId, ctx) : null,
    attachments: attachmentsOf(body, hasMarkup, m.amsreferences, ctx.input.media),
  };
}

/**
 * The key of the message a `<quote … messageid="…" timestamp="…">` quotes. The quote gives the
 * time in whole seconds, the key needs the quoted message's exact time: it is looked up among
 * this chat's messages (by id, within the second) and, when not found (quoted from another chat
 * or from before the export), the quote's own second stands in for it.
 */
function quoteKey(body: string, conv: Conversation, chatId: string, ctx: RecordContext): string | null {
  const attrs = quoteAttributes(body);
  if (!attrs) return null;
  const author = normalizeId(attrs.author);
  const messageId = attrs.messageid;
  const seconds = Number(attrs.timestamp);
  if (!author || !messageId || !Number.isFinite(seconds)) return null;
  const chat = attrs.conversation ? ctx.canonical(attrs.conversation) : chatId;
  let time = seconds * 1000;
  if (chat === chatId) time = findTime(conv, hash32(messageId), time) ?? time;
  return messageKey({ chat, author, time, identity: messageId }, 0);
}

/** ms since the epoch from a number or numeric string (`properties.edittime`). */
function msNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}
