import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets a heap grow past what its last full collection kept, while an import runs.
 * An import's live data is small and flat (one chat's keys, a few batches of events), but what it
 * allocates on the way is large, and by default V8 lets the heap grow to up to four times the live
 * size before collecting it: measured at 5M messages, the main thread's heap climbed from 56 to
 * 182 MB of mostly garbage, and the peak RSS with it (544 MB). With the factor fixed at 1.3 the heap
 * is collected near its live size at any export size (1M messages: peak RSS 376–416 MB → 333–353;
 * the number of collections rose by about 5%). On a machine too loaded for V8's background
 * marking threads a collection can still take long to finish, and the heap grows meanwhile.
 *
 * V8 reads this flag each time it sets the next collection's limit, so it takes effect at once, on
 * every thread (the reading thread too); unlike a heap cap it never makes a large but legitimate
 * value (a 128 MiB JSON list read whole) fail. It is set for the import only and reset afterwards:
 * the same process may go on to build a site, which should not pay for more collections.
 */
export const IMPORT_HEAP_GROWING_PERCENT = 30;

let holders = 0;

/** Bounds heap growth until the returned function is called (nested imports share one setting). */
export function boundHeapGrowth(): () => void {
  if (holders++ === 0) setFlagsFromString(`--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) setFlagsFromString('--heap-growing-percent=0');
  };
}
