import { readdirSync, renameSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Ends the name of a file being written (`.<name>.<pid>-<thread>.cc-partial`): never published. */
export const PARTIAL_SUFFIX = '.cc-partial';

/**
 * A file of the output could not be written: says which, and why in words (a full disk, an output
 * that is a file…) instead of the bare errno Node gives for a failed write (`ENOSPC: …, write`
 * names no file). Eleventy wraps errors thrown while rendering; `outputErrorIn` digs it out.
 */
export class OutputError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OutputError';
  }
}

/** `no space left on device writing <file>`, `<dir> is a file, not a folder`… */
export function describeWriteError(err: unknown, file: string): OutputError {
  if (err instanceof OutputError) return err;
  const e = err as NodeJS.ErrnoException;
  const where = e.path && e.path !== file && !e.path.endsWith(PARTIAL_SUFFIX) ? e.path : file;
  const why: Record<string, string> = {
    ENOSPC: `no space left on device writing ${file}`,
    EDQUOT: `disk quota exceeded writing ${file}`,
    EROFS: `read-only file system: cannot write ${file}`,
    EACCES: `permission denied writing ${where}`,
    EPERM: `permission denied writing ${where}`,
    ENOTDIR: `cannot write ${file}: part of that path is a file, not a folder`,
    EEXIST: `${where} is a file, not a folder`,
    EISDIR: `${file} is a folder, not a file`,
  };
  return new OutputError(why[e.code ?? ''] ?? `cannot write ${file}: ${e.message}`, e.code, { cause: err });
}

/** The OutputError an error was caused by (Eleventy keeps it as `originalError`), if any. */
export function outputErrorIn(err: unknown): OutputError | null {
  for (let e = err, depth = 0; e && depth < 10; depth++) {
    if (e instanceof OutputError) return e;
    // One from a worker thread arrives as a copy: a plain Error with the same name and message.
    if (e instanceof Error && e.name === 'OutputError') return new OutputError(e.message, (e as NodeJS.ErrnoException).code, { cause: e });
    const next = (e as { originalError?: unknown; cause?: unknown }).originalError ?? (e as { cause?: unknown }).cause;
    e = next;
  }
  return null;
}

/**
 * Writes a file of the site so that a reader, or a build killed at any moment, sees either its
 * old bytes or its new ones: the data goes to a partial file beside it, renamed over it when
 * complete (a rename within a folder is atomic). Never a truncated page over a good one.
 */
export function writeFileAtomic(file: string, data: string | NodeJS.ArrayBufferView): void {
  const partial = join(dirname(file), `.${basename(file)}.${process.pid}-${threadId}${PARTIAL_SUFFIX}`);
  try {
    writeFileSync(partial, data);
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    throw describeWriteError(err, file);
  }
}

/** Removes partial files a killed build left under `dir` (walks it: only after a crash). Returns how many. */
export function removePartialFiles(dir: string): number {
  let removed = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removed += removePartialFiles(path);
    else if (entry.name.endsWith(PARTIAL_SUFFIX)) {
      rmSync(path, { force: true });
      removed++;
    }
  }
  return removed;
}
