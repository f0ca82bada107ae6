import { DAY_MS, dayStart } from '../../collector/store/contract.js';
import type { ArchivePage } from './archive-page.js';

/**
 * Which archive pages an incremental build rewrites: every page holding a changed UTC day, and,
 * when such a page may be new (`mayBeNew`: all its messages are on changed days), the pages whose
 * links then change: its neighbours (the pages its previous/next links name), the other day pages
 * of its month (their day list) and, when it may be a new month's only page, every page of the
 * chat (the month list on each archive page). Eleventy never deletes output, so every other page
 * stays on disk as the last build wrote it, byte for byte.
 */
export function dirtyPages(
  pages: readonly ArchivePage[],
  days: ReadonlySet<string>,
  mayBeNew: (page: ArchivePage) => boolean,
): ArchivePage[] {
  const ranges: [number, number][] = [];
  for (const day of days) {
    const start = dayStart(day);
    // A day the log cannot place (never written by our collector): rewrite the whole chat.
    if (start === null) return [...pages];
    ranges.push([start, start + DAY_MS]);
  }
  const marked = new Set<number>();
  const indexOf = new Map(pages.map((page, i) => [page.path, i]));
  pages.forEach((page, i) => {
    if (!ranges.some(([from, to]) => page.start < to && from < page.end)) return;
    marked.add(i);
    if (!mayBeNew(page)) return;
    // Its neighbours by its links (pages set apart for implausible dates are skipped by them).
    for (const link of [page.prev, page.next]) if (link) marked.add(indexOf.get(link.path)!);
    const month = monthKey(page);
    const sameMonth = pages.flatMap((p, j) => (monthKey(p) === month ? [j] : []));
    for (const j of sameMonth.length > 1 && !firstOfItsMonth(pages, i) ? sameMonth : pages.keys()) marked.add(j);
  });
  // A changed chat always rewrites its anchor maps, which are written after its last rendered
  // page: make sure it renders at least one (its newest).
  if (marked.size === 0 && pages.length > 0) marked.add(pages.length - 1);
  return [...marked].sort((a, b) => a - b).map((i) => pages[i]);
}


/** The month list entry a page belongs to (out-of-range pages are entries of their own). */
function monthKey(page: ArchivePage): string {
  return page.month || page.path;
}

/** A new first page of a month may be the month itself: the month list's link changes. */
function firstOfItsMonth(pages: readonly ArchivePage[], i: number): boolean {
  return i === 0 || monthKey(pages[i - 1]) !== monthKey(pages[i]);
}
