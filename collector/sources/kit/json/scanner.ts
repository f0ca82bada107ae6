import { Utf8Error, Utf8Validator } from './utf8.js';
import { formatLimit, MAX_RECORD_BYTES } from '../limits.js';
import { utf16Advice, utf16Of } from '../files.js';

/**
 * A streaming scanner for JSON documents far bigger than memory (a Skype `messages.json` is one
 * line of hundreds of MB). It does not build values: it walks the bytes, tracking only string and
 * escape state and nesting depth, and hands each value the caller asks for over as a byte range
 * whose text the caller may decode and `JSON.parse` on its own. That keeps memory bounded by the
 * largest single value asked for and runs at several hundred MB/s, since the bytes of strings are
 * skipped with a native `indexOf` (docs/architecture.md, "Stack facts").
 *
 * The caller decides, value by value, what happens ({@link ScanAction}): *enter* a container (its
 * members are then reported one by one), *take* a value (its bytes are kept until it ends, then
 * reported whole), or *skip* it (its bytes are dropped as they go by). Syntax is checked exactly in
 * entered containers; inside taken values `JSON.parse` is the checker, inside skipped values only
 * string and bracket structure is followed. A taken value is held only up to
 * `ScannerOptions.maxValueBytes`: a longer one is reported to {@link ScanHandler.tooLarge} and
 * skipped from there on (or, without that hook, is an error naming its offset and the limit).
 *
 * Input arrives in chunks of any size, split anywhere: inside strings, escapes, multi-byte
 * characters. The input is also validated as UTF-8 (unless told not to), so a bad byte is an error
 * naming its offset even inside skipped values.
 */

export { JsonScanError, ScanAction, type ByteRange, type PathKey, type ScanHandler, type ScannedValue, type ScannerOptions } from './scan-contract.js';
import { JsonScanError, ScanAction, type PathKey, type ScanHandler, type ScannedValue, type ScannerOptions, type ByteRange } from './scan-contract.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const BOM = [0xef, 0xbb, 0xbf];

// Where the scanner is, between values, in the entered containers.
const S_VALUE = 0; // expecting a value (the root, after ':' or after ',' in an array)
const S_VALUE_OR_CLOSE = 1; // just after '['
const S_KEY = 2; // expecting a key (after ',' in an object)
const S_KEY_OR_CLOSE = 3; // just after '{'
const S_IN_KEY = 4; // inside a key string
const S_COLON = 5; // after a key
const S_AFTER = 6; // after a member: ',' or the closing bracket
const S_IN_VALUE = 7; // inside a taken or skipped value
const S_DONE = 8; // after the root value: only whitespace may follow

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function describe(c: number): string {
  return c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export class JsonScanner {
  private readonly handler: ScanHandler;
  private readonly validator: Utf8Validator | null;
  private readonly probeKeys: Buffer[];
  /** Bit n set: some probe key is n bytes long (n < 32). */
  private readonly probeLengths: number;
  private readonly longProbeKeys: boolean;
  private readonly maxValueBytes: number;

  private state = S_VALUE;
  /** Absolute offset of the current chunk's first byte. */
  private base = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private started = false;
  /** Bytes of a byte order mark seen at the start (-1: none). */
  private bom = 0;

  // The entered containers: their kinds, and the path to the current member.
  private readonly isArray: boolean[] = [];
  private readonly indexes: number[] = [];
  private readonly path: PathKey[] = [];

  // String scanning state, shared by keys and values.
  private inString = false;
  /** The byte after a backslash that ended the previous chunk is escaped. */
  private escaped = false;

  // The value being scanned (S_IN_VALUE).
  private taking = false;
  private depth = 0;
  private scalar = false;
  private valueStart = 0;
  private valueEnd = 0;
  /** Earlier chunks' bytes of a taken value (or key) that spans chunks. */
  private carried: Buffer[] = [];
  private joined: Buffer | null = null;

  // Probing the top-level members of a taken object.
  private topIsObject = false;
  private keyNext = false;
  private inProbeKey = false;
  private probeKeyStart = 0;
  private probeIndex = -1;
  private probeStart = 0;
  private readonly probeStarts: number[];
  private readonly probeEnds: number[];

  // A key of an entered object (S_IN_KEY).
  private keyStart = 0;

  /** What take() receives: a view of the value just scanned. */
  private readonly view: ScannedValue;

  constructor(handler: ScanHandler, options: ScannerOptions = {}) {
    this.handler = handler;
    const scanner = this;
    this.view = {
      get start() {
        return scanner.valueStart;
      },
      get end() {
        return scanner.valueEnd;
      },
      text: () => this.text(),
      probe: (i: number) => this.probe(i),
      probeBytes: (i: number) => this.probeBytes(i),
    };
    this.validator = options.validateUtf8 === false ? null : new Utf8Validator();
    this.maxValueBytes = options.maxValueBytes ?? MAX_RECORD_BYTES;
    this.probeKeys = (options.probeKeys ?? []).map((k) => Buffer.from(k, 'utf8'));
    this.probeLengths = this.probeKeys.reduce((mask, k) => (k.length < 32 ? mask | (1 << k.length) : mask), 0);
    this.longProbeKeys = this.probeKeys.some((k) => k.length >= 32);
    this.probeStarts = this.probeKeys.map(() => -1);
    this.probeEnds = this.probeKeys.map(() => -1);
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.base + this.chunk.length;
  }

  /** Feeds the next chunk. The scanner may keep references to it (not copies): do not reuse it. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (!this.started) {
      // UTF-16 without a BOM passes as UTF-8 (NULs): said before it becomes a syntax error.
      const utf16 = utf16Of(chunk);
      if (utf16) throw new JsonScanError(0, utf16Advice(utf16));
    }
    if (this.validator) {
      try {
        this.validator.push(chunk);
      } catch (err) {
        if (err instanceof Utf8Error) throw new JsonScanError(err.offset, 'invalid UTF-8');
        throw err;
      }
    }
    this.base += this.chunk.length;
    this.chunk = chunk;
    this.started = true;
    let i = 0;
    // A byte order mark (EF BB BF) at the very start is skipped, even split across chunks.
    while (this.bom >= 0 && this.bom < 3 && i < chunk.length) {
      if (chunk[i] !== BOM[this.bom]) {
        this.bom = -1;
        break;
      }
      this.bom++;
      i++;
    }
    this.run(chunk, i);
    // Keep what the next chunk still needs, up to the cap.
    if (this.state === S_IN_VALUE && this.taking && this.offset - this.valueStart > this.maxValueBytes) this.dropTaken();
    if (this.state === S_IN_VALUE && this.taking) {
      this.carried.push(this.valueStart >= this.base ? chunk.subarray(this.valueStart - this.base) : chunk);
    } else if (this.state === S_IN_KEY) {
      this.carried.push(this.keyStart >= this.base ? chunk.subarray(this.keyStart - this.base) : chunk);
    }
  }

  /** The input is complete: anything unfinished is an error (a truncated file). */
  end(): void {
    const end = this.offset;
    if (this.validator) {
      try {
        this.validator.end();
      } catch (err) {
        if (err instanceof Utf8Error) throw new JsonScanError(err.offset, 'invalid UTF-8 (truncated character)');
        throw err;
      }
    }
    if (this.state === S_IN_VALUE && this.scalar && this.isArray.length === 0) {
      // A bare scalar root ends at the end of input.
      this.finishValue(this.chunk.length);
    }
    if (this.state === S_DONE) return;
    if (!this.started || (this.state === S_VALUE && this.isArray.length === 0)) {
      throw new JsonScanError(end, 'empty input: expected a JSON value');
    }
    throw new JsonScanError(end, 'unexpected end of JSON (is the file truncated?)');
  }

  private text(): string {
    if (this.carried.length === 0) {
      return this.chunk.toString('utf8', this.valueStart - this.base, this.valueEnd - this.base);
    }
    return this.bytes().toString('utf8');
  }

  private probe(i: number): string | undefined {
    const start = this.probeStarts[i];
    if (start === undefined || start < 0) return undefined;
    const end = this.probeEnds[i];
    if (start >= this.base) return this.chunk.toString('utf8', start - this.base, end - this.base);
    return this.bytes().toString('utf8', start - this.valueStart, end - this.valueStart);
  }

  private readonly range: ByteRange = { buf: Buffer.alloc(0), start: 0, end: 0 };

  private probeBytes(i: number): ByteRange | undefined {
    const start = this.probeStarts[i];
    if (start === undefined || start < 0) return undefined;
    const end = this.probeEnds[i];
    const range = this.range;
    if (start >= this.base) {
      range.buf = this.chunk;
      range.start = start - this.base;
      range.end = end - this.base;
    } else {
      range.buf = this.bytes();
      range.start = start - this.valueStart;
      range.end = end - this.valueStart;
    }
    return range;
  }

  /** The whole taken value's bytes (joined once when it spans chunks). */
  private bytes(): Buffer {
    if (this.carried.length === 0) return this.chunk.subarray(this.valueStart - this.base, this.valueEnd - this.base);
    this.joined ??= Buffer.concat([...this.carried, this.chunk.subarray(0, this.valueEnd - this.base)]);
    return this.joined;
  }

  /** Bytes [start, end) of the taken value scanned so far (end within the current chunk). */
  private bytesSoFar(start: number, end: number): Buffer {
    if (start >= this.base) return this.chunk.subarray(start - this.base, end - this.base);
    const all = Buffer.concat([...this.carried, this.chunk.subarray(0, end - this.base)]);
    return all.subarray(start - this.valueStart);
  }

  private run(buf: Buffer, i: number): void {
    const n = buf.length;
    while (i < n) {
      const state = this.state;
      if (state === S_IN_VALUE) {
        const next = this.scanValue(buf, i);
        if (next < 0) return;
        this.finishValue(next);
        i = next;
        continue;
      }
      if (state === S_IN_KEY) {
        const next = this.scanString(buf, i);
        if (next < 0) return;
        this.finishKey(buf, next);
        i = next;
        continue;
      }
      const c = buf[i];
      if (isSpace(c)) {
        i++;
        continue;
      }
      const at = this.base + i;
      switch (state) {
        case S_VALUE:
        case S_VALUE_OR_CLOSE:
          if (state === S_VALUE_OR_CLOSE && c === RBRACKET) {
            this.closeContainer(c, at);
            break;
          }
          this.openValue(c, at);
          if (this.state === S_IN_VALUE) continue; // scanValue starts at the value's first byte
          break;
        case S_KEY:
        case S_KEY_OR_CLOSE:
          if (c === QUOTE) {
            this.state = S_IN_KEY;
            this.keyStart = at;
            this.inString = true;
            this.escaped = false;
            i++;
            continue;
          }
          if (state === S_KEY_OR_CLOSE && c === RBRACE) {
            this.closeContainer(c, at);
            break;
          }
          throw new JsonScanError(at, `expected a key string, found ${describe(c)}`);
        case S_COLON:
          if (c !== COLON) throw new JsonScanError(at, `expected ':', found ${describe(c)}`);
          this.state = S_VALUE;
          break;
        case S_AFTER: {
          const inArray = this.isArray[this.isArray.length - 1];
          if (c === COMMA) {
            this.state = inArray ? S_VALUE : S_KEY;
          } else if (c === (inArray ? RBRACKET : RBRACE)) {
            this.closeContainer(c, at);
          } else {
            throw new JsonScanError(at, `expected ',' or '${inArray ? ']' : '}'}', found ${describe(c)}`);
          }
          break;
        }
        case S_DONE:
          throw new JsonScanError(at, `unexpected ${describe(c)} after the end of the JSON value`);
      }
      i++;
    }
  }

  private openValue(c: number, at: number): void {
    const depth = this.isArray.length;
    if (depth > 0 && this.isArray[depth - 1]) this.path[depth - 1] = this.indexes[depth - 1]++;
    const isContainer = c === LBRACE || c === LBRACKET;
    if (!isContainer && c !== QUOTE && c !== 0x2d && !(c >= 0x30 && c <= 0x39) && c !== 0x74 && c !== 0x66 && c !== 0x6e) {
      throw new JsonScanError(at, `expected a JSON value, found ${describe(c)}`);
    }
    let action = this.handler.open(this.path, c, at);
    if (action === ScanAction.enter && !isContainer) action = ScanAction.take;
    if (action === ScanAction.enter) {
      this.isArray.push(c === LBRACKET);
      this.indexes.push(0);
      this.path.length = depth + 1;
      this.path[depth] = c === LBRACKET ? 0 : '';
      this.state = c === LBRACKET ? S_VALUE_OR_CLOSE : S_KEY_OR_CLOSE;
      return;
    }
    this.state = S_IN_VALUE;
    this.taking = action === ScanAction.take;
    this.valueStart = at;
    this.depth = 0;
    this.scalar = !isContainer && c !== QUOTE;
    this.inString = false;
    this.escaped = false;
    if (this.carried.length) this.carried.length = 0;
    this.joined = null;
    this.topIsObject = c === LBRACE;
    this.keyNext = false;
    this.inProbeKey = false;
    this.probeIndex = -1;
    for (let k = 0; k < this.probeStarts.length; k++) this.probeStarts[k] = -1;
  }

  private finishValue(next: number): void {
    this.valueEnd = this.base + next;
    if (this.taking && this.valueEnd - this.valueStart > this.maxValueBytes) this.dropTaken();
    this.state = this.isArray.length === 0 ? S_DONE : S_AFTER;
    if (this.taking) {
      this.handler.take?.(this.path, this.view);
      if (this.carried.length) this.carried.length = 0;
      this.joined = null;
    }
  }

  /** The taken value outgrew the cap: the handler hears of it, and its bytes are dropped. */
  private dropTaken(): void {
    if (!this.handler.tooLarge) {
      throw new JsonScanError(this.valueStart, `a value longer than ${formatLimit(this.maxValueBytes)}, the limit for one record`);
    }
    this.handler.tooLarge(this.path, this.valueStart, this.maxValueBytes);
    this.taking = false;
    this.carried.length = 0;
    this.joined = null;
    this.inProbeKey = false;
    this.probeIndex = -1;
  }

  private finishKey(buf: Buffer, next: number): void {
    let raw: string;
    if (this.carried.length === 0) raw = buf.toString('utf8', this.keyStart - this.base, next);
    else raw = Buffer.concat([...this.carried, buf.subarray(0, next)]).toString('utf8');
    this.carried.length = 0;
    let key: string;
    try {
      key = raw.indexOf('\\') < 0 ? raw.slice(1, -1) : (JSON.parse(raw) as string);
    } catch {
      throw new JsonScanError(this.keyStart, 'invalid key string');
    }
    this.path[this.isArray.length - 1] = key;
    this.state = S_COLON;
  }

  private closeContainer(c: number, at: number): void {
    const depth = this.isArray.length - 1;
    const expected = this.isArray[depth] ? RBRACKET : RBRACE;
    if (c !== expected) throw new JsonScanError(at, `expected '${String.fromCharCode(expected)}', found ${describe(c)}`);
    this.isArray.pop();
    this.indexes.pop();
    this.path.length = depth;
    this.handler.close?.(this.path, at + 1);
    this.state = depth === 0 ? S_DONE : S_AFTER;
  }

  /**
   * Scans string content from `i` (just after the opening quote, or where the previous chunk
   * stopped). Returns the index after the closing quote, or -1 when the chunk ends first.
   */
  private scanString(buf: Buffer, i: number): number {
    const n = buf.length;
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    // Backslashes before `from` are accounted for (by `escaped`): count runs only from here.
    let from = i;
    let q = i < n ? buf.indexOf(QUOTE, i) : -1;
    while (q >= 0) {
      let k = q - 1;
      while (k >= from && buf[k] === BACKSLASH) k--;
      if (((q - 1 - k) & 1) === 0) {
        this.inString = false;
        return q + 1;
      }
      from = q + 1;
      q = buf.indexOf(QUOTE, q + 1);
    }
    let k = n - 1;
    while (k >= from && buf[k] === BACKSLASH) k--;
    this.escaped = ((n - 1 - k) & 1) === 1;
    return -1;
  }

  /** Scans a taken or skipped value from `i`; returns the index after its end, or -1. */
  private scanValue(buf: Buffer, i: number): number {
    const n = buf.length;
    if (this.scalar) {
      while (i < n) {
        const c = buf[i];
        if (c === COMMA || c === RBRACE || c === RBRACKET || isSpace(c)) return i;
        i++;
      }
      return -1;
    }
    const probing = this.taking && this.topIsObject && this.probeKeys.length > 0;
    let depth = this.depth;
    if (this.inString) {
      // A string that began in an earlier chunk.
      const next = this.scanString(buf, i);
      if (next < 0) return -1;
      i = next;
      if (depth === 0) return i;
      if (depth === 1 && probing) this.endOfTopString(buf, next);
    }
    // The hot loop: everything but string contents, which native indexOf skips.
    while (i < n) {
      const c = buf[i];
      if (c === QUOTE) {
        const open = i;
        let q = buf.indexOf(QUOTE, i + 1);
        // The string began in this chunk, so a backslash run before a quote stops at the opening
        // quote at the latest: an odd run escapes the quote.
        while (q > 0 && buf[q - 1] === BACKSLASH) {
          let k = q - 2;
          while (buf[k] === BACKSLASH) k--;
          if (((q - 1 - k) & 1) === 0) break;
          q = buf.indexOf(QUOTE, q + 1);
        }
        if (q < 0) {
          // The chunk ends inside this string: let scanString work out any pending escape.
          if (depth === 1 && probing) this.startOfTopString(this.base + open);
          this.inString = true;
          this.depth = depth;
          this.scanString(buf, open + 1);
          return -1;
        }
        i = q + 1;
        if (depth === 0) return i; // the value was a string
        if (depth === 1 && probing) {
          // A member of the taken object: a key (after '{' or ','), or a value.
          if (this.keyNext) {
            this.keyNext = false;
            const length = q - open - 1;
            const candidate = length < 32 ? (this.probeLengths & (1 << length)) !== 0 : this.longProbeKeys;
            this.probeIndex = candidate ? this.matchProbeKey(buf, open + 1, length) : -1;
          } else if (this.probeIndex >= 0) {
            this.probeStarts[this.probeIndex] = this.base + open;
            this.probeEnds[this.probeIndex] = this.base + i;
            this.probeIndex = -1;
          }
        }
        continue;
      }
      if (c === LBRACE || c === LBRACKET) {
        depth++;
        if (depth === 1) this.keyNext = true;
      } else if (c === RBRACE || c === RBRACKET) {
        depth--;
        if (depth === 0) {
          this.depth = 0;
          return i + 1;
        }
      } else if (c === COMMA && depth === 1) {
        this.keyNext = true;
        this.probeIndex = -1;
      }
      i++;
    }
    this.depth = depth;
    return -1;
  }

  /** Which probe key equals the `length` bytes at `buf[at]`, or -1. */
  private matchProbeKey(buf: Buffer, at: number, length: number): number {
    const keys = this.probeKeys;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      if (key.length !== length) continue;
      let j = 0;
      while (j < length && buf[at + j] === key[j]) j++;
      if (j === length) return k;
    }
    return -1;
  }

  private startOfTopString(at: number): void {
    if (this.keyNext) {
      this.keyNext = false;
      this.inProbeKey = true;
      this.probeKeyStart = at;
      this.probeIndex = -1;
    } else if (this.probeIndex >= 0) {
      this.probeStart = at;
    }
  }

  /** A string at the top level of a taken object ended just before `next` in `buf`. */
  private endOfTopString(buf: Buffer, next: number): void {
    const end = this.base + next;
    if (this.inProbeKey) {
      this.inProbeKey = false;
      const length = end - this.probeKeyStart - 2;
      const keys = this.probeKeys;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        if (key.length !== length) continue;
        let same = true;
        if (this.probeKeyStart >= this.base) {
          for (let j = 0, at = this.probeKeyStart + 1 - this.base; j < length; j++) {
            if (buf[at + j] !== key[j]) {
              same = false;
              break;
            }
          }
        } else {
          same = this.bytesSoFar(this.probeKeyStart + 1, end - 1).equals(key);
        }
        if (same) {
          this.probeIndex = k;
          break;
        }
      }
    } else if (this.probeIndex >= 0) {
      this.probeStarts[this.probeIndex] = this.probeStart;
      this.probeEnds[this.probeIndex] = end;
      this.probeIndex = -1;
    }
  }
}
