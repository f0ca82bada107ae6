/**
 * Message id → (author slot, time) for the messages read so far, in typed arrays: ids as 64-bit
 * snowflakes, an open-addressing table of entry numbers at half load. 8 + 8 + 4 + 2×4 = 28 bytes
 * a message, whatever its size. Ids that are not canonical decimal numbers are not indexed (no
 * real Discord id is anything else); the first of two messages with one id wins.
 */
export class MessageIndex {
  private ids = new BigUint64Array(256);
  private times = new Float64Array(256);
  private authors = new Int32Array(256);
  /** Entry number + 1, or 0 for an empty slot. */
  private slots = new Int32Array(512);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(id: string, time: number, author: number): void {
    const key = snowflake(id);
    if (key === null || this.lookup(key) !== -1) return;
    if (this.count === this.ids.length) this.grow();
    const k = this.count++;
    this.ids[k] = key;
    this.times[k] = time;
    this.authors[k] = author;
    this.place(key, k);
  }

  /** The entry number of a message id, or -1. */
  find(id: string): number {
    const key = snowflake(id);
    return key === null ? -1 : this.lookup(key);
  }

  timeOf(k: number): number {
    return this.times[k];
  }

  authorOf(k: number): number {
    return this.authors[k];
  }

  private lookup(key: bigint): number {
    const mask = this.slots.length - 1;
    for (let s = slotHash(key) & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s];
      if (v === 0) return -1;
      if (this.ids[v - 1] === key) return v - 1;
    }
  }

  private place(key: bigint, k: number): void {
    const mask = this.slots.length - 1;
    let s = slotHash(key) & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = k + 1;
  }

  private grow(): void {
    const capacity = this.ids.length * 2;
    const ids = new BigUint64Array(capacity);
    ids.set(this.ids);
    const times = new Float64Array(capacity);
    times.set(this.times);
    const authors = new Int32Array(capacity);
    authors.set(this.authors);
    this.ids = ids;
    this.times = times;
    this.authors = authors;
    this.slots = new Int32Array(capacity * 2);
    for (let k = 0; k < this.count; k++) this.place(ids[k], k);
  }
}

const MAX_U64 = (1n << 64n) - 1n;

function snowflake(id: string): bigint | null {
  if (!/^(?:0|[1-9]\d{0,19})$/.test(id)) return null;
  const key = BigInt(id);
  return key <= MAX_U64 ? key : null;
}

/** Snowflakes keep their time in the high bits: fold them down, then spread (Fibonacci hashing). */
function slotHash(key: bigint): number {
  const folded = Number(BigInt.asUintN(32, key ^ (key >> 22n) ^ (key >> 42n)));
  return Math.imul(folded, 0x9e3779b1) >>> 0;
}
