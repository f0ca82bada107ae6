import { Utf8Error, Utf8Validator } from './json/utf8.js';
import { MAX_LINE_BYTES } from './limits.js';
import { utf16Advice, utf16Of } from './files.js';

/**
 * Splits a UTF-8 byte stream into lines, chunk by chunk, for text-log sources (WhatsApp exports,
 * IRC logs) that can be too large to hold. Lines end at LF, a CR before it is dropped (files mix
 * CRLF and LF); a UTF-8 BOM at the start is skipped. Every byte is validated as UTF-8: invalid
 * input is reported with its line and byte offset (TextLineError), never decoded into U+FFFD.
 * A line longer than MAX_LINE_BYTES is never held: its bytes are dropped as they pass and it is
 * handed over empty, marked `tooLong`, for the caller to skip.
 */
export class TextLineError extends Error {
  constructor(
    /** 1-based line number. */
    readonly line: number,
    /** Byte offset in the stream. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`line ${line}, byte ${offset}: ${reason}`);
    this.name = 'TextLineError';
  }
}

export interface TextLine {
  text: string;
  /** 1-based line number. */
  number: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /**
   * Set (to the line's length in bytes) when the line was over the limit: `text` is then only its
   * first HEAD_BYTES bytes (a header of a message the caller may need to recognise).
   */
  tooLong?: number;
}

export class LineSplitter {
  private readonly utf8 = new Utf8Validator();
  /** The start of a line that continues in the next chunk (copied). */
  private carry: Buffer | null = null;
  private carryOffset = 0;
  /** Bytes of an over-long line passed so far (dropped), or -1 when not inside one. */
  private skipped = -1;
  /** The first bytes of that line. */
  private skippedHead = '';
  /** Bytes seen: the stream offset of the next chunk's first byte. */
  private offset = 0;
  private lineCount = 0;

  constructor(
    private readonly onLine: (line: TextLine) => void,
    /** A line longer than this is skipped: a text export has no such lines, binary data does. */
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  /** Lines completed so far. */
  get lines(): number {
    return this.lineCount;
  }

  push(chunk: Buffer): void {
    const base = this.offset;
    // UTF-16 is valid UTF-8 when it has no BOM (ASCII and NULs): said before it becomes garbage lines.
    const utf16 = base === 0 ? utf16Of(chunk) : null;
    if (utf16) throw new TextLineError(1, 0, utf16Advice(utf16));
    try {
      this.utf8.push(chunk);
    } catch (err) {
      if (!(err instanceof Utf8Error)) throw err;
      throw new TextLineError(this.lineAt(chunk, base, err.offset), err.offset, 'invalid UTF-8');
    }
    this.offset += chunk.length;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (this.skipped >= 0) {
        this.skipLine(this.skipped + nl - start);
      } else if (this.carry) {
        const whole = Buffer.concat([this.carry, chunk.subarray(start, nl)]);
        this.emit(whole, 0, whole.length, this.carryOffset);
        this.carry = null;
      } else {
        this.emit(chunk, start, nl, base + start);
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.skipped >= 0) this.skipped += rest.length;
      else if ((this.carry?.length ?? 0) + rest.length > this.maxLineBytes) {
        if (!this.carry) this.carryOffset = base + start;
        this.skippedHead = headOf(this.carry ? Buffer.concat([this.carry.subarray(0, HEAD_BYTES), rest.subarray(0, HEAD_BYTES)]) : rest, 0, rest.length);
        this.skipped = (this.carry?.length ?? 0) + rest.length;
        this.carry = null;
      } else if (this.carry) this.carry = Buffer.concat([this.carry, rest]);
      else {
        this.carry = Buffer.from(rest);
        this.carryOffset = base + start;
      }
    }
  }

  /** The stream ended: the last line (without a final LF) is emitted. */
  end(): void {
    try {
      this.utf8.end();
    } catch (err) {
      if (!(err instanceof Utf8Error)) throw err;
      throw new TextLineError(this.lineCount + 1, err.offset, 'invalid UTF-8 (the file ends inside a character)');
    }
    if (this.skipped >= 0) this.skipLine(this.skipped);
    if (this.carry) {
      this.emit(this.carry, 0, this.carry.length, this.carryOffset);
      this.carry = null;
    }
  }

  /** The over-long line that began at carryOffset ended after `bytes` bytes. */
  private skipLine(bytes: number): void {
    this.skipped = -1;
    this.lineCount++;
    this.onLine({ text: this.skippedHead, number: this.lineCount, offset: this.carryOffset, tooLong: bytes });
  }

  private emit(buf: Buffer, start: number, end: number, offset: number): void {
    if (end > start && buf[end - 1] === 13) end--;
    if (end - start > this.maxLineBytes) {
      this.lineCount++;
      this.onLine({ text: headOf(buf, start, end), number: this.lineCount, offset, tooLong: end - start });
      return;
    }
    this.lineCount++;
    let text = buf.toString('utf8', start, end);
    if (this.lineCount === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // the BOM
    this.onLine({ text, number: this.lineCount, offset });
  }

  /** The line number of a byte of the chunk being pushed. */
  private lineAt(chunk: Buffer, base: number, offset: number): number {
    let line = this.lineCount + 1;
    for (let i = 0; i < offset - base && i < chunk.length; i++) if (chunk[i] === 10) line++;
    return line;
  }
}

/** How much of an over-long line is handed over. */
const HEAD_BYTES = 1024;

/** The first HEAD_BYTES bytes of `buf[start, end)` as text (a character cut at the end is dropped). */
function headOf(buf: Buffer, start: number, end: number): string {
  let text = buf.toString('utf8', start, Math.min(end, start + HEAD_BYTES));
  if (text.endsWith('\uFFFD')) text = text.slice(0, -1);
  if (start === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}
