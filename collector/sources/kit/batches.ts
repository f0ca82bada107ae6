import type { SourceEvent } from '../types.js';

/**
 * Adapters produce events in batches (a block of messages, a chunk's worth of chats) and hand
 * them out one by one through this plain iterator: yielding a million events one by one from an
 * async generator costs more than half a second, handing them out of an array a third of that.
 * An event handed out leaves the array (the adapter's generator holds the same array until its
 * next batch): what the consumer has dropped is garbage at once, not kept alive, and copied by
 * each young-generation collection, until the whole batch is done.
 */
export function flatten(batches: AsyncGenerator<SourceEvent[]>): AsyncIterableIterator<SourceEvent> {
  let batch: (SourceEvent | undefined)[] = [];
  let i = 0;
  const take = (): SourceEvent => {
    const value = batch[i]!;
    batch[i++] = undefined;
    return value;
  };
  const refill = async (): Promise<IteratorResult<SourceEvent>> => {
    for (;;) {
      const next = await batches.next();
      if (next.done) return { value: undefined, done: true };
      batch = next.value;
      i = 0;
      if (batch.length) return { value: take(), done: false };
    }
  };
  const iterator: AsyncIterableIterator<SourceEvent> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () => (i < batch.length ? Promise.resolve({ value: take(), done: false }) : refill()),
    // A consumer that stops early (break, an error in its loop body) closes the file.
    return: async () => {
      batch = [];
      await batches.return([]);
      return { value: undefined, done: true };
    },
  };
  return iterator;
}
