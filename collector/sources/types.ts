import type { PreparedIdentity } from '../store/prepare.js';

/**
 * The one interface every source adapter implements (one adapter per file in this folder).
 * An adapter turns a file or folder into a stream of normalized events; it knows nothing of the
 * database. The importer (collector/import.ts) feeds those events to the store.
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
  /** Key of the message this one replies to or quotes (collector/identity/key.ts). */
  replyToKey?: string | null;
  attachments?: Attachment[];
  /** Bit flags, see MessageFlags. */
  flags?: number;
  /**
   * Set by the importer's reading thread, never by adapters: identity and fingerprint computed
   * ahead (collector/store/prepare.ts).
   */
  prepared?: PreparedIdentity;
}

export const MessageFlags = {
  /** The source's timestamp is implausible (before 2000 or far in the future). */
  implausibleTime: 1,
  /**
   * Edited at a time the source does not tell (WhatsApp's "<This message was edited>"): the body
   * is the later text. The store lets it replace the earlier text of an id-less message.
   */
  edited: 2,
} as const;

export interface MediaFile {
  name: string;
  type?: string;
  bytes: Buffer;
}

/** Something the adapter skipped but the rest of the file is sound: counted and reported. */
export interface SourceWarning {
  /** Where: a byte offset, line number or entry name, as precise as the format allows. */
  position: string;
  message: string;
}

export type SourceEvent =
  | { type: 'chat'; chat: ChatRecord } // following messages belong to this chat
  | { type: 'message'; message: MessageRecord }
  | { type: 'media'; media: MediaFile; hash: string }
  | { type: 'warning'; warning: SourceWarning }
  | { type: 'progress'; done: number; total: number } // bytes, for the progress bar
  // Append-only sources (logs): `resume` first when the adapter continues after options.cursor, so
  // every message that follows is new; `cursor` last, the point to continue from next time.
  | { type: 'resume' }
  | { type: 'cursor'; cursor: string };

export interface ReadOptions {
  /** When set, the adapter may skip the messages of chats this returns false for. */
  wantChat?: (nativeId: string) => boolean;
  /**
   * The `cursor` this adapter emitted after the last import of this path, if any. An adapter for
   * an append-only format checks it still fits the file (same head, not shorter) and then reads
   * only what was appended, announcing it with a `resume` event; else it reads the whole file.
   */
  cursor?: string | null;
  /**
   * WhatsApp exports write local wall times in the phone's date layout (collector/sources/whatsapp.ts):
   * force the day/month order (else inferred from the file) and name the phone's time zone (else
   * the machine's).
   */
  whatsapp?: { dateOrder?: 'dmy' | 'mdy' | 'ymd'; timeZone?: string };
  /**
   * IRC logs (collector/sources/irc.ts) carry the logging machine's wall time: name its time zone
   * (else the machine's), and the network of logs whose file name names none (else their folder's
   * name, or "unknown").
   */
  irc?: { network?: string; timeZone?: string };
  /**
   * Media files larger than this many bytes are listed as attachments without their bytes
   * (default DEFAULT_MAX_MEDIA_BYTES, collector/sources/media-files.ts).
   */
  maxMediaBytes?: number;
}

export interface SourceAdapter {
  /** The `--format` name, e.g. `skype-export`. */
  readonly format: string;
  /** One line for `--help` and error messages. */
  readonly description: string;
  /** Cheap sniff of a path: does it look like this format? Must not read the whole file. */
  detect(path: string): Promise<boolean>;
  read(path: string, options: ReadOptions): AsyncIterable<SourceEvent>;
}

/**
 * Thrown by an adapter for input it cannot read at all (not this format, truncated beyond repair,
 * not valid UTF-8…). `position` names where, e.g. `byte 10432`.
 */
export class SourceError extends Error {
  constructor(
    readonly file: string,
    readonly position: string | null,
    message: string,
  ) {
    super(position ? `${file}: ${position}: ${message}` : `${file}: ${message}`);
    this.name = 'SourceError';
  }
}
