import { own } from '../../own.js';
import { TELEGRAM_DELETED } from '../../identity/telegram-ids.js';
import type { Attachment, ChatRecord, MessageKind, PersonRecord } from '../../model.js';
import { MessageIndex } from './reply-index.js';

/** One chat of an export: its header, what was read of it, and its chat record. */

export const CHAT_TYPES: Record<string, ChatRecord['kind']> = {
  personal_chat: 'direct',
  bot_chat: 'direct',
  saved_messages: 'direct',
  private_group: 'group',
  private_supergroup: 'group',
  public_supergroup: 'group',
  replies: 'channel',
  verification_codes: 'channel',
  private_channel: 'channel',
  public_channel: 'channel',
};

/** The author of a message that names nobody (never listed as a member). */
export const UNKNOWN = 'telegram:unknown';
/** Distinct authors listed as a chat's members. */
const MAX_MEMBERS = 5_000;

/** A message between reading and emitting (replies to later messages wait for the chat's end). */
export interface Prepared {
  id: string;
  time: number;
  authorId: string;
  authorName: string | null;
  kind: MessageKind;
  env: Record<string, unknown>;
  editedAt: number | null;
  attachments: Attachment[];
  replyTo: string | null;
}

/** One chat object of the file: its header fields and what was read of it. */
export class Chat {
  name: unknown = undefined;
  type: unknown = undefined;
  id: unknown = undefined;
  nativeId = '';
  /** Its messages were skipped (an unwanted chat). */
  skipped = false;
  /** The chat event went out (it does before the chat's first message). */
  announced = false;
  /** Messages seen before the header's id: their byte ranges, read again when the chat closes. */
  early: { starts: number[]; ends: number[] } | null = null;
  readonly index = new MessageIndex();
  readonly authors = new Map<string, string | null>();
  deferred: Prepared[] = [];
  datedLocally = 0;
  messages = 0;

  constructor(
    readonly label: string,
    readonly offset: number,
  ) {}

  get title(): string {
    if (typeof this.name === 'string' && this.name.trim()) return this.name;
    if (this.type === 'saved_messages') return 'Saved Messages';
    if (this.type === 'replies') return 'Replies';
    return this.name === null ? 'Deleted Account' : `Telegram chat ${typeof this.id === 'number' || typeof this.id === 'string' ? this.id : ''}`.trim();
  }

  describe(): string {
    return typeof this.name === 'string' && this.name.trim() ? `chat "${this.name}"` : this.label;
  }
}

/**
 * The chat's record: a direct chat's members are its partner and the exporting user (`self`, from
 * a full export's personal_information); `withAuthors` adds everyone who wrote in it.
 */
export function chatRecord(chat: Chat, self: PersonRecord | null, withAuthors: boolean): ChatRecord {
  const kind = (typeof chat.type === 'string' && own(CHAT_TYPES, chat.type)) || 'group';
  const members: PersonRecord[] = [];
  const seen = new Set<string>();
  const add = (member: PersonRecord | null) => {
    if (!member || seen.has(member.nativeId) || seen.size >= MAX_MEMBERS) return;
    seen.add(member.nativeId);
    members.push(member);
  };
  if (kind === 'direct' && (chat.type === 'personal_chat' || chat.type === 'bot_chat')) {
    // A personal chat's id is the partner's user id, its name the partner's name.
    const name = typeof chat.name === 'string' && chat.name.trim() ? chat.name : null;
    add({ nativeId: `telegram:user${chat.nativeId.slice('telegram:'.length)}`, displayName: name });
  }
  if (kind === 'direct') add(self);
  if (withAuthors) {
    for (const [nativeId, displayName] of chat.authors) {
      if (nativeId !== TELEGRAM_DELETED && nativeId !== UNKNOWN) add({ nativeId, displayName });
    }
  }
  return { nativeId: chat.nativeId, title: chat.title, kind, members };
}
