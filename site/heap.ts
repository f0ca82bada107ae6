import { setFlagsFromString } from 'node:v8';

/**
 * What a build keeps alive is small and flat in the archive's size (the catalog, the pages
 * Eleventy keeps, one page being rendered: ~100 MB on the main thread, ~30 MB in the archive
 * worker), but rendering allocates a page's worth of garbage per page, and V8 by default lets an
 * old generation grow to several times its live size before collecting it, further still while a
 * busy machine starves its concurrent marking. Measured at 1M / 5M messages: heaps of 350 / 680 MB
 * over ~100 MB live, the process's peak RSS growing with the archive. Growing a heap by at most
 * this percentage over what survived the last full collection keeps each heap near its live size.
 * V8 flags are process-wide and read at every collection: a build process is ours to tune (the
 * CLI, buildSite); the plugin inside a project's own Eleventy leaves its process alone.
 */
export const HEAP_GROWING_PERCENT = 10;

const FLAG = 'heap-growing-percent';

/** Bounds heap growth for the build that follows, unless the process was started with its own setting. */
export function boundHeapGrowth(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((arg) => arg.replace(/_/g, '-').startsWith(`--${FLAG}`));
  if (!given) setFlagsFromString(`--${FLAG}=${HEAP_GROWING_PERCENT}`);
}
