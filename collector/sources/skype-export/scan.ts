import { JsonScanError, ScanAction, type PathKey, type ScanHandler, type ScannedValue } from '../kit/json/scanner.js';
import type { Warnings } from '../kit/warnings.js';
import { formatLimit } from '../kit/limits.js';
import { Conversation } from './conversation.js';
import { normalizeId } from './ids.js';
import { at, inputError, type ExportInput } from './input.js';
import { hashOfProbe, timeOfProbe } from './probe.js';
import { parseJsonText } from '../kit/json/parse.js';

/**
 * Pass 1: the scanner's handler over messages.json. Conversation fields are parsed; a message is
 * not: only its byte range is kept, with the time and id hash the scanner probed from its bytes.
 * A conversation is ready for pass 2 once its object closes, so its fields may come before or
 * after MessageList.
 */

const LBRACE = 0x7b;
const LBRACKET = 0x5b;

export class ExportScan implements ScanHandler {
  /** Conversations whose object closed, waiting for pass 2. */
  readonly ready: Conversation[] = [];
  /** The conversation being scanned. */
  current: Conversation | null = null;
  sawConversations = false;
  /** The exporting account (`userId`). */
  selfId: string | null = null;

  /** `wants(id)`: whether a conversation's messages are read at all (`--chat`). */
  constructor(
    private readonly input: ExportInput,
    private readonly warnings: Warnings,
    private readonly wants: (id: string) => boolean,
  ) {}

  open(path: readonly PathKey[], first: number, offset: number): ScanAction {
    switch (path.length) {
      case 0:
        return ScanAction.enter; // the root; read() checked it is an object
      case 1:
        if (path[0] === 'conversations') {
          if (first !== LBRACKET) throw this.error(offset, `not ${this.input.what}: "conversations" is not a list`);
          this.sawConversations = true;
          return ScanAction.enter;
        }
        return path[0] === 'userId' ? ScanAction.take : ScanAction.skip;
      case 2:
        if (path[0] !== 'conversations') return ScanAction.skip;
        if (first !== LBRACE) {
          this.warn(`conversation #${path[1]} (${this.at(offset)})`, 'not an object; skipped');
          return ScanAction.skip;
        }
        this.current = new Conversation(path[1] as number, offset);
        return ScanAction.enter;
      case 3: {
        const conv = this.current!;
        const key = path[2];
        if (key === 'MessageList') {
          if (first !== LBRACKET) return ScanAction.skip; // null: no messages
          if (typeof conv.id === 'string' && !this.wants(conv.id)) {
            conv.skipped = true;
            return ScanAction.skip;
          }
          return ScanAction.enter;
        }
        return key === 'id' || key === 'displayName' || key === 'threadProperties' ? ScanAction.take : ScanAction.skip;
      }
      case 4:
        if (first !== LBRACE) {
          this.warn(`${this.current!.label}, message ${path[3]} (${this.at(offset)})`, 'not an object; skipped');
          return ScanAction.skip;
        }
        return ScanAction.take;
      default:
        return ScanAction.skip;
    }
  }

  tooLarge(path: readonly PathKey[], offset: number, limit: number): void {
    const where = path.length === 4 && this.current ? `${this.current.label}, message ${path[3]}` : path.join('.');
    this.warn(`${where} (${this.at(offset)})`, `more than ${formatLimit(limit)}, the limit for one message or record: skipped`);
  }

  take(path: readonly PathKey[], value: ScannedValue): void {
    if (path.length === 4) {
      this.current!.add(value.start, value.end, timeOfProbe(value.probeBytes(1)), hashOfProbe(value.probeBytes(0)));
      return;
    }
    const parsed = this.parse(value);
    if (path.length === 1) {
      this.selfId = normalizeId(parsed);
    } else if (path.length === 3) {
      const conv = this.current!;
      if (path[2] === 'id') conv.id = parsed;
      else if (path[2] === 'displayName') conv.displayName = parsed;
      else conv.threadProperties = parsed;
    }
  }

  close(path: readonly PathKey[], end: number): void {
    if (path.length === 2 && this.current) {
      this.current.end = end;
      this.ready.push(this.current);
      this.current = null;
    }
  }

  private parse(value: ScannedValue): unknown {
    try {
      return parseJsonText(value.text());
    } catch (err) {
      throw this.error(value.start, `invalid JSON: ${(err as Error).message}`);
    }
  }

  /** A scanner error as the adapter's error, naming messages.json's byte offset. */
  sourceError(err: unknown): Error {
    return err instanceof JsonScanError ? inputError(this.input, err.offset, err.reason) : (err as Error);
  }

  private at(offset: number): string {
    return at(this.input, offset);
  }

  private error(offset: number, message: string): Error {
    return inputError(this.input, offset, message);
  }

  private warn(position: string, message: string): void {
    this.warnings.add(position, message);
  }
}
