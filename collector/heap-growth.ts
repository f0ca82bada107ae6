import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets a heap grow past what its last full collection kept. What an import or a build
 * keeps alive is small and flat in the archive's size, but both allocate a lot on the way (events
 * read, pages rendered), and by default V8 lets an old generation grow to several times its live
 * size before collecting it, further still while a busy machine starves its concurrent marking.
 * Measured: an import at 5M messages, main heap 56 → 182 MB of mostly garbage; a build at 1M / 5M
 * messages, heaps of 350 / 680 MB over ~100 MB live, the process's peak RSS growing with the
 * archive. With growth bounded the heaps are collected near their live size (import 1M: peak RSS
 * 376–416 → 333–353 MB; build 1M: 654 → 439 MB, 5M: 1,128 → 692 MB; same CPU time within noise).
 *
 * V8 reads this flag each time it sets the next collection's limit, so it takes effect at once on
 * every thread of the process; unlike a heap cap it never makes a large but legitimate value fail.
 * It is one process-wide setting, so this module owns it: callers hold a bound and release it, the
 * tightest held bound applies (`serve --watch` builds and imports in one process), and a process
 * started with its own `--heap-growing-percent` is left alone.
 */
export const IMPORT_HEAP_GROWING_PERCENT = 30;
export const BUILD_HEAP_GROWING_PERCENT = 10;

const FLAG = 'heap-growing-percent';
const held: number[] = [];
let givenAtStart: boolean | undefined;

/** Bounds heap growth to `percent` until the returned function is called. */
export function boundHeapGrowth(percent: number): () => void {
  givenAtStart ??= [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((arg) =>
    arg.replace(/_/g, '-').startsWith(`--${FLAG}`),
  );
  if (givenAtStart) return () => {};
  held.push(percent);
  apply();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.splice(held.indexOf(percent), 1);
    apply();
  };
}

const kept = new Set<number>();

/** Bounds heap growth to `percent` for the rest of the process (once, however often it is called). */
export function keepHeapGrowthBound(percent: number): void {
  if (kept.has(percent)) return;
  kept.add(percent);
  boundHeapGrowth(percent);
}

function apply(): void {
  // 0 is V8's own default: no fixed factor.
  setFlagsFromString(`--${FLAG}=${held.length ? Math.min(...held) : 0}`);
}
