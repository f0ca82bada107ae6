import { messageKey, repeatId, repeatOf } from '../identity/key.js';
import { MessageFlags, type MessageRecord } from '../model.js';

/** A stored message, as far as telling same-time repeats apart needs it. */
export interface RepeatState {
  /** Its full plain text. */
  text: string;
  /** Edited or deleted: a later state of a message may have another text. */
  changed: boolean;
}

/** Whether a message is in a later state than its first (edited or deleted): for an incoming record. */
export function changedState(record: Pick<MessageRecord, 'editedAt' | 'deleted' | 'flags'>): boolean {
  return record.editedAt != null || !!record.deleted || ((record.flags ?? 0) & MessageFlags.edited) !== 0;
}

/** The same rule over a stored row's columns. */
export const CHANGED_STATE_SQL = `edited_at IS NOT NULL OR deleted <> 0 OR (flags & ${MessageFlags.edited}) <> 0`;

/** The writer's view of the chat: whether a key is stored (or written this run), and its state. */
export interface RepeatLookup {
  known(key: string): boolean;
  state(key: string): RepeatState;
}

/**
 * Keys of positional messages (MessageRecord.positional: no ids, only a time and the message's
 * place among its author's messages of that time in one export). An export lacking the first of
 * two such messages (deleted since) gives the second the first's key; taking it for an edit would
 * lose the first. So a message whose key holds another text, neither of them edited or deleted,
 * is another message of that time: it takes the key of that time holding its text, or else the
 * first free one. A re-read of the same export keeps every key (each holds its own text), and a
 * message seen alone in two exports is one (same key, same text).
 *
 * Within one source a key holds one message: the places before a message's own are its export's
 * earlier messages of that time, taken unless they moved (`moved`); a moved one took `taken`.
 */
export class SameTimeRepeats {
  /** chat id → natural key → the key taken instead, this source. */
  private readonly moved = new Map<number, Map<string, string>>();
  /** chat id → keys taken instead of a natural one, this source. */
  private readonly taken = new Map<number, Set<string>>();

  /** A new source: its places number its own export. */
  reset(): void {
    this.moved.clear();
    this.taken.clear();
  }

  /** The key a reply names for its root: where that root went, if it moved. */
  rootKey(chatId: number, key: string): string {
    return this.moved.get(chatId)?.get(key) ?? key;
  }

  /**
   * The key (and native id) for `record`, whose own key is `natural`. `unchanged`: `natural` holds
   * exactly this revision; `text` and `changed` describe the incoming message.
   */
  choose(
    chatId: number,
    chat: string,
    record: MessageRecord,
    natural: string,
    unchanged: boolean,
    incoming: () => RepeatState,
    lookup: RepeatLookup,
  ): { key: string; nativeId: string } {
    const nativeId = record.nativeId!;
    const moved = this.moved.get(chatId);
    const taken = this.taken.get(chatId);
    const { id, n } = repeatOf(nativeId);
    const keyAt = (k: number) => (k === n ? natural : messageKey({ chat, author: record.authorId, time: record.time, identity: repeatId(id, k) }));
    const claimed = (k: number, key: string) => taken?.has(key) === true || (k < n && moved?.has(key) !== true);
    const naturalFree = !claimed(n, natural);
    if (naturalFree && unchanged) return { key: natural, nativeId };
    const naturalKnown = lookup.known(natural);
    const mine = incoming();
    const naturalState = naturalFree && naturalKnown ? lookup.state(natural) : null;
    if (naturalState && naturalState.text === mine.text) return { key: natural, nativeId };

    // Another place of this time holding this text; the first free place on the way.
    let free: number | null = null;
    for (let k = 0; ; k++) {
      const key = keyAt(k);
      const known = k === n ? naturalKnown : lookup.known(key);
      if (!known) {
        if (free === null && !claimed(k, key)) free = k;
        if (k >= n) break;
        continue;
      }
      if (k === n || claimed(k, key)) continue;
      if (lookup.state(key).text === mine.text) return this.move(chatId, natural, key, repeatId(id, k));
    }
    if (naturalFree && (!naturalKnown || naturalState!.changed || mine.changed)) return { key: natural, nativeId };
    return this.move(chatId, natural, keyAt(free!), repeatId(id, free!));
  }

  private move(chatId: number, natural: string, key: string, nativeId: string): { key: string; nativeId: string } {
    if (key === natural) return { key, nativeId };
    let moved = this.moved.get(chatId);
    if (!moved) this.moved.set(chatId, (moved = new Map()));
    moved.set(natural, key);
    let taken = this.taken.get(chatId);
    if (!taken) this.taken.set(chatId, (taken = new Set()));
    taken.add(key);
    return { key, nativeId };
  }
}
