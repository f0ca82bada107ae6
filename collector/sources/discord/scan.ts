import { JsonScanError, ScanAction, type PathKey, type ScanHandler, type ScannedValue } from '../kit/json/scanner.js';
import { SourceError } from '../types.js';
import { formatLimit } from '../kit/limits.js';
import type { Warnings } from '../kit/warnings.js';
import { parseJsonText } from '../kit/json/parse.js';

/**
 * The scanner's handler for one export file: the root and the `messages` list are entered,
 * `guild`, `channel` and `messageCount` are taken (they come first in every export), and each
 * message is queued as text, to be parsed alone and dropped.
 */

const LBRACE = 0x7b;
const LBRACKET = 0x5b;

export interface QueuedMessage {
  text: string;
  offset: number;
  index: number;
}

export class ChannelScanner implements ScanHandler {
  guild: unknown = undefined;
  channel: unknown = undefined;
  messageCount: unknown = undefined;
  sawMessages = false;
  /** Message entries in the file (objects or not), to check `messageCount`. */
  entries = 0;
  queue: QueuedMessage[] = [];

  /** `startChat(offset)` is called when `messages` begins: whether its messages are wanted. */
  constructor(
    private readonly file: string,
    private readonly label: string,
    private readonly warnings: Warnings,
    private readonly startChat: (offset: number) => boolean,
  ) {}

  open(path: readonly PathKey[], first: number, offset: number): ScanAction {
    switch (path.length) {
      case 0:
        return ScanAction.enter; // the root; readExport() checked it is an object
      case 1: {
        const key = path[0];
        if (key === 'messages') {
          if (first !== LBRACKET) throw fileError(this.file, offset, 'not a DiscordChatExporter export: "messages" is not a list');
          this.sawMessages = true;
          return this.startChat(offset) ? ScanAction.enter : ScanAction.skip;
        }
        return key === 'guild' || key === 'channel' || key === 'messageCount' ? ScanAction.take : ScanAction.skip;
      }
      case 2:
        this.entries++;
        if (first !== LBRACE) {
          this.warnings.add(messagePosition(this.label, path[1] as number, offset), 'not an object; skipped');
          return ScanAction.skip;
        }
        return ScanAction.take;
      default:
        return ScanAction.skip;
    }
  }

  tooLarge(path: readonly PathKey[], offset: number, limit: number): void {
    const where = path.length === 2 ? messagePosition(this.label, path[1] as number, offset) : `${this.label}, "${String(path[0])}" (byte ${offset})`;
    this.warnings.add(where, `more than ${formatLimit(limit)}, the limit for one message or record: skipped`);
  }

  take(path: readonly PathKey[], value: ScannedValue): void {
    if (path.length === 2) {
      this.queue.push({ text: value.text(), offset: value.start, index: path[1] as number });
      return;
    }
    let parsed: unknown;
    try {
      parsed = parseJsonText(value.text());
    } catch (err) {
      throw fileError(this.file, value.start, `invalid JSON: ${(err as Error).message}`);
    }
    if (path[0] === 'guild') this.guild = parsed;
    else if (path[0] === 'channel') this.channel = parsed;
    else this.messageCount = parsed;
  }
}

export function fileError(file: string, offset: number, message: string): SourceError {
  return new SourceError(file, `byte ${offset}`, message);
}

/** A scanner's syntax error as a SourceError naming the byte; anything else as it is. */
export function scanError(file: string, err: unknown): Error {
  return err instanceof JsonScanError ? fileError(file, err.offset, err.reason) : (err as Error);
}

/** Where a message is, in warnings: `thread.json, message 4 (byte 3793)`. */
export function messagePosition(label: string, index: number, offset: number): string {
  return `${label}, message ${index} (byte ${offset})`;
}
