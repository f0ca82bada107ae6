import { identityBase, keyFromBase } from '../identity/key.js';
import { MessageFlags, type MessageRecord } from '../model.js';
import { fnv1a } from './fingerprint.js';
import { dayOf } from './periods.js';

/**
 * What the writer derives from a message besides the database: its identity (key inputs), its
 * revision fingerprint and its day — pure functions of the record and its chat, so a reading
 * thread can compute them ahead of the writer (collector/import/threaded.ts) — and the shape of its
 * rendered body, which the writer asks its `render` option for (collector/import/render-body.ts).
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
  /**
   * The body as the import's render call stores it (collector/import/render-body.ts), rendered
   * ahead by a reading thread when the messages are likely new; absent: the writer renders it.
   */
  body?: PreparedBody;
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
  const { rev, attachments } = revisionOf(record);
  return { chat, base, key0: keyFromBase(base, 0), rev, attachments, day: dayOf(record.time) };
}

/** A message's revision fingerprint (what tells an update from a repeat), and its attachments' JSON. */
export function revisionOf(record: MessageRecord): { rev: number; attachments: string | null } {
  const attachments = record.attachments?.length ? JSON.stringify(record.attachments) : null;
  const deleted = record.deleted ? 1 : 0;
  // A thread reply's mark is part of its revision, so that a reply stored before adapters set it
  // gets it on re-import; the term is there only when set, so no other stored revision changes.
  const thread = (record.flags ?? 0) & MessageFlags.threadReply ? '\u0000thread' : '';
  const rev = fnv1a(
    `${record.kind}\u0000${record.body}\u0000${record.editedAt ?? ''}\u0000${deleted}\u0000${record.replyToKey ?? ''}\u0000${attachments ?? ''}\u0000${record.authorName ?? ''}${thread}`,
  );
  return { rev, attachments };
}
