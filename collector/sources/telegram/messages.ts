import { messageKey } from '../../identity/key.js';
import type { MessageRecord } from '../../model.js';
import type { SourceEvent } from '../types.js';
import { isObject, type JsonObject } from '../kit/fields.js';
import { readAt } from '../kit/files.js';
import { unreadableMessage } from '../kit/unreadable.js';
import { plural, type Warnings } from '../kit/warnings.js';
import { chatRecord, type Chat, type Prepared } from './chat.js';
import { at, type ExportInput } from './input.js';
import { parseLenient } from './lenient-json.js';
import type { TelegramMedia } from './media.js';
import { authorOf, envelopeOf, inOtherChat, kindOf, messageId, messageRecord } from './records.js';
import type { ExportScanner } from './scan.js';
import { LocalOffsets } from './offsets.js';
import { isWallTime, localMs, unixMs } from './time.js';

/**
 * What the scanner found, as events: each chat announced before its first message, each message
 * read (its files with it), replies resolved against the chat's earlier messages, and at a chat's
 * end the replies that waited for it and the chat again with its members.
 */

/** Replies to later messages held back per chat until its end; beyond, they are not linked. */
const MAX_DEFERRED = 10_000;

export class MessageReader {
  /** Messages Telegram Desktop exported without content (type "unsupported"). */
  private unsupported = 0;
  /** UTC offsets the file's messages with both times show, for those with only `date`. */
  private readonly offsets = new LocalOffsets();

  constructor(
    private readonly input: ExportInput,
    private readonly scanner: ExportScanner,
    private readonly media: TelegramMedia,
    private readonly warnings: Warnings,
  ) {}

  /** Turns what the scanner found so far into events (reading media files as needed). */
  async drain(): Promise<SourceEvent[]> {
    const out: SourceEvent[] = this.warnings.take();
    const found = this.scanner.found.splice(0, this.scanner.found.length);
    for (const item of found) {
      const chat = item.chat;
      if (item.kind === 'message') {
        await this.guarded(chat, item.message, item.offset, out);
      } else {
        if (chat.early) {
          const early = chat.early;
          chat.early = null;
          for (let i = 0; i < early.starts.length; i++) {
            const bytes = Buffer.allocUnsafe(early.ends[i] - early.starts[i]);
            await readAt(this.input.fh, bytes, early.starts[i]);
            const message = parseLenient(bytes.toString('utf8'), () => undefined);
            await this.guarded(chat, message, early.starts[i], out);
          }
        }
        this.endChat(chat, out);
      }
      for (const warning of this.warnings.take()) out.push(warning);
    }
    return out;
  }

  /** The read's last warnings: counts of what was skipped or left out, then of the warnings not listed. */
  summary(): SourceEvent[] {
    const out = this.warnings.take();
    const file = this.input.file;
    for (const warning of this.media.summary(file)) out.push({ type: 'warning', warning });
    if (this.unsupported) {
      out.push({
        type: 'warning',
        warning: { position: file, message: `${plural(this.unsupported, 'message')} of type "unsupported" (Telegram Desktop exported no content for them) skipped` },
      });
    }
    for (const warning of this.warnings.summary()) out.push(warning);
    return out;
  }

  /** `message`, with a message that breaks it skipped with a warning instead of ending the import. */
  private async guarded(chat: Chat, raw: unknown, offset: number, out: SourceEvent[]): Promise<void> {
    try {
      if (!this.offsets.loaded && isObject(raw) && needsOffset(raw)) await this.offsets.load(this.input);
      const files = this.message(chat, raw, offset, out);
      if (files) await files;
    } catch (err) {
      this.warnings.add(this.messageLabel(chat, raw, offset), unreadableMessage(err));
    }
  }

  private announce(chat: Chat, out: SourceEvent[]): void {
    if (chat.announced) return;
    chat.announced = true;
    out.push({ type: 'chat', chat: chatRecord(chat, this.scanner.self, false) });
  }

  private endChat(chat: Chat, out: SourceEvent[]): void {
    if (chat.skipped || !chat.announced) return;
    for (const prepared of chat.deferred) {
      try {
        out.push({ type: 'message', message: this.finish(chat, prepared) });
      } catch (err) {
        this.warnings.add(`${chat.describe()}, message ${prepared.id}`, unreadableMessage(err));
      }
    }
    chat.deferred = [];
    if (chat.datedLocally) {
      const known = this.offsets.describe();
      this.warnings.add(
        `${chat.describe()} (${at(this.input, chat.offset)})`,
        `${chat.datedLocally} of its ${chat.messages} messages have no "date_unixtime" (an older export): timed from "date", the exporting computer's local time without a zone, ` +
          (known ? `with the UTC offset its other messages show (${known})` : 'read as UTC'),
      );
    }
    // Again, now with everyone who wrote in it (the writer adds members; the rest is unchanged).
    out.push({ type: 'chat', chat: chatRecord(chat, this.scanner.self, true) });
  }

  /**
   * Reads one message into events in `out`. Synchronous unless the message names files (then the
   * returned promise settles once they are read): a promise per message would cost more than the
   * rest of the work on a message.
   */
  private message(chat: Chat, raw: unknown, offset: number, out: SourceEvent[]): Promise<void> | undefined {
    if (chat.skipped) return;
    const where = () => this.messageLabel(chat, raw, offset);
    if (!isObject(raw)) {
      this.warnings.add(where(), raw === undefined ? 'invalid JSON; skipped' : 'not an object; skipped');
      return;
    }
    if (raw.type === 'unsupported') {
      this.unsupported++;
      return;
    }
    const id = messageId(raw.id);
    if (id === null) {
      this.warnings.add(where(), 'no message id; skipped');
      return;
    }
    let time = unixMs(raw.date_unixtime);
    if (time === null) {
      time = this.localTime(raw.date);
      if (time === null) {
        this.warnings.add(where(), `no valid time (date ${JSON.stringify(raw.date ?? null)}); skipped`);
        return;
      }
      chat.datedLocally++;
    }
    chat.messages++;
    const service = raw.type === 'service';
    const { authorId, authorName } = authorOf(raw, service, chat);
    if (!chat.authors.has(authorId) || authorName) chat.authors.set(authorId, authorName);
    chat.index.add(Number(id), time, authorId);

    const prepared: Prepared = {
      id,
      time,
      authorId,
      authorName,
      kind: kindOf(raw, service),
      env: envelopeOf(raw, service),
      editedAt: unixMs(raw.edited_unixtime) ?? this.localTime(raw.edited),
      attachments: [],
      replyTo: null,
    };
    if (typeof raw.photo === 'string' || typeof raw.file === 'string') return this.media.attach(raw, prepared, out).then(() => this.emit(chat, raw, prepared, out));
    this.emit(chat, raw, prepared, out);
    return undefined;
  }

  /** A `date` → UTC ms: a wall time by the offset the file shows nearest in time, else as if UTC. */
  private localTime(value: unknown): number | null {
    const time = localMs(value);
    return time !== null && isWallTime(value) ? (this.offsets.toUtc(time) ?? time) : time;
  }

  private messageLabel(chat: Chat, raw: unknown, offset: number): string {
    const id = isObject(raw) ? messageId(raw.id) : null;
    return `${chat.describe()}, ${id === null ? 'a message' : `message ${id}`} (${at(this.input, offset)})`;
  }

  /** Emits a read message, or holds it back until the chat's end when it replies to a later one. */
  private emit(chat: Chat, raw: JsonObject, prepared: Prepared, out: SourceEvent[]): void {
    const service = raw.type === 'service';
    const replyTo = messageId(service ? (raw.action === 'pin_message' ? raw.message_id : undefined) : raw.reply_to_message_id);
    this.announce(chat, out);
    if (replyTo !== null) {
      prepared.replyTo = replyTo;
      if (inOtherChat(raw.reply_to_peer_id, chat)) {
        prepared.env.cc_reply_missing = Number(replyTo);
        prepared.replyTo = null;
      } else if (!chat.index.find(Number(replyTo)) && chat.index.mayComeLater(Number(replyTo)) && chat.deferred.length < MAX_DEFERRED) {
        // Telegram ids grow with time, so a target with a greater id than any read yet may still
        // come; anything else not found is not in this chat of the export.
        chat.deferred.push(prepared);
        return;
      }
    }
    out.push({ type: 'message', message: this.finish(chat, prepared) });
  }

  /** The message record, its reply resolved against the chat's messages read so far. */
  private finish(chat: Chat, p: Prepared): MessageRecord {
    let replyToKey: string | null = null;
    if (p.replyTo !== null) {
      const target = chat.index.find(Number(p.replyTo));
      if (target) replyToKey = messageKey({ chat: chat.nativeId, author: target.author, time: target.time, identity: p.replyTo }, 0);
      else p.env.cc_reply_missing = Number(p.replyTo);
    }
    return messageRecord(p, replyToKey);
  }
}

/** A message timed by a wall clock alone (`date` or `edited` without its `_unixtime`). */
function needsOffset(raw: JsonObject): boolean {
  return (raw.date_unixtime === undefined && raw.date !== undefined) || (raw.edited_unixtime === undefined && raw.edited !== undefined);
}
