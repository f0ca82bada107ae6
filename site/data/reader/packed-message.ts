import { viewHtmlOf } from '../../../collector/store/contract.js';
import type { PublicAnchors } from '../public-anchor.js';

/** A message as the site renders it. */
export interface Message {
  chatId: number;
  /** As published (public-anchor.ts). */
  anchor: string;
  authorId: number | null;
  /** The name the source showed with this message. */
  authorName: string | null;
  /** UTC ms. */
  time: number;
  kind: string;
  /** Sanitized HTML (messages.html). */
  html: string;
  editedAt: number | null;
  deleted: boolean;
  replyTo: string | null;
  /** JSON, see collector/sources/types.ts (Attachment). */
  attachments: string | null;
  flags: number;
  /** Only from the feed and latest-message queries: the key as published (feed entry ids). */
  key?: string;
  text?: string;
}

/**
 * What a message query returns per row. Every column better-sqlite3 hands over costs time, and an
 * archive build reads every message once, so the row is packed: the rarely set columns in one
 * JSON array that is NULL for most messages, and the strings in one, separated by U+001F.
 *
 * Read from `message_rows` (`direct`, message-table.ts), a NULL html comes back as its text or
 * body, expanded with the collector's own mirror of the view's expression
 * (collector/store/compact.ts).
 */
export type PackedRow = [time: number, authorId: number | null, extras: string | null, authorName: string | null, packed: string, chatId?: number, key?: string, text?: string];

const SEP = '\u001f';

/** The SELECT list of a message query; `full` adds chat id, key and text (feeds, latest rows). */
export function messageColumns(direct: boolean, full: boolean): string {
  const extras = `CASE WHEN edited_at IS NULL AND deleted = 0 AND reply_to_key IS NULL AND attachments IS NULL AND flags = 0
    THEN NULL ELSE json_array(edited_at, deleted, reply_to_key, attachments, flags) END`;
  const body = direct ? `CASE WHEN html IS NULL THEN 't' || coalesce(text, body) ELSE 'h' || html END` : `'h' || html`;
  // Anchors are hex and kinds are a fixed vocabulary: neither contains the separator.
  const packed = `anchor || char(31) || kind || char(31) || ${body}`;
  return `time, author_id, ${extras}, author_name, ${packed}${full ? `, chat_id, key, ${direct ? 'coalesce(text, body)' : 'text'}` : ''}`;
}

function unpack(row: PackedRow, chatId: number, anchors: PublicAnchors): Message {
  const packed = row[4];
  const a = packed.indexOf(SEP);
  const b = packed.indexOf(SEP, a + 1);
  const body = packed.slice(b + 2);
  const message: Message = {
    chatId: row.length > 5 ? row[5]! : chatId,
    anchor: anchors.shown(packed.slice(0, a)),
    authorId: row[1],
    authorName: row[3],
    time: row[0],
    kind: packed.slice(a + 1, b),
    html: packed.charCodeAt(b + 1) === 116 /* t */ ? viewHtmlOf(body) : body,
    editedAt: null,
    deleted: false,
    replyTo: null,
    attachments: null,
    flags: 0,
  };
  if (row[2] !== null) {
    const [editedAt, deleted, replyTo, attachments, flags] = JSON.parse(row[2]) as [number | null, number, string | null, string | null, number];
    message.editedAt = editedAt;
    message.deleted = deleted !== 0;
    message.replyTo = replyTo;
    message.attachments = attachments;
    message.flags = flags;
  }
  if (row.length > 5) {
    message.key = anchors.shownKey(row[6]!);
    message.text = row[7];
  }
  return message;
}

/** Rows of messageColumns as messages, anchors and keys as published; `chatId` for rows without it (not `full`). */
export function unpackAll(rows: PackedRow[], anchors: PublicAnchors, chatId = 0): Message[] {
  const out = new Array<Message>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = unpack(rows[i], chatId, anchors);
  return out;
}
