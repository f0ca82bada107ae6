/**
 * The normalized records every source adapter produces and the store keeps: what a chat, a person
 * and a message are, whatever app they came from. Imported by sources, markup and store alike;
 * nothing here knows a format or the database.
 */

export type MessageKind =
  | 'text'
  | 'emote'
  | 'event' // membership, topic, picture…
  | 'call'
  | 'file'
  | 'media'
  | 'poll'
  | 'notice'
  | 'sms'
  | 'contact';

export interface Attachment {
  name: string;
  size?: number;
  type?: string; // MIME type when known
  url?: string; // where the source says it lives online
  /** sha256 of the bytes when the export contained the file; the bytes are in the media table. */
  hash?: string;
}

export interface ChatRecord {
  nativeId: string;
  /**
   * Where this chat's message ids are unique and shared by every export (default: the format):
   * two messages of one scope with different ids are two messages (collector/store/merge.ts).
   * Skype main.db names the account: guids of cloud threads differ between accounts.
   */
  idScope?: string;
  title?: string | null;
  kind?: 'group' | 'direct' | 'channel';
  members?: PersonRecord[];
  /** The person whose export this is (Skype `userId`, main.db's account): one of the members. */
  owner?: string | null;
}

export interface PersonRecord {
  nativeId: string;
  displayName?: string | null;
}

export interface MessageRecord {
  /** Stable id from the source, when it has one: becomes the key's identity. */
  nativeId?: string;
  authorId: string;
  authorName?: string | null;
  /** UTC ms since the epoch. */
  time: number;
  kind: MessageKind;
  /** Raw content exactly as the source gave it. */
  body: string;
  /** Name of the collector/markup converter that turns `body` into HTML and text. */
  markup: string;
  editedAt?: number | null;
  deleted?: boolean;
  /**
   * Key of the message this one replies to or quotes (collector/identity/key.ts); with
   * MessageFlags.threadReply, the root of its thread.
   */
  replyToKey?: string | null;
  attachments?: Attachment[];
  /** Bit flags, see MessageFlags. */
  flags?: number;
  /**
   * `nativeId` is no id but a time and the message's place among its author's messages of that
   * time in this export (identity/key.ts repeatId: Mattermost's `create_at`, `create_at#n`): an
   * export lacking one of them numbers the others differently, so the store may give the message
   * the key of another place of the same time (collector/store/repeats.ts).
   */
  positional?: boolean;
}

export const MessageFlags = {
  /** The source's timestamp is implausible (set by the store: collector/store/plausible.ts). */
  implausibleTime: 1,
  /**
   * Edited at a time the source does not tell (WhatsApp's "<This message was edited>"): the body
   * is the later text. The store lets it replace the earlier text of an id-less message.
   */
  edited: 2,
  /**
   * `replyToKey` names the root of the thread this message was posted in (Slack `thread_ts`,
   * Matrix `m.thread`, Teams channel replies, Mattermost replies, Google Chat topics), not a
   * message it quotes: the site lists it under that root as well as at its own time.
   */
  threadReply: 4,
} as const;

export interface MediaFile {
  name: string;
  type?: string;
  bytes: Buffer;
}

