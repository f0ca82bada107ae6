import { identityBase, keyFromBase } from '../identity/key.js';
import { decodeEntities } from '../markup/html.js';
import { renderBody } from '../markup/index.js';
import type { MessageRecord } from '../sources/types.js';
import { personRefsIn, storedRefs, withoutPersonMarks } from './person-refs.js';
import { compactBody } from './compact.js';
import { fnv1a } from './fingerprint.js';
import { dayOf } from './periods.js';

/**
 * What the writer derives from a message besides the database: its identity (key inputs), its
 * revision fingerprint, its day, and its rendered body. Pure functions of the record and its
 * chat, so a reading thread can compute the identity ahead of the writer (sources/threaded.ts);
 * the body is rendered by the writer, for the messages it stores.
 */
export interface PreparedIdentity {
  /** The chat's native id this was computed for (a mismatch is recomputed, never trusted). */
  chat: string;
  base: string;
  /** The key of occurrence 0. */
  key0: string;
  rev: number;
  /** JSON of the attachments, or null. */
  attachments: string | null;
  /** UTC day, YYYY-MM-DD. */
  day: string;
}

export interface PreparedBody {
  /** Stored html and text (null: the messages view rebuilds them, store/compact.ts). */
  html: string | null;
  text: string | null;
  /** The full plain text (duplicate matching, full-text index). */
  fullText: string;
  /** People the body refers to with an id, and the name it showed for them. */
  people: [id: string, name: string][];
}

export function prepareIdentity(chat: string, record: MessageRecord): PreparedIdentity {
  const base = identityBase({ chat, author: record.authorId, time: record.time, identity: record.nativeId ?? record.body });
  const attachments = record.attachments?.length ? JSON.stringify(record.attachments) : null;
  const deleted = record.deleted ? 1 : 0;
  const rev = fnv1a(
    `${record.kind}\u0000${record.body}\u0000${record.editedAt ?? ''}\u0000${deleted}\u0000${record.replyToKey ?? ''}\u0000${attachments ?? ''}\u0000${record.authorName ?? ''}`,
  );
  return { chat, base, key0: keyFromBase(base, 0), rev, attachments, day: dayOf(record.time) };
}

export function prepareBody(chat: string, record: MessageRecord): PreparedBody {
  const context = { chat, kind: record.kind, deleted: !!record.deleted };
  // Person tokens come only from converters (collector/store/person-refs.ts): none from the body.
  const body = withoutPersonMarks(record.body);
  let rendered;
  try {
    rendered = renderBody(record.markup, body, context);
  } catch {
    // A body its converter cannot take (a bug meeting a hostile input) is stored as plain text
    // rather than ending the import of everything else.
    rendered = renderBody('plain', body, context);
  }
  // Some references are shown but not searched (a message's reactors): the HTML names them too.
  const people = personRefsIn(rendered.text).concat(personRefsIn(rendered.html).map(([id, name]) => [decodeEntities(id), decodeEntities(name)]));
  const withIds = people.filter(([id]) => id !== '');
  const html = storedRefs(rendered.html);
  const text = storedRefs(rendered.text);
  const stored = compactBody(record.body, html, text);
  return { html: stored.html, text: stored.text, fullText: text, people: withIds };
}
