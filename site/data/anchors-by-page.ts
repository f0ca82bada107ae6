import type { ArchivePage } from './archive-page.js';

/**
 * Anchors (each with its message's time and id, as ArchiveReader.anchorsWithPrefix reads them)
 * grouped by the page whose time range holds them: page path → anchors without the `m`, in the
 * order of the page's messages (time, then id), as ArchiveReader.pageAnchors lists a page's. An
 * anchor on none of `pages` is left out.
 */
export function anchorsByPage(pages: readonly ArchivePage[], rows: Iterable<readonly [anchor: string, time: number, id: number]>): Map<string, string[]> {
  const sorted = [...pages].sort((a, b) => a.start - b.start);
  const found = new Map<ArchivePage, (readonly [string, number, number])[]>();
  for (const row of rows) {
    // A chat's pages do not overlap: the row's is the last one that starts at or before it.
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (sorted[mid].start <= row[1]) low = mid + 1;
      else high = mid;
    }
    const page = sorted[low - 1];
    if (!page || row[1] >= page.end) continue;
    let list = found.get(page);
    if (!list) found.set(page, (list = []));
    list.push(row);
  }
  const byPage = new Map<string, string[]>();
  for (const page of sorted) {
    const list = found.get(page);
    if (list) byPage.set(page.path, list.sort((a, b) => a[1] - b[1] || a[2] - b[2]).map((row) => row[0].slice(1)));
  }
  return byPage;
}
