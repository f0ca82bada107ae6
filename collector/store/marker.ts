import { renameSync, writeFileSync } from 'node:fs';

/**
 * `<db>.changed`, rewritten after every import that changed something. In WAL mode a commit only
 * touches `<db>-wal` (and checkpoints touch the main file at other times), so a site that rebuilds
 * on changes (`chatchannels serve`, an Eleventy project in watch mode) watches this file instead.
 */
export function changeMarkerPath(dbFile: string): string {
  return `${dbFile}.changed`;
}

export function touchChangeMarker(dbFile: string): void {
  const marker = changeMarkerPath(dbFile);
  // Written atomically: a watcher never reads half a marker.
  writeFileSync(`${marker}.tmp`, `${JSON.stringify({ changedAt: Date.now() })}\n`);
  renameSync(`${marker}.tmp`, marker);
}
