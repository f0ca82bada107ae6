import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isChatFile, isRobotsText, sitePaths } from '../render/links.js';
import { PARTIAL_SUFFIX, writeFileAtomic } from './atomic.js';
import { removeFromOutput } from './manifest.js';

/**
 * The build journal: what a build that is writing the output may write there besides what the
 * manifest (manifest.ts) lists. The manifest is written only when a build finishes; a build that
 * stops halfway (killed, crashed, an error) leaves files at paths that only it writes — another
 * authors mode's chat folders (`chats/<slug>/`, whose slug can be a person's name in `show`
 * mode), media names, month pages of an author excluded since — which no manifest lists, so no
 * later build would remove them. So before a build writes anything it claims here, written
 * atomically, the places it will write: each published chat's folder, the media files' folder,
 * the search files. The next full build removes what the claimed places hold and it did not
 * write; an incremental build removes the claimed folders of chats it does not publish. A build
 * removes the journal once it has completed (pages, media, manifest and search index), unless it
 * inherited claims it could not settle (an incremental build after a stopped one): the next full
 * build does.
 *
 * Claims are '/'-separated output paths: a file, or a folder (ending in '/') the plugin owns
 * whole while it is claimed (the search index's). Where a project may keep files of its own, only
 * what the plugin could have written there is its: in `media/`, the plugin's media paths
 * (`media/<sha256>/<name>`, `media/thumbs/<sha256>-…`); in a chat's folder, the names of its pages,
 * feed and anchor maps (render/links.ts's isChatFile); robots.txt, when it holds the plugin's text
 * (a project's own robots.txt stays). A separate file, not a field of the manifest: small (a line per chat),
 * cheap to write at every build and watch rebuild, and the manifest and its format stay what
 * older code reads and the build stamp hashes (stamp.ts).
 */
export const JOURNAL_FILE = '.chatchannels-building.json';

export function readJournal(outDir: string): Set<string> | null {
  try {
    const parsed = JSON.parse(readFileSync(join(outDir, JOURNAL_FILE), 'utf8')) as { claims?: unknown };
    return Array.isArray(parsed.claims) ? new Set(parsed.claims.filter((c): c is string => typeof c === 'string')) : new Set();
  } catch (err) {
    // Unreadable (cut short by a full disk): a build stopped, what it claimed is unknown; treated as none.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : new Set();
  }
}

export function writeJournal(outDir: string, claims: Iterable<string>): void {
  const list = [...new Set(claims)].sort();
  writeFileAtomic(join(outDir, JOURNAL_FILE), `${JSON.stringify({ version: 1, claims: list }).replace(/","/g, '",\n"')}\n`);
}

export function removeJournal(outDir: string): void {
  rmSync(join(outDir, JOURNAL_FILE), { force: true });
}

/** The claim of a chat's folder. */
export const chatClaim = (slug: string): string => `chats/${slug}/`;
export const MEDIA_CLAIM = 'media/';
const CHAT_CLAIM = /^chats\/[^/]+\/$/;

const HASH = /^[0-9a-f]{64}$/;
const THUMBNAIL = /^[0-9a-f]{64}-\d+\.webp$/;

/**
 * Removes from the claimed places of `outDir` every file a full build did not publish (`kept`:
 * its manifest's list, whose folder entries are kept whole) and the folders that leaves empty.
 * Returns the number of files removed.
 */
export function removeUnpublished(outDir: string, claims: Iterable<string>, kept: ReadonlySet<string>): number {
  const keptFolders = [...kept].filter((p) => p.endsWith('/'));
  const isKept = (path: string): boolean => kept.has(path) || keptFolders.some((f) => path.startsWith(f));
  // Every folder a published file is in, to tell a claimed folder still in use from one that goes whole.
  const inUse = new Set<string>();
  for (const path of kept) for (let i = path.indexOf('/'); i >= 0 && i < path.length - 1; i = path.indexOf('/', i + 1)) inUse.add(path.slice(0, i + 1));
  const gone: string[] = [];
  for (const claim of claims) {
    if (claim === MEDIA_CLAIM) {
      for (const dir of entries(outDir, 'media')) {
        if (!dir.isDirectory()) continue;
        const pattern = dir.name === 'thumbs' ? THUMBNAIL : HASH.test(dir.name) ? null : undefined;
        if (pattern === undefined) continue; // not a folder of the plugin's
        for (const file of entries(outDir, `media/${dir.name}`)) {
          const path = `media/${dir.name}/${file.name}`;
          if ((pattern === null || pattern.test(file.name)) && !isKept(path)) gone.push(file.isDirectory() ? `${path}/` : path);
        }
      }
    } else if (!claim.endsWith('/')) {
      if (!isKept(claim) && (claim !== sitePaths.robots || isRobotsText(readText(outDir, claim)))) gone.push(claim);
    } else if (CHAT_CLAIM.test(claim)) {
      // A chat's folder: the plugin's files in it (of a chat no longer published, or under another
      // slug, all of them), never a project's own; the folders that leaves empty go with them.
      // A partial file (a build killed mid-write) is the plugin's wherever it is.
      if (!isKept(claim)) for (const path of filesUnder(outDir, claim)) if ((isChatFile(path) || path.endsWith(PARTIAL_SUFFIX)) && !isKept(path)) gone.push(path);
    } else if (!isKept(claim)) {
      // A folder the plugin owns whole goes whole when nothing published is in it.
      if (!inUse.has(claim)) gone.push(claim);
      else for (const path of filesUnder(outDir, claim)) if (!isKept(path)) gone.push(path);
    }
  }
  return removeFromOutput(outDir, gone);
}

/** A file's text, or '' when it cannot be read (gone, or a folder). */
function readText(outDir: string, path: string): string {
  try {
    return readFileSync(join(outDir, path), 'utf8');
  } catch {
    return '';
  }
}

function entries(outDir: string, dir: string) {
  try {
    return readdirSync(join(outDir, dir), { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Output paths of the files under folder `dir` ('/'-terminated). */
function filesUnder(outDir: string, dir: string): string[] {
  const files: string[] = [];
  for (const entry of entries(outDir, dir)) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory()) files.push(...filesUnder(outDir, `${path}/`));
    else files.push(path);
  }
  return files;
}
