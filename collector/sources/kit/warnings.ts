import type { SourceEvent, SourceWarning } from '../types.js';

/** Warnings listed one by one per import of a path; past that they are only counted. */
export const MAX_WARNINGS = 200;

/**
 * The warnings of one read: each is listed until MAX_WARNINGS, then only counted, and the count of
 * the rest is reported once at the end in one wording for every format. Tallies gather repeats of
 * one kind ("3 messages of unknown type X") into one warning naming where the first was.
 */
export class Warnings {
  private count = 0;
  private pending: SourceEvent[] = [];
  private readonly tallies = new Map<string, { first: string; count: number; describe: (count: number) => string }>();

  /** `where` names the whole input in the final count ("N more warnings…"). */
  constructor(private readonly where: string) {}

  /** How many warnings so far (listed or not). */
  get total(): number {
    return this.count;
  }

  add(position: string, message: string): void {
    this.count++;
    if (this.count <= MAX_WARNINGS) this.pending.push({ type: 'warning', warning: { position, message } satisfies SourceWarning });
  }

  /**
   * Counts one occurrence of a kind of problem; `describe(n)` words the single warning given for
   * all of them at summary() (the first occurrence's position is the warning's position).
   */
  tally(kind: string, position: string, describe: (count: number) => string): void {
    const seen = this.tallies.get(kind);
    if (seen) seen.count++;
    else this.tallies.set(kind, { first: position, count: 1, describe });
  }

  /** The warnings listed since the last call (to emit them near the messages they concern). */
  take(): SourceEvent[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** The tallies and the count of unlisted warnings, after whatever is still pending: the read's last warnings. */
  summary(): SourceEvent[] {
    for (const { first, count, describe } of this.tallies.values()) this.add(first, describe(count));
    this.tallies.clear();
    if (this.count > MAX_WARNINGS) {
      this.pending.push({ type: 'warning', warning: { position: this.where, message: `${this.count - MAX_WARNINGS} more warnings like the ones above were not listed` } });
      this.count = MAX_WARNINGS;
    }
    return this.take();
  }
}

/** "1 message" / "3 messages". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
