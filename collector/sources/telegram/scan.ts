import { telegramPersonId } from '../../identity/telegram-ids.js';
import { ScanAction, type PathKey, type ScanHandler, type ScannedValue } from '../kit/json/scanner.js';
import type { PersonRecord } from '../../model.js';
import { isObject, str } from '../kit/fields.js';
import { formatLimit } from '../kit/limits.js';
import type { Warnings } from '../kit/warnings.js';
import { Chat } from './chat.js';
import { at, inputError, type ExportInput } from './input.js';
import { parseLenient } from './lenient-json.js';

/**
 * The scanner's handler: finds the chats of result.json (the root object of a one-chat export, or
 * the entries of a full export's `chats.list` and `left_chats.list`), their header fields, and
 * each message, parsed alone; the asynchronous part (media files, events) takes them from `found`.
 */

const LBRACE = 0x7b;
const LBRACKET = 0x5b;

/** What the scanner found, in file order. */
export type Found =
  | { kind: 'message'; chat: Chat; message: unknown; offset: number }
  | { kind: 'end'; chat: Chat };

/** A chat object is at path [] (one-chat export) or ['chats' | 'left_chats', 'list', i]. */
function chatDepth(path: readonly PathKey[]): number {
  return path.length >= 3 && (path[0] === 'chats' || path[0] === 'left_chats') && path[1] === 'list' ? 3 : 0;
}

export class ExportScanner implements ScanHandler {
  /** The file has a "messages" or "chats" list: it is an export, even if an empty one. */
  sawChats = false;
  /** The exporting user, from a full export's personal_information. */
  self: PersonRecord | null = null;
  readonly found: Found[] = [];
  private chat: Chat | null = null;

  constructor(
    private readonly input: ExportInput,
    private readonly wantChat: (nativeId: string) => boolean,
    private readonly warnings: Warnings,
  ) {}

  open(path: readonly PathKey[], first: number, offset: number): ScanAction {
    const n = path.length;
    if (n === 0) {
      this.chat = new Chat('the chat', offset); // a one-chat export; a full export's chats come later
      return ScanAction.enter;
    }
    const key = path[n - 1];
    if (n === 1) {
      if (key === 'chats' || key === 'left_chats') return first === LBRACE ? ScanAction.enter : ScanAction.skip;
      if (key === 'personal_information') return first === LBRACE ? ScanAction.take : ScanAction.skip;
    }
    if (n === 2 && (path[0] === 'chats' || path[0] === 'left_chats')) {
      if (key !== 'list') return ScanAction.skip;
      this.sawChats = true;
      return first === LBRACKET ? ScanAction.enter : ScanAction.skip;
    }
    if (n === 3 && chatDepth(path) === 3) {
      if (first !== LBRACE) {
        this.warnings.add(`${path[0]} #${key} (${at(this.input, offset)})`, 'not an object; skipped');
        return ScanAction.skip;
      }
      this.chat = new Chat(`${path[0] === 'left_chats' ? 'left chat' : 'chat'} #${key}`, offset);
      return ScanAction.enter;
    }
    const depth = n >= 3 && chatDepth(path) === 3 ? 3 : 0;
    const chat = this.chat;
    if (!chat) return ScanAction.skip;
    if (n === depth + 1) {
      if (key === 'name' || key === 'type' || key === 'id') return ScanAction.take;
      if (key !== 'messages') return ScanAction.skip;
      this.sawChats = true;
      if (first !== LBRACKET) {
        this.warnings.add(`${chat.describe()} (${at(this.input, offset)})`, '"messages" is not a list; skipped');
        return ScanAction.skip;
      }
      if (chat.id === undefined) {
        chat.early = { starts: [], ends: [] }; // the header comes later: keep where the messages are
        return ScanAction.enter;
      }
      return this.beginMessages(chat) ? ScanAction.enter : ScanAction.skip;
    }
    if (n === depth + 2 && path[depth] === 'messages') {
      if (first !== LBRACE) {
        this.warnings.add(`${chat.describe()}, message #${key} (${at(this.input, offset)})`, 'not an object; skipped');
        return ScanAction.skip;
      }
      return ScanAction.take;
    }
    return ScanAction.skip;
  }

  tooLarge(path: readonly PathKey[], offset: number, limit: number): void {
    const key = path[path.length - 1];
    const where = this.chat && path[path.length - 2] === 'messages' ? `${this.chat.describe()}, message #${key}` : path.join('.');
    this.warnings.add(`${where} (${at(this.input, offset)})`, `more than ${formatLimit(limit)}, the limit for one message or record: skipped`);
  }

  take(path: readonly PathKey[], value: ScannedValue): void {
    const n = path.length;
    const key = path[n - 1];
    if (n === 1 && key === 'personal_information') {
      const info = this.parse(value);
      if (isObject(info)) {
        const id = telegramPersonId(info.user_id);
        const name = `${str(info.first_name) ?? ''} ${str(info.last_name) ?? ''}`.trim();
        if (id) this.self = name ? { nativeId: id, displayName: name } : { nativeId: id };
      }
      return;
    }
    const chat = this.chat!;
    const depth = chatDepth(path);
    if (n === depth + 1) {
      const parsed = this.parse(value);
      if (key === 'name') chat.name = parsed;
      else if (key === 'type') chat.type = parsed;
      else chat.id = parsed;
      return;
    }
    // A message.
    if (chat.early) {
      chat.early.starts.push(value.start);
      chat.early.ends.push(value.end);
      return;
    }
    this.found.push({ kind: 'message', chat, message: this.parse(value, chat), offset: value.start });
  }

  close(path: readonly PathKey[]): void {
    const n = path.length;
    if ((n === 0 || (n === 3 && chatDepth(path) === 3)) && this.chat) {
      const chat = this.chat;
      // Messages written before the chat's id are read now that the header is complete.
      if (chat.early && !(chat.early.starts.length && this.beginMessages(chat))) chat.early = null;
      this.found.push({ kind: 'end', chat });
      this.chat = null;
    }
  }

  /** The chat's messages are about to be read: false when the chat is unwanted or has no id. */
  private beginMessages(chat: Chat): boolean {
    const id = typeof chat.id === 'number' && Number.isSafeInteger(chat.id) ? String(chat.id) : typeof chat.id === 'string' && /^-?\d{1,20}$/.test(chat.id.trim()) ? chat.id.trim() : null;
    if (id === null) {
      this.warnings.add(`${chat.describe()} (${at(this.input, chat.offset)})`, 'has no numeric "id"; its messages were skipped');
      chat.skipped = true;
      return false;
    }
    chat.nativeId = `telegram:${id}`;
    if (!this.wantChat(chat.nativeId)) {
      chat.skipped = true;
      return false;
    }
    return true;
  }

  /** A taken value, parsed; `\xHH` escapes (Telegram's, not JSON's) read as `\u00HH`. */
  private parse(value: ScannedValue, chat?: Chat): unknown {
    return parseLenient(value.text(), () => {
      if (chat) return undefined; // a bad message is skipped with a warning (when it is read)
      throw inputError(this.input, value.start, 'invalid JSON');
    });
  }
}
