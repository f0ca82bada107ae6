/**
 * Returns `page` after making V8 store it as one flat string. A page built with `+=` is a tree of
 * concatenations — a 32-byte node per piece, about three times the size of its text — and Eleventy
 * keeps every page it renders (the index, the site feed) until its build ends: 200 landing pages,
 * when Eleventy rendered them, held ~100 MB of such trees, ~45 MB flat. (A page the plugin writes
 * itself is flattened by the write anyway.) Converting a string to a number flattens it in place (what
 * pino's flatstr does); the value is the same string either way, so nothing depends on it working.
 */
export function flat(page: string): string {
  // A project's `layout` is typed to return a string; anything else is passed on untouched.
  if (typeof page === 'string') (page as unknown as number) | 0;
  return page;
}
