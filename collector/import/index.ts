import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writerBusyError, type Db } from '../store/open.js';
import type { ImportCounts } from '../store/writer.js';
import { touchChangeMarker } from '../store/marker.js';
import { rerenderIfStale } from './rerender.js';
import { mergeStoredMediaTwins } from '../store/repair.js';
import { DEFAULT_MERGE_TOLERANCE_MS } from '../store/merge.js';
import { wantedChats } from './chat-filter.js';
import { detectAdapter } from '../sources/detect.js';
import { FORMATS, loadAdapter } from '../sources/modules.js';
import { batchesOnThread, BUSY_THREADED_MIN_BYTES, spareCore, THREADED_MIN_BYTES, worthAThread } from './threaded.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent, type SourceWarning } from '../sources/types.js';
import { storeWriter } from './store-writer.js';
import { boundHeapGrowth, IMPORT_HEAP_GROWING_PERCENT } from '../heap-growth.js';

export interface ImportOptions {
  /** Adapter name, or 'auto' / undefined to detect from each file. */
  format?: string;
  /** Import only these chats (native ids or slugs). */
  chats?: string[];
  /** Bytes done / total for the current file, for a progress bar. */
  onProgress?: (file: string, done: number, total: number) => void;
  onFileStart?: (file: string, format: string) => void;
  /** Cross-source duplicate window in ms (default 120 s); 0 turns merging off. */
  mergeToleranceMs?: number;
  /** Ignore remembered cursors and read every file whole (default false). */
  full?: boolean;
  /** Format-specific reading options (time zone and date order of WhatsApp, IRC networks…). */
  source?: SourceOptions;
  /**
   * Read each source on a worker thread while this one writes (import/threaded.ts): `auto`
   * (default) for inputs of 8 MB or more, where it pays for starting a thread, when a core is
   * idle for it (spareCore), else of 128 MB or more; or always, or never.
   */
  thread?: 'auto' | boolean;
}

export type SourceOptions = Pick<ReadOptions, 'whatsapp' | 'irc' | 'maxMediaBytes'>;

export interface FileSummary {
  file: string;
  format: string;
  warnings: SourceWarning[];
}

export interface ImportSummary extends ImportCounts {
  files: FileSummary[];
  warningCount: number;
}

/**
 * Imports sources into the store in ONE transaction: the database holds the whole import or none
 * of it (a killed or failed import leaves it as it was; the next run does all the work again).
 * A second concurrent import waits for the first (busy timeout), then fails with a clear error.
 */
export async function importPaths(db: Db, paths: string[], options: ImportOptions = {}): Promise<ImportSummary> {
  const adapters = await resolveAdapters(paths, options.format);
  const wanted = chatList(db, options.chats);
  const wantChat = wantedChats(wanted);
  const files: FileSummary[] = [];
  const registerSource = db.prepare(
    `INSERT INTO sources (path, format) VALUES (?, ?)
     ON CONFLICT(path) DO UPDATE SET format = excluded.format RETURNING id, cursor, format`,
  );
  const sourceImported = db.prepare(`UPDATE sources SET fingerprint = ?, imported_at = ?, cursor = ? WHERE id = ?`);

  beginImmediate(db);
  const releaseHeap = boundHeapGrowth(IMPORT_HEAP_GROWING_PERCENT);
  try {
    // Inside the transaction: the writer judges the database by what is stored (empty: bulk mode,
    // indexes dropped until the end), which a concurrent import could change until we hold the
    // lock, and a rollback must restore the indexes it drops.
    rerenderIfStale(db);
    // After the rerender: the pairs are found by the omitted rows' new text.
    const repaired = mergeStoredMediaTwins(db, options.mergeToleranceMs ?? DEFAULT_MERGE_TOLERANCE_MS);
    const writer = storeWriter(db, { mergeToleranceMs: options.mergeToleranceMs });
    for (const [i, path] of paths.entries()) {
      const adapter = adapters[i];
      const file = resolve(path);
      options.onFileStart?.(path, adapter.format);
      const summary: FileSummary = { file: path, format: adapter.format, warnings: [] };
      const source = registerSource.get(file, adapter.format) as { id: number; cursor: string | null };
      const sourceId = source.id;
      // A cursor is only offered when every chat is wanted: a filtered run must not skip ahead.
      const cursor = options.full || options.chats?.length ? null : source.cursor;
      let nextCursor: string | null = null;
      writer.beginSource(sourceId);
      let skipping = false;
      const readOptions: ReadOptions = { ...options.source, wantChat, cursor, mergeToleranceMs: options.mergeToleranceMs };
      const threaded =
        options.thread === 'auto' || options.thread === undefined
          ? await worthAThread(file, spareCore() ? THREADED_MIN_BYTES : BUSY_THREADED_MIN_BYTES)
          : options.thread;
      const handle = (event: SourceEvent): void => {
        switch (event.type) {
          case 'chat':
            skipping = !wantChat(event.chat.nativeId);
            if (!skipping) writer.beginChat(event.chat, adapter.format);
            break;
          case 'message':
            if (!skipping) writer.message(event.message);
            break;
          case 'media':
            writer.media(event.hash, event.media.name, event.media.type, event.media.bytes);
            break;
          case 'warning':
            summary.warnings.push(event.warning);
            break;
          case 'progress':
            options.onProgress?.(path, event.done, event.total);
            break;
          case 'resume':
            writer.resumeSource();
            break;
          case 'cursor':
            nextCursor = event.cursor;
            break;
        }
      };
      if (threaded) {
        // A thread's events arrive in batches: written in a plain loop, without an await per event
        // on the writer's thread, the busier of the two.
        for await (const batch of batchesOnThread(adapter.format, file, readOptions, wanted, writer.fresh)) {
          for (const event of batch) handle(event);
        }
      } else {
        for await (const event of adapter.read(file, readOptions)) handle(event);
      }
      const info = await stat(file);
      sourceImported.run(`${info.size}:${Math.trunc(info.mtimeMs)}`, Date.now(), nextCursor, sourceId);
      files.push(summary);
    }
    const counts = writer.finish();
    counts.mergedMessages += repaired;
    db.exec('COMMIT');
    if (counts.newMessages + counts.updatedMessages + counts.mergedMessages > 0 && db.name !== ':memory:') touchChangeMarker(db.name);
    return { ...counts, files, warningCount: files.reduce((n, f) => n + f.warnings.length, 0) };
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  } finally {
    releaseHeap();
  }
}

function beginImmediate(db: Db): void {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw writerBusyError(db.name);
    throw err;
  }
}

async function resolveAdapters(paths: string[], format: string | undefined): Promise<SourceAdapter[]> {
  if (format && format !== 'auto') {
    const adapter = await loadAdapter(format);
    if (!adapter) {
      throw new UsageError(`unknown format "${format}"; known formats: auto, ${FORMATS.map((f) => f.format).join(', ')}`);
    }
    return paths.map(() => adapter);
  }
  const found: SourceAdapter[] = [];
  for (const path of paths) {
    try {
      await stat(path);
    } catch {
      throw new SourceError(path, null, 'no such file or folder');
    }
    found.push(await detectAdapter(path));
  }
  return found;
}

/** `--chat` takes native ids or slugs; a slug already in the database names its chat exactly. */
function chatList(db: Db, chats: string[] | undefined): string[] | null {
  if (!chats?.length) return null;
  const wanted = new Set(chats);
  const bySlug = db.prepare(`SELECT native_id FROM chats WHERE slug = ?`).pluck();
  for (const chat of chats) {
    const nativeId = bySlug.get(chat) as string | undefined;
    if (nativeId) wanted.add(nativeId);
  }
  return [...wanted];
}

/** Bad command-line usage: the CLI exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
