import { identityBase } from '../identity/key.js';
import type { MessageRecord } from '../model.js';
import type { PreparedIdentity } from '../store/prepare.js';
import type { IncomingMessage } from '../store/writer.js';
import type { SourceEvent } from '../sources/types.js';

/**
 * A batch of events as it crosses from the reading thread to the writer (import/threaded.ts): the
 * messages' fields in columns, one array per field, instead of one object per message. A
 * structured clone writes every property name of every object it copies, and the reading side
 * rebuilds each object property by property; arrays of plain values cost neither. Measured on the
 * 100k-message Skype corpus: cloning and rebuilding the batches took 220–300 CPU-ms instead of
 * 400–470, and 34 MB of clones instead of 55.
 *
 * Fields whose values repeat from message to message (author, kind, markup) cross once per batch,
 * in `values`, each message holding an index into it; the identity base (store/prepare.ts) does
 * not cross at all: it is a concatenation of fields that do, made again on arrival by the same
 * function. Measured on the 100k-message Skype corpus (v8.serialize of 60 batches): those columns
 * cost 0.41 of the 0.94 ms a batch took to serialize.
 *
 * Every other event, and any message with a property this file does not know, crosses as it is.
 */
export interface PackedEvents {
  /** The events in order; null stands for the next message of the columns. */
  events: (SourceEvent | null)[];
  /** The chats messages were prepared for (prepared.chat), indexed by the `chat` column. */
  chats: string[];
  /** The distinct values of the columns that index into it (authorId, authorName, kind, markup). */
  values: (string | null | undefined)[];
  m: MessageColumns;
}

interface MessageColumns {
  nativeId: MessageRecord['nativeId'][];
  /** Indexes into PackedEvents.values, as are authorName, kind and markup. */
  authorId: number[];
  authorName: number[];
  time: number[];
  kind: number[];
  body: string[];
  markup: number[];
  editedAt: MessageRecord['editedAt'][];
  deleted: MessageRecord['deleted'][];
  replyToKey: MessageRecord['replyToKey'][];
  attachments: MessageRecord['attachments'][];
  flags: MessageRecord['flags'][];
  positional: MessageRecord['positional'][];
  /** Index into PackedEvents.chats, or -1: no identity computed ahead. */
  chat: number[];
  key0: string[];
  rev: number[];
  preparedAttachments: (string | null)[];
  day: string[];
  /** The body rendered ahead (PreparedIdentity.body): 1, or 0 for none. */
  rendered: number[];
  html: (string | null)[];
  text: (string | null)[];
  /** null: the stored text, or the body when that is null (what it nearly always is). */
  fullText: (string | null)[];
  /** null: no one. */
  people: ([id: string, name: string][] | null)[];
}

/** What a message record may hold (model.ts MessageRecord, and the writer's `prepared`). */
const MESSAGE_KEYS = new Set<string>([
  'nativeId', 'authorId', 'authorName', 'time', 'kind', 'body', 'markup', 'editedAt', 'deleted',
  'replyToKey', 'attachments', 'flags', 'positional', 'prepared',
]);
const PREPARED_KEYS = new Set<string>(['chat', 'base', 'key0', 'rev', 'attachments', 'day', 'body']);
const BODY_KEYS = new Set<string>(['html', 'text', 'fullText', 'people']);

function hasOnly(object: object, keys: Set<string>): boolean {
  for (const key in object) if (!keys.has(key)) return false;
  return true;
}

export function packEvents(events: SourceEvent[]): PackedEvents {
  const m: MessageColumns = {
    nativeId: [], authorId: [], authorName: [], time: [], kind: [], body: [], markup: [], editedAt: [], deleted: [],
    replyToKey: [], attachments: [], flags: [], positional: [], chat: [], key0: [], rev: [],
    preparedAttachments: [], day: [], rendered: [], html: [], text: [], fullText: [], people: [],
  };
  const chats: string[] = [];
  const values: (string | null | undefined)[] = [];
  const indexes = new Map<string | null | undefined, number>();
  const index = (value: string | null | undefined): number => {
    let i = indexes.get(value);
    if (i === undefined) indexes.set(value, (i = values.push(value) - 1));
    return i;
  };
  const out: (SourceEvent | null)[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const record = event.type === 'message' ? (event.message as IncomingMessage) : null;
    const prepared = record?.prepared;
    const body = prepared?.body;
    if (
      !record || !hasOnly(record, MESSAGE_KEYS) || (prepared !== undefined && !hasOnly(prepared, PREPARED_KEYS)) ||
      (body !== undefined && !hasOnly(body, BODY_KEYS))
    ) {
      out[i] = event;
      continue;
    }
    out[i] = null;
    m.nativeId.push(record.nativeId);
    m.authorId.push(index(record.authorId));
    m.authorName.push(index(record.authorName));
    m.time.push(record.time);
    m.kind.push(index(record.kind));
    m.body.push(record.body);
    m.markup.push(index(record.markup));
    m.editedAt.push(record.editedAt);
    m.deleted.push(record.deleted);
    m.replyToKey.push(record.replyToKey);
    m.attachments.push(record.attachments);
    m.flags.push(record.flags);
    m.positional.push(record.positional);
    if (prepared === undefined) {
      m.chat.push(-1);
      m.key0.push('');
      m.rev.push(0);
      m.preparedAttachments.push(null);
      m.day.push('');
      m.rendered.push(0);
      m.html.push(null);
      m.text.push(null);
      m.fullText.push(null);
      m.people.push(null);
      continue;
    }
    let chat = chats.length ? chats.lastIndexOf(prepared.chat) : -1;
    if (chat < 0) chat = chats.push(prepared.chat) - 1;
    m.chat.push(chat);
    m.key0.push(prepared.key0);
    m.rev.push(prepared.rev);
    m.preparedAttachments.push(prepared.attachments);
    m.day.push(prepared.day);
    m.rendered.push(body ? 1 : 0);
    m.html.push(body ? body.html : null);
    m.text.push(body ? body.text : null);
    m.fullText.push(body && body.fullText !== (body.text ?? record.body) ? body.fullText : null);
    m.people.push(body?.people.length ? body.people : null);
  }
  return { events: out, chats, values, m };
}

/** The events packEvents packed, in their order (the batch's `events` array is reused). */
export function unpackEvents(packed: PackedEvents): SourceEvent[] {
  const { events, chats, values, m } = packed;
  let j = 0;
  for (let i = 0; i < events.length; i++) {
    if (events[i] !== null) continue;
    const chat = m.chat[j];
    const authorId = values[m.authorId[j]] as string;
    const nativeId = m.nativeId[j];
    const prepared: PreparedIdentity | undefined =
      chat < 0
        ? undefined
        : {
            chat: chats[chat],
            // As prepareIdentity made it.
            base: identityBase({ chat: chats[chat], author: authorId, time: m.time[j], identity: nativeId ?? m.body[j] }),
            key0: m.key0[j], rev: m.rev[j], attachments: m.preparedAttachments[j], day: m.day[j],
          };
    if (prepared && m.rendered[j]) {
      const text = m.text[j];
      prepared.body = { html: m.html[j], text, fullText: m.fullText[j] ?? text ?? m.body[j], people: m.people[j] ?? [] };
    }
    const message: IncomingMessage = {
      nativeId, authorId, authorName: values[m.authorName[j]], time: m.time[j], kind: values[m.kind[j]] as MessageRecord['kind'],
      body: m.body[j], markup: values[m.markup[j]] as string, editedAt: m.editedAt[j], deleted: m.deleted[j], replyToKey: m.replyToKey[j],
      attachments: m.attachments[j], flags: m.flags[j], positional: m.positional[j], prepared,
    };
    events[i] = { type: 'message', message };
    j++;
  }
  return events as SourceEvent[];
}
