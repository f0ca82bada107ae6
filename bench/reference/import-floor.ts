import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMeasured, type Measured } from '../measure.js';

/**
 * Runs the import floor (import-floor-child.ts) over a Skype messages.json in a child process:
 * the speed our real importer is compared against.
 */
export interface ImportFloorResult {
  messages: number;
  bytes: number;
  /** Whole process, Node start-up and database creation included. */
  wallMs: number;
  peakRssBytes: number | null;
  /** Scanning, parsing and inserting only, as timed inside the child. */
  importMs: number;
  /** messages / importMs. */
  messagesPerSecond: number;
  measured: Measured;
}

export interface ImportFloorOptions {
  /** Database to (re)create; defaults to a temporary file that is removed afterwards. */
  dbFile?: string;
  timeoutMs?: number;
}

const CHILD_SCRIPT = fileURLToPath(new URL('./import-floor-child.js', import.meta.url));

export async function runImportFloor(skypeExportFile: string, options: ImportFloorOptions = {}): Promise<ImportFloorResult> {
  const scratch = options.dbFile ? null : await mkdtemp(join(tmpdir(), 'bench-import-floor-'));
  const dbFile = options.dbFile ?? join(scratch!, 'floor.sqlite');
  try {
    const measured = await runMeasured(process.execPath, [CHILD_SCRIPT, skypeExportFile, dbFile], {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    if (measured.code !== 0) throw new Error(`Import floor failed (${measured.signal ?? `exit ${measured.code}`}):\n${measured.stderr.slice(-2000)}`);
    const report = JSON.parse(measured.stdout.trim().split('\n').pop()!) as { messages: number; bytes: number; ms: number; messagesPerSecond: number };
    return {
      messages: report.messages,
      bytes: report.bytes,
      wallMs: measured.wallMs,
      peakRssBytes: measured.peakRssBytes,
      importMs: report.ms,
      messagesPerSecond: report.messagesPerSecond,
      measured,
    };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
