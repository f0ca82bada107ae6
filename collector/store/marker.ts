import { writeFileSync } from 'node:fs';

/**
 * `<db>.changed`, rewritten after every import that changed something. In WAL mode a commit only
 * touches `<db>-wal` (and checkpoints touch the main file at other times), so a site that rebuilds
 * on changes (`chatchannels serve`, an Eleventy project in watch mode) watches this file instead.
 */
export function changeMarkerPath(dbFile: string): string {
  return `${dbFile}.changed`;
}

export function touchChangeMarker(dbFile: string): void {
  // Rewritten in place, not replaced by a rename: a watcher of the file keeps its inode, where a
  // second replacement within chokidar's atomic-write window (100 ms) went unreported and a serving
  // site missed the rebuild. Nobody needs the content whole: the change is the message.
  writeFileSync(changeMarkerPath(dbFile), `${JSON.stringify({ changedAt: Date.now() })}\n`);
}
