import { dayStart, FAR, PLAUSIBLE_SQL, slotOf, type Db } from '../../../collector/store/contract.js';
import type { TimeRanges } from './time-ranges.js';

/** One author of a chat's messages (a person, or a name the source gave without a person). */
export interface Participant {
  authorId: number | null;
  /** The source's name, for messages without a person. */
  name: string | null;
  count: number;
  /** Of those, system lines (events, calls). */
  system: number;
  first: number | null;
  last: number | null;
}

/** Participants of a chat's rows in [start, end), ordered by author id then name (nulls first). */
export type CountParticipants = (chatId: number, start: number, end: number) => Participant[];

/**
 * The one participants query: a GROUP BY over a chat's rows in a time range. Both the full
 * build's count and a watch rebuild's recount of changed months run it, per UTC slot.
 */
export function participantsQuery(db: Db, table: string): CountParticipants {
  const stmt = db
    .prepare(
      `SELECT author_id, CASE WHEN author_id IS NULL THEN author_name END AS name, count(*),
         sum(kind IN ('event', 'call')), min(CASE WHEN ${PLAUSIBLE_SQL} THEN time END), max(CASE WHEN ${PLAUSIBLE_SQL} THEN time END)
       FROM ${table} WHERE chat_id = ? AND time >= ? AND time < ? GROUP BY author_id, name ORDER BY author_id, name`,
    )
    .raw();
  return (chatId, start, end) =>
    (stmt.all(chatId, start, end) as [number | null, string | null, number, number, number | null, number | null][]).map(
      ([authorId, name, count, system, first, last]) => ({ authorId, name, count, system, first, last }),
    );
}

/**
 * Everyone who posted in each chat, with their counts. Counted per UTC slot (month, or the
 * early/late slot) and summed: a watch rebuild takes the slots without changed days from the
 * previous build (adoptParticipants), so one new message costs a GROUP BY over its month, not
 * over its chat (every row of the chat read back: over a second at 850k messages).
 */
export class Participants {
  private readonly cache = new Map<number, Participant[]>();
  /** chat id → UTC slot start → that slot's participants, kept across incremental builds. */
  private readonly slots = new Map<number, Map<number, Participant[]>>();
  private countSlot: CountParticipants | undefined;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly ranges: TimeRanges,
  ) {}

  /**
   * Everyone who posted in a chat with their counts, cached (the catalog's member list and the
   * "who talks" table both ask). First and last times are of plausibly dated messages only (null
   * when all of them are implausible).
   */
  participants(chatId: number): Participant[] {
    let list = this.cache.get(chatId);
    if (list) return list;
    const known = this.slots.get(chatId);
    const slots = new Map<number, Participant[]>();
    const merged = new Map<string, Participant>();
    for (let t = this.ranges.firstAtOrAfter(chatId, -FAR); t !== null; ) {
      const { start, end } = slotOf(t);
      const part = known?.get(start) ?? (this.countSlot ??= participantsQuery(this.db, this.table))(chatId, start, end);
      slots.set(start, part);
      for (const p of part) {
        const key = p.authorId !== null ? `i${p.authorId}` : p.name === null ? 'n' : `s${p.name}`;
        const seen = merged.get(key);
        if (!seen) merged.set(key, { ...p });
        else {
          seen.count += p.count;
          seen.system += p.system;
          if (p.first !== null && (seen.first === null || p.first < seen.first)) seen.first = p.first;
          if (p.last !== null && (seen.last === null || p.last > seen.last)) seen.last = p.last;
        }
      }
      t = this.ranges.firstAtOrAfter(chatId, end); // the late slot ends at FAR: none after it
    }
    this.slots.set(chatId, slots);
    // As SQLite orders them: nulls first, names by their UTF-8 bytes.
    list = [...merged.values()].sort((a, b) => nullsFirst(a.authorId, b.authorId, (x, y) => x - y) || nullsFirst(a.name, b.name, utf8Order));
    this.cache.set(chatId, list);
    return list;
  }

  /**
   * Everyone who posted in a chat: person ids, and the names of authors without one. Sources
   * list members incompletely (people who left, exports that carry no member list); a reader
   * expects everyone who spoke among the members.
   */
  posters(chatId: number): { personIds: number[]; names: string[] } {
    const personIds: number[] = [];
    const names: string[] = [];
    // The same counts as "who talks" (site/data/activity.ts): one pass over the chat's rows for both.
    for (const { authorId, name } of this.participants(chatId)) {
      if (authorId !== null) personIds.push(authorId);
      else if (name) names.push(name);
    }
    return { personIds, names };
  }

  /** Every chat's participants per slot read so far (PluginState carries them to the next incremental build). */
  get participantsRead(): ReadonlyMap<number, ReadonlyMap<number, Participant[]>> {
    return this.slots;
  }

  /**
   * Per-slot participants from an earlier snapshot, for the slots that hold none of `changedDays`
   * (chat id → UTC days changed since: the change log). A chat with a day the log cannot place
   * takes none.
   */
  adoptParticipants(slots: ReadonlyMap<number, ReadonlyMap<number, Participant[]>>, changedDays: ReadonlyMap<number, ReadonlySet<string>>): void {
    for (const [chatId, bySlot] of slots) {
      if (this.slots.has(chatId)) continue;
      const dirty = new Set<number>();
      let placed = true;
      for (const day of changedDays.get(chatId) ?? []) {
        const t = dayStart(day);
        if (t === null) placed = false;
        else dirty.add(slotOf(t).start);
      }
      if (!placed) continue;
      this.slots.set(chatId, new Map([...bySlot].filter(([start]) => !dirty.has(start))));
    }
  }
}

function nullsFirst<T>(a: T | null, b: T | null, order: (x: T, y: T) => number): number {
  return a === b ? 0 : a === null ? -1 : b === null ? 1 : order(a, b);
}

function utf8Order(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
