/**
 * Where each message of a chat is in time and who wrote it, by id, to key replies. Ids come in
 * ascending order in real exports: kept in typed arrays and binary-searched (20 bytes a message);
 * a file out of order switches to a Map.
 */
export class MessageIndex {
  private ids = new Float64Array(256);
  private times = new Float64Array(256);
  private authors = new Int32Array(256);
  private n = 0;
  private map: Map<number, number> | null = null;
  private readonly authorIds: string[] = [];
  private readonly authorSlots = new Map<string, number>();

  add(id: number, time: number, author: string): void {
    if (!Number.isFinite(id)) return;
    let slot = this.authorSlots.get(author);
    if (slot === undefined) {
      slot = this.authorIds.length;
      this.authorIds.push(author);
      this.authorSlots.set(author, slot);
    }
    if (this.n === this.ids.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.ids = grow(this.ids, (k) => new Float64Array(k));
      this.times = grow(this.times, (k) => new Float64Array(k));
      this.authors = grow(this.authors, (k) => new Int32Array(k));
    }
    const i = this.n++;
    this.ids[i] = id;
    this.times[i] = time;
    this.authors[i] = slot;
    if (!this.map && i > 0 && id < this.ids[i - 1]) {
      this.map = new Map();
      for (let k = 0; k < i; k++) if (!this.map.has(this.ids[k])) this.map.set(this.ids[k], k);
    }
    if (this.map && !this.map.has(id)) this.map.set(id, i);
  }

  find(id: number): { time: number; author: string } | null {
    let i = -1;
    if (this.map) {
      i = this.map.get(id) ?? -1;
    } else {
      let lo = 0;
      let hi = this.n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.ids[mid] < id) lo = mid + 1;
        else hi = mid;
      }
      if (lo < this.n && this.ids[lo] === id) i = lo;
    }
    return i < 0 ? null : { time: this.times[i], author: this.authorIds[this.authors[i]] };
  }

  /** Whether a message with this id may still be read (it is newer than the last, or order is lost). */
  mayComeLater(id: number): boolean {
    return this.map !== null || this.n === 0 || id > this.ids[this.n - 1];
  }
}
