/**
 * What the streaming JSON scanner (scanner.ts) and the sources that drive it agree on: the actions
 * a handler chooses per value, the values and byte ranges it is handed, its options, and its error.
 */

export type PathKey = string | number;

export const ScanAction = { enter: 1, take: 2, skip: 3 } as const;
export type ScanAction = (typeof ScanAction)[keyof typeof ScanAction];

/** A taken value, valid only during the {@link ScanHandler.take} call that receives it. */
export interface ScannedValue {
  /** Absolute byte offset of its first byte. */
  readonly start: number;
  /** Absolute byte offset one past its last byte. */
  readonly end: number;
  /** Its JSON text. */
  text(): string;
  /**
   * For an object: the JSON text (quotes included) of the string value of probe key `i`
   * (ScannerOptions.probeKeys) among its own members, or undefined if absent or not a string.
   */
  probe(i: number): string | undefined;
  /** probe() as bytes, without decoding: `buf[start, end)`. The object is reused. */
  probeBytes(i: number): ByteRange | undefined;
}

export interface ByteRange {
  buf: Buffer;
  start: number;
  end: number;
}

export interface ScanHandler {
  /**
   * A value starts (the root, or a member of an entered container). `path` holds the keys and
   * indexes leading to it (reused: copy it to keep it); `first` is its first byte (`{`, `[`, `"`…).
   * Entering applies to objects and arrays only; a scalar told to enter is taken.
   */
  open(path: readonly PathKey[], first: number, offset: number): ScanAction;
  /** A value the handler chose to take is complete. */
  take?(path: readonly PathKey[], value: ScannedValue): void;
  /** An entered container is complete; `end` is the offset after its closing bracket. */
  close?(path: readonly PathKey[], end: number): void;
  /**
   * A value the handler chose to take is longer than `limit` bytes: it is skipped instead (take()
   * is not called for it). Without this hook, that is a JsonScanError.
   */
  tooLarge?(path: readonly PathKey[], offset: number, limit: number): void;
}

export interface ScannerOptions {
  /**
   * Keys whose string values are located inside every taken object (see ScannedValue.probe).
   * Keys are matched as written in the input, so a key spelled with escapes (`"\u0069d"`) is missed.
   */
  probeKeys?: readonly string[];
  /** Validate the input as UTF-8 (default true). */
  validateUtf8?: boolean;
  /** The most bytes one taken value may hold (default MAX_RECORD_BYTES). */
  maxValueBytes?: number;
}

/** Malformed or truncated input; `offset` is the absolute byte offset where it was noticed. */
export class JsonScanError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} at byte ${offset}`);
    this.name = 'JsonScanError';
  }
}
