import type { ChatRecord, MediaFile, MessageRecord } from '../model.js';

/**
 * The one interface every source adapter implements (one adapter per format in this folder).
 * An adapter turns a file or folder into a stream of normalized events (the records of
 * collector/model.ts); it knows nothing of the database. The importer (collector/import/) feeds
 * those events to the store.
 */

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
  // Append-only sources (logs): `resume` first when the adapter continues after options.cursor (it
  // reads again the lines within twice the merge tolerance of where it stopped, so that the store
  // numbers and matches the appended ones as in a whole read); `cursor` last, the point to
  // continue from next time.
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
   * The store's cross-source duplicate window (default DEFAULT_MERGE_TOLERANCE_MS; 0: merging
   * off): a resumed read replays the lines within twice this of where the last read stopped.
   */
  mergeToleranceMs?: number;
  /**
   * WhatsApp exports write local wall times in the phone's date layout (collector/sources/whatsapp/):
   * force the day/month order (else inferred from the file) and name the phone's time zone (else
   * the machine's).
   */
  whatsapp?: { dateOrder?: 'dmy' | 'mdy' | 'ymd'; timeZone?: string };
  /**
   * IRC logs (collector/sources/irc/) carry the logging machine's wall time: name its time zone
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
