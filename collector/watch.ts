import { stat } from 'node:fs/promises';
import { relative, resolve, isAbsolute } from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { importPaths, type ImportOptions, type ImportSummary } from './import/index.js';
import type { Db } from './store/open.js';

export interface WatchHooks {
  /** After each import of a changed source. */
  onImport?: (path: string, summary: ImportSummary) => void;
  /** An import failed; watching goes on (the next change is tried again). */
  onError?: (path: string, error: Error) => void;
}

export interface SourceWatcher {
  /** Resolves when the initial imports are done and the file system is being watched. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export { changeMarkerPath } from './store/marker.js';

/**
 * Keeps the database in step with sources as they change: imports each source once at start when
 * it changed since its last import (size and mtime), then again on every change chokidar reports,
 * one import at a time and coalescing bursts of events. Whole exports are re-read (re-importing
 * is idempotent and cheap for unchanged messages); a write still in progress is waited out
 * (awaitWriteFinish) so a half-written export is never read.
 */
export function watchSources(
  db: Db,
  dbFile: string,
  paths: string[],
  options: Omit<ImportOptions, 'onProgress' | 'onFileStart'> = {},
  hooks: WatchHooks = {},
): SourceWatcher {
  const roots = paths.map((p) => resolve(p));
  const pending = new Set<string>();
  let running: Promise<void> | null = null;
  let closed = false;

  const fingerprintOf = db.prepare(`SELECT fingerprint FROM sources WHERE path = ?`).pluck();

  async function importOne(root: string): Promise<void> {
    try {
      // importPaths rewrites the change marker (store/marker.ts) when something changed.
      const summary = await importPaths(db, [root], options);
      hooks.onImport?.(root, summary);
    } catch (err) {
      hooks.onError?.(root, err as Error);
    }
  }

  function drain(): Promise<void> {
    if (!running) {
      running = (async () => {
        while (pending.size && !closed) {
          const [next] = pending;
          pending.delete(next);
          await importOne(next);
        }
        running = null;
      })();
    }
    return running;
  }

  function rootOf(path: string): string | undefined {
    const abs = resolve(path);
    return roots.find((root) => {
      const rel = relative(root, abs);
      return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
    });
  }

  const watcher: FSWatcher = chokidar.watch(roots, {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 },
    atomic: true,
  });
  const onEvent = (path: string) => {
    const root = rootOf(path);
    if (!root || closed) return;
    pending.add(root);
    void drain();
  };
  watcher.on('add', onEvent).on('change', onEvent);
  watcher.on('error', (err) => hooks.onError?.(roots.join(', '), err as Error));

  const ready = (async () => {
    await new Promise<void>((done) => watcher.once('ready', () => done()));
    for (const root of roots) {
      const info = await stat(root).catch(() => null);
      if (!info) {
        hooks.onError?.(root, new Error(`${root}: no such file or folder (still watching for it)`));
        continue;
      }
      const fingerprint = `${info.size}:${Math.trunc(info.mtimeMs)}`;
      if (info.isDirectory() || fingerprintOf.get(root) !== fingerprint) pending.add(root);
    }
    await drain();
  })();

  return {
    ready,
    async close() {
      closed = true;
      await watcher.close();
      await running;
    },
  };
}
