import { readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from './atomic.js';

/**
 * The list of files the plugin's last build left in the output folder ('/'-separated paths
 * relative to it; a path ending in '/' is a folder the plugin owns whole, e.g. the search data).
 * The output may be a user's folder holding files of their own: a build removes only what an
 * earlier build listed here and this one no longer publishes (an excluded chat, names that are
 * now hidden), never anything else. Written only when a build finishes: what a build that stopped
 * halfway wrote is found through its journal (journal.ts).
 */
export const MANIFEST_FILE = '.chatchannels-manifest.json';

export function readManifest(outDir: string): Set<string> | null {
  try {
    const parsed = JSON.parse(readFileSync(join(outDir, MANIFEST_FILE), 'utf8')) as { files?: unknown };
    return Array.isArray(parsed.files) ? new Set(parsed.files.filter((f): f is string => typeof f === 'string')) : null;
  } catch {
    return null;
  }
}

export function writeManifest(outDir: string, files: Iterable<string>): void {
  const list = [...new Set(files)].sort();
  writeFileAtomic(join(outDir, MANIFEST_FILE), `${JSON.stringify({ version: 1, files: list }, null, 0).replace(/","/g, '",\n"')}\n`);
}

/** An output-relative, '/'-separated path of a file under `outDir`, or null for one outside it. */
export function outputPath(outDir: string, file: string): string | null {
  const rel = relative(resolve(outDir), resolve(outDir, file));
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

/**
 * Removes the listed paths (files, or folders when they end in '/') and the folders they leave
 * empty, never leaving `outDir`. Returns the number of files removed.
 */
export function removeFromOutput(outDir: string, paths: Iterable<string>): number {
  const root = resolve(outDir);
  let removed = 0;
  const emptied = new Set<string>();
  for (const path of paths) {
    const file = resolve(root, path);
    const rel = relative(root, file);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) continue; // a manifest edited by hand
    let count: number;
    try {
      count = statSync(file).isDirectory() ? countFiles(file) : 1;
    } catch {
      continue; // gone already
    }
    rmSync(file, { recursive: true, force: true });
    removed += count;
    emptied.add(dirname(file));
  }
  // Folders the removals emptied (a chat's month folders), deepest first, up to the output root.
  for (const start of [...emptied].sort((a, b) => b.length - a.length)) {
    for (let dir = start; dir !== root && dir.startsWith(root + sep); dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        break; // not empty (or gone): its parents are not empty either
      }
    }
  }
  return removed;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  return n;
}
