import type { FileHandle } from 'node:fs/promises';
import { JsonTooDeep, parseJsonText } from './json/parse.js';
import { JsonScanError, JsonScanner, ScanAction, type ScannedValue } from './json/scanner.js';
import { chunksAhead } from './files.js';

/**
 * JSON files of an export, read two ways: small ones (a Slack day file, a Messenger `message_N.json`)
 * whole under a size limit, large ones (a Skype or Telegram export of hundreds of MB) streamed
 * through collector/json/scanner.ts chunk by chunk.
 */

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Strict UTF-8 (a leading byte-order mark dropped); an invalid byte is an error naming its offset. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new Error(`not valid UTF-8 (first bad byte at ${firstBadUtf8(bytes)})`);
  }
}

/** The parsed value of a whole JSON file's bytes; errors say where, as line and column. */
export function parseJson(bytes: Uint8Array): unknown {
  const text = decodeUtf8(bytes);
  try {
    return parseJsonText(text);
  } catch (err) {
    if (err instanceof JsonTooDeep) throw err;
    const offset = syntaxErrorOffset(bytes);
    const reason = (err as Error).message.split('\n')[0].replace(/,? (\.\.\.)?".*$/s, '').replace(/ in JSON at position \d+.*$/, '');
    if (offset === null) throw new Error(`not valid JSON: ${reason}`);
    throw new Error(`not valid JSON at ${lineAndColumn(bytes, offset)}: ${reason}`);
  }
}

/** An item of a list that salvageJson could not read: where it stood (line and column) and why. */
export class UnreadableItem {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {}

  /** The warning an adapter gives for it, after the item's own position. */
  get warning(): string {
    return `not valid JSON at ${this.where}: ${this.reason}; skipped`;
  }
}

/**
 * Reads again, value by value, a whole JSON file that parseJson refused: the items of a root list
 * (a Slack day file), or a root object's members and the items of its lists named in `lists`, so
 * that one unreadable item (a bad escape in one message, a message nested past MAX_JSON_DEPTH)
 * stands as an UnreadableItem in its list instead of failing the whole file. Null when anything
 * else is wrong (the file cut short or unbalanced, a member outside those lists unreadable):
 * nothing in it is trusted then, and the caller reports the file as parseJson did.
 */
export function salvageJson(bytes: Uint8Array, lists: readonly string[] = []): Record<string, unknown> | unknown[] | null {
  const members: [string, unknown][] = [];
  let items: unknown[] | null = null;
  let root = true;
  const item = (value: ScannedValue): unknown => {
    try {
      return parseJsonText(value.text());
    } catch (err) {
      return new UnreadableItem(lineAndColumn(bytes, value.start), (err as Error).message.split('\n')[0].replace(/ in JSON at position \d+.*$/, ''));
    }
  };
  const scanner = new JsonScanner({
    open: (path, first) => {
      if (path.length === 0) {
        if (first === 0x5b) items = [];
        else root = first === 0x7b;
        return ScanAction.enter;
      }
      if (items === null && path.length === 1 && first === 0x5b && lists.includes(String(path[0]))) {
        members.push([String(path[0]), []]);
        return ScanAction.enter;
      }
      return ScanAction.take;
    },
    take: (path, value) => {
      if (items !== null) items.push(item(value));
      else if (path.length === 1) members.push([String(path[0]), parseJsonText(value.text())]);
      else (members[members.length - 1][1] as unknown[]).push(item(value));
    },
  });
  try {
    scanner.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    scanner.end();
  } catch {
    return null;
  }
  // fromEntries defines each key as its own property: a member named "__proto__" stays data.
  return items ?? (root ? Object.fromEntries(members) : null);
}

/**
 * Where JSON.parse gave up, which V8 often does not say ("Unexpected token '}'"): the streaming
 * scanner checks the same syntax and knows its byte offset.
 */
function syntaxErrorOffset(bytes: Uint8Array): number | null {
  const scanner = new JsonScanner(
    {
      open: () => ScanAction.enter,
      take: (_path, value) => {
        try {
          JSON.parse(value.text());
        } catch {
          throw new JsonScanError(value.start, 'not a JSON value');
        }
      },
    },
    { maxValueBytes: Number.MAX_SAFE_INTEGER },
  );
  try {
    scanner.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    scanner.end();
  } catch (err) {
    if (err instanceof JsonScanError) return err.offset;
  }
  return null;
}

/** "line 3, column 8" of a byte offset (columns count characters, from 1). */
export function lineAndColumn(bytes: Uint8Array, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const column = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
  return `line ${line}, column ${column}`;
}

function firstBadUtf8(bytes: Uint8Array): string {
  // TextDecoder does not say where; a binary search on decodable prefixes would mislead on a cut
  // sequence, so walk the bytes by UTF-8's own structure.
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return `byte ${i}`;
    for (let k = 1; k < len; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return `byte ${i}`;
    i += len;
  }
  return 'the end';
}

/**
 * Feeds bytes `start` to `start + size` of an open file to a scanner, yielding the bytes done after
 * each chunk so that the caller can hand on what its handler collected (and report progress). A
 * scanner error becomes `toError(err)` (the adapter's SourceError naming the file and offset).
 */
export async function* scanJsonFile(
  fh: FileHandle,
  start: number,
  size: number,
  scanner: JsonScanner,
  chunkBytes: number,
  toError: (err: unknown) => Error,
): AsyncGenerator<number> {
  let done = 0;
  for await (const chunk of chunksAhead(fh, start, size, chunkBytes)) {
    try {
      scanner.push(chunk);
    } catch (err) {
      throw toError(err);
    }
    done += chunk.length;
    yield done;
  }
  try {
    scanner.end();
  } catch (err) {
    throw toError(err);
  }
}

/**
 * "line 3, column 8" of a byte offset in an open file (a streamed file's scan error), read in
 * chunks up to the offset: nothing of the file is held. Columns count characters, from 1.
 */
export async function lineAndColumnInFile(fh: FileHandle, offset: number, chunkBytes = 1 << 20): Promise<string> {
  let line = 1;
  let column = 1;
  for await (const chunk of chunksAhead(fh, 0, offset, chunkBytes)) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x0a) {
        line++;
        column = 1;
      } else if ((b & 0xc0) !== 0x80) {
        column++; // a character starts here (UTF-8 continuation bytes do not count)
      }
    }
  }
  return `line ${line}, column ${column}`;
}
