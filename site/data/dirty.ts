import { DAY_MS, dayStart } from '../../collector/store/periods.js';
import type { ArchivePage } from './catalog.js';

/**
 * Which archive pages an incremental build rewrites: every page holding a changed UTC day, and,
 * when such a page may be new (`mayBeNew`: all its messages are on changed days), its neighbours,
 * whose previous/next links then change. Eleventy never deletes output, so every other page stays
 * on disk as the last build wrote it, byte for byte.
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
  pages.forEach((page, i) => {
    if (!ranges.some(([from, to]) => page.start < to && from < page.end)) return;
    marked.add(i);
    if (!mayBeNew(page)) return;
    if (i > 0) marked.add(i - 1);
    if (i + 1 < pages.length) marked.add(i + 1);
  });
  // A changed chat always rewrites its anchor maps, which are written after its last rendered
  // page: make sure it renders at least one (its newest).
  if (marked.size === 0 && pages.length > 0) marked.add(pages.length - 1);
  return [...marked].sort((a, b) => a - b).map((i) => pages[i]);
}

