import type { Statement } from 'better-sqlite3';
import type { MessageTable } from './message-table.js';

/** A message with attachments, as the media gallery reads it. */
export interface MediaMessage {
  anchor: string;
  time: number;
  authorId: number | null;
  authorName: string | null;
  /** JSON, see collector/sources/types.ts (Attachment). */
  attachments: string;
}

/**
 * The messages that carry attachments, through the partial index `messages_chat_media` (schema
 * version 5), which holds only those rows.
 */
export class AttachmentMessages {
  private ofChat: Statement | undefined;
  private any: Statement | undefined;

  constructor(private readonly messages: MessageTable) {}

  /** A chat's messages that carry attachments, newest first (the media gallery): never the bodies. */
  mediaMessages(chatId: number): MediaMessage[] {
    this.ofChat ??= this.messages.db
      .prepare(
        `SELECT anchor, time, author_id, author_name, attachments FROM ${this.messages.table}
         WHERE chat_id = ? AND attachments IS NOT NULL ORDER BY time DESC, id DESC`,
      )
      .raw();
    const { anchors } = this.messages;
    return (this.ofChat.all(chatId) as [string, number, number | null, string | null, string][]).map(([anchor, time, authorId, authorName, attachments]) => ({
      anchor: anchors.shown(anchor),
      time,
      authorId,
      authorName,
      attachments,
    }));
  }

  /** Whether any message of these chats carries attachments (a lookup per chat). */
  anyAttachments(chatIds: Iterable<number>): boolean {
    this.any ??= this.messages.db.prepare(`SELECT 1 FROM ${this.messages.table} WHERE chat_id = ? AND attachments IS NOT NULL LIMIT 1`).pluck();
    for (const chatId of chatIds) if (this.any.get(chatId) !== undefined) return true;
    return false;
  }
}
