import { messageKey } from '../../identity/key.js';
import type { Attachment, ChatRecord, MessageRecord, PersonRecord } from '../../model.js';
import { SourceError, type ReadOptions, type SourceEvent } from '../types.js';
import { text } from '../kit/fields.js';
import { DEFAULT_MAX_MEDIA_BYTES } from '../kit/media-files.js';
import { unreadableMessage } from '../kit/unreadable.js';
import { plural, type Warnings } from '../kit/warnings.js';
import { envelopeOf } from './envelope.js';
import { DiscordMedia } from './media.js';
import { chatKind, chatTitle, displayName, idOf, kindOfType, record, upTo } from './records.js';
import { MessageIndex } from './reply-index.js';
import { ChannelScanner, fileError, messagePosition, type QueuedMessage } from './scan.js';
import { Tally } from './tally.js';
import { lastTimestampHadOffset, parseTimestamp } from './time.js';
import { JsonTooDeep, parseJsonText } from '../kit/json/parse.js';

/**
 * One export file, one channel: its chat (from `guild` and `channel`), each message the scanner
 * queued as a record (its media first), and at the end the chat's members and the file's counts.
 * What a reply needs of an earlier message (its author and time, for the key the writer gave it)
 * stays in a small index; a reply always comes after what it answers, so one pass finds them all.
 */
export class ChannelReader {
  readonly scanner: ChannelScanner;
  private channelId = '';
  private chat: ChatRecord | null = null;
  private chatEmitted = false;
  private skipped = false;
  private readonly index = new MessageIndex();
  private readonly authorIds: string[] = [];
  private readonly authorNames: (string | null)[] = [];
  private readonly authorSlots = new Map<string, number>();
  private readonly media: DiscordMedia;
  private readonly unknownTypes = new Map<string, Tally>();
  private readonly noOffset = new Tally();
  private readonly wantChat: (nativeId: string) => boolean;

  constructor(
    private readonly file: string,
    root: string,
    private readonly label: string,
    options: ReadOptions,
    private readonly warnings: Warnings,
  ) {
    this.wantChat = options.wantChat ?? (() => true);
    this.media = new DiscordMedia(file, root, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, warnings);
    this.scanner = new ChannelScanner(file, label, warnings, (offset) => this.startChat(offset));
  }

  // --- the chat ------------------------------------------------------------------------------

  /** `messages` begins: the chat is known from `guild` and `channel`, which must come first. */
  private startChat(offset: number): boolean {
    if (this.chat || this.skipped) return !this.skipped; // a second "messages" key: still the same chat
    const channel = record(this.scanner.channel);
    if (!channel) {
      throw fileError(this.file, offset, this.scanner.channel === undefined ? 'not a DiscordChatExporter export: no "channel" before "messages"' : '"channel" is not an object');
    }
    const id = idOf(channel.id);
    if (!id) throw fileError(this.file, offset, '"channel" has no id');
    this.channelId = id;
    const nativeId = `discord:${id}`;
    if (!this.wantChat(nativeId)) {
      this.skipped = true;
      return false;
    }
    const guild = record(this.scanner.guild);
    this.chat = { nativeId, title: chatTitle(guild, channel), kind: chatKind(guild, channel) };
    return true;
  }

  /** The chat event (before its first message), the messages parsed so far, their media and warnings. */
  async drain(): Promise<SourceEvent[]> {
    const out: SourceEvent[] = [];
    const queue = this.scanner.queue;
    this.scanner.queue = [];
    for (const item of queue) {
      let message: unknown;
      try {
        message = parseJsonText(item.text);
      } catch (err) {
        if (!(err instanceof JsonTooDeep)) throw fileError(this.file, item.offset, `invalid JSON in message ${item.index}: ${(err as Error).message}`);
        this.warnings.add(messagePosition(this.label, item.index, item.offset), unreadableMessage(err));
        continue;
      }
      try {
        await this.message(message, item, out);
      } catch (err) {
        this.warnings.add(messagePosition(this.label, item.index, item.offset), unreadableMessage(err));
      }
    }
    for (const warning of this.warnings.take()) out.push(warning);
    return out;
  }

  /** After the last message: the chat's members (its authors) and what was counted on the way. */
  finish(): SourceEvent[] {
    const scanner = this.scanner;
    if (!scanner.sawMessages) {
      const missing = scanner.guild === undefined ? '"guild"' : scanner.channel === undefined ? '"channel"' : '"messages"';
      throw new SourceError(this.file, null, `not a DiscordChatExporter export: no ${missing}`);
    }
    const out: SourceEvent[] = [];
    if (this.chat && this.chatEmitted) {
      // Members are known only now; the chat event again adds them (same chat, same title).
      const members: PersonRecord[] = this.authorIds.map((nativeId, i) => {
        const name = this.authorNames[i];
        return name ? { nativeId, displayName: name } : { nativeId };
      });
      out.push({ type: 'chat', chat: { ...this.chat, members } });
    }
    const where = this.label;
    if (!this.skipped && typeof scanner.messageCount === 'number' && scanner.messageCount !== scanner.entries) {
      this.warnings.add(where, `"messageCount" says ${scanner.messageCount} but the file lists ${scanner.entries} messages`);
    }
    for (const [type, { count, first }] of this.unknownTypes) {
      this.warnings.add(first, `${plural(count, 'message')} of unknown type "${type}" imported as ${kindOfType(type)[0]}`);
    }
    this.media.summary(this.warnings);
    if (this.noOffset.count) {
      this.warnings.add(this.noOffset.first, `${plural(this.noOffset.count, 'timestamp')} without a UTC offset read as UTC`);
    }
    for (const warning of this.warnings.take()) out.push(warning);
    return out;
  }

  // --- messages ------------------------------------------------------------------------------

  private async message(m: unknown, item: QueuedMessage, out: SourceEvent[]): Promise<void> {
    const where = messagePosition(this.label, item.index, item.offset);
    const msg = record(m);
    if (!msg) {
      this.warnings.add(where, 'not an object; skipped');
      return;
    }
    const time = typeof msg.timestamp === 'string' ? parseTimestamp(msg.timestamp) : NaN;
    if (!Number.isFinite(time)) {
      this.warnings.add(where, `no valid time (timestamp ${JSON.stringify(msg.timestamp ?? null)}); skipped`);
      return;
    }
    if (!lastTimestampHadOffset()) this.noOffset.add(where);
    const author = record(msg.author);
    const authorRaw = author ? idOf(author.id) : null;
    if (!authorRaw) {
      this.warnings.add(where, 'no author; skipped');
      return;
    }
    const authorId = `discord:${authorRaw}`;
    const authorName = displayName(author);
    const authorSlot = this.author(authorId, authorName);

    const type = typeof msg.type === 'string' && msg.type ? msg.type : typeof msg.type === 'number' ? String(msg.type) : 'Default';
    const [typeKind, known] = kindOfType(type);
    let kind = typeKind;
    if (!known) {
      let tally = this.unknownTypes.get(type);
      if (!tally) this.unknownTypes.set(type, (tally = new Tally()));
      tally.add(where);
    }
    const content = typeof msg.content === 'string' ? msg.content : '';
    const nativeId = idOf(msg.id) ?? undefined;
    const edited = typeof msg.timestampEdited === 'string' ? parseTimestamp(msg.timestampEdited) : NaN;

    const attachments: Attachment[] = [];
    for (const a of upTo(msg.attachments, 100)) await this.media.attachment(record(a), attachments, out, where);
    const forwarded = record(msg.forwardedMessage);
    if (forwarded) for (const a of upTo(forwarded.attachments, 100)) await this.media.attachment(record(a), attachments, out, where);
    const stickers: string[] = [];
    for (const s of upTo(msg.stickers, 10)) await this.media.sticker(record(s), stickers, attachments, out, where);
    for (const e of upTo(msg.embeds, 10)) await this.media.embedMedia(record(e), attachments, out, where);

    const envelope = envelopeOf(msg, { content, kind, type, time, authorRaw, authorName, forwarded, stickers, channelNames: () => this.channelNames() });
    if (kind === 'text' && content.trim() === '' && !envelope.forwarded && (attachments.length || stickers.length)) {
      kind = attachments.every((a) => /^(?:image|video|audio)\//.test(a.type ?? '')) ? 'media' : 'file';
    }
    const body = Object.keys(envelope).length > 1 || content.charCodeAt(0) === 0x7b ? JSON.stringify(envelope) : content;

    // Every record has every field (one object shape for the importer's hot path).
    const message: MessageRecord = {
      nativeId,
      authorId,
      authorName,
      time,
      kind,
      body,
      markup: 'discord',
      editedAt: Number.isFinite(edited) ? edited : null,
      deleted: false,
      replyToKey: this.replyKey(msg.reference),
      attachments: attachments.length ? attachments : undefined,
    };
    if (nativeId !== undefined) this.index.add(nativeId, time, authorSlot);
    if (!this.chatEmitted && this.chat) {
      out.push({ type: 'chat', chat: this.chat });
      this.chatEmitted = true;
    }
    out.push({ type: 'message', message });
  }

  private author(id: string, name: string | null): number {
    let slot = this.authorSlots.get(id);
    if (slot === undefined) {
      slot = this.authorIds.length;
      this.authorSlots.set(id, slot);
      this.authorIds.push(id);
      this.authorNames.push(name);
    } else if (name) {
      this.authorNames[slot] = name; // the latest name wins, as in the app
    }
    return slot;
  }

  /** The key of the message this one answers, when it is earlier in this file. */
  private replyKey(reference: unknown): string | null {
    const ref = record(reference);
    if (!ref || !this.chat) return null;
    const target = idOf(ref.messageId);
    if (!target) return null;
    // A forward or crosspost names a message of another channel.
    const channel = idOf(ref.channelId);
    if (channel && channel !== this.channelId) return null;
    const k = this.index.find(target);
    if (k === -1) return null;
    return messageKey({ chat: this.chat.nativeId, author: this.authorIds[this.index.authorOf(k)], time: this.index.timeOf(k), identity: target }, 0);
  }

  private channelNames(): Record<string, string> {
    const names: Record<string, string> = {};
    const channel = record(this.scanner.channel);
    if (!channel) return names;
    const name = text(channel.name).trim();
    if (name) names[this.channelId] = name;
    const parent = idOf(channel.categoryId);
    if (parent && text(channel.category).trim() && /Thread$/.test(text(channel.type))) names[parent] = text(channel.category).trim();
    return names;
  }
}
