/**
 * Pass 1 keeps, per conversation, only where each message is and when it was sent (28 bytes a
 * message, whatever its size); pass 2 reads the messages back by range in time order.
 */

/** One conversation's header fields and, per message, where it is and when it was sent. */
export class Conversation {
  id: unknown = undefined;
  /** The id every Skype source agrees on (collector/identity/skype-ids.ts), set once id is known. */
  nativeId = '';
  displayName: unknown = undefined;
  threadProperties: unknown = undefined;
  /** Its MessageList was skipped (unwanted chat). */
  skipped = false;
  end = 0;
  count = 0;
  starts = new Float64Array(64);
  ends = new Float64Array(64);
  times = new Float64Array(64);
  idHashes = new Int32Array(64);
  /** Emission order (indexes into the arrays above), sorted by time; built by ExportReader. */
  order: Uint32Array | null = null;
  /** Position in `order` of the next message to emit. */
  next = 0;
  /** The block of the file last read for pass 2, and its range. */
  blockBuf: Buffer | null = null;
  blockStart = 0;
  blockEnd = 0;

  constructor(
    readonly index: number,
    readonly start: number,
  ) {}

  add(start: number, end: number, time: number, idHash: number): void {
    if (this.count === this.starts.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts, (n) => new Float64Array(n));
      this.ends = grow(this.ends, (n) => new Float64Array(n));
      this.times = grow(this.times, (n) => new Float64Array(n));
      this.idHashes = grow(this.idHashes, (n) => new Int32Array(n));
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.times[this.count] = time;
    this.idHashes[this.count] = idHash;
    this.count++;
  }

  get label(): string {
    return typeof this.id === 'string' ? `conversation ${this.id}` : `conversation #${this.index}`;
  }
}

/**
 * Emission order, oldest first. Real exports are strictly newest first: then it is the file's
 * order reversed (ties too, so same-second lines keep the order they were written in). Oldest-first
 * files are taken as they are; anything else is sorted by time, ties newest-first as written.
 * Messages without a time come first: they are only read to be reported.
 */
export function timeOrder(conv: Conversation): Uint32Array {
  const n = conv.count;
  const times = conv.times;
  let descending = true;
  let ascending = true;
  let last = NaN;
  let invalid = 0;
  for (let i = 0; i < n; i++) {
    const t = times[i];
    if (t !== t) {
      invalid++;
      continue;
    }
    if (last === last) {
      if (t > last) descending = false;
      else if (t < last) ascending = false;
    }
    last = t;
  }
  const order = new Uint32Array(n);
  let k = 0;
  if (invalid) for (let i = 0; i < n; i++) if (times[i] !== times[i]) order[k++] = i;
  if (descending) {
    for (let i = n - 1; i >= 0; i--) if (times[i] === times[i]) order[k++] = i;
  } else if (ascending) {
    for (let i = 0; i < n; i++) if (times[i] === times[i]) order[k++] = i;
  } else {
    const valid: number[] = [];
    for (let i = 0; i < n; i++) if (times[i] === times[i]) valid.push(i);
    valid.sort((a, b) => times[a] - times[b] || b - a);
    for (const i of valid) order[k++] = i;
  }
  return order;
}

/** The exact time of the message with this id hash within a few seconds of `approx`, if any. */
export function findTime(conv: Conversation, idHash: number, approx: number): number | null {
  const order = conv.order;
  if (!order) return null;
  const times = conv.times;
  const lo = approx - 2000;
  const hi = approx + 3000;
  // order is sorted by time after any time-less messages: binary search the first time ≥ lo.
  let a = 0;
  while (a < order.length && times[order[a]] !== times[order[a]]) a++;
  let b = order.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (times[order[mid]] < lo) a = mid + 1;
    else b = mid;
  }
  for (let i = a; i < order.length && times[order[i]] <= hi; i++) {
    if (conv.idHashes[order[i]] === idHash) return times[order[i]];
  }
  return null;
}

/** The emission order of messages with these times, in file order (for tests). */
export function orderOfTimes(times: readonly number[]): number[] {
  const conv = new Conversation(0, 0);
  times.forEach((t, i) => conv.add(i, i + 1, t, 0));
  return Array.from(timeOrder(conv));
}
