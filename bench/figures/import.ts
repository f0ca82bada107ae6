import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runMeasured } from '../measure.js';
import { runImportFloor } from '../reference/import-floor.js';
import type { SizeContext } from './context.js';
import { figure, type Figure, type FigureSpec } from './figure.js';
import { mb, rate } from './format.js';

/**
 * Import: `chatchannels import <export> --db <fresh db>` measured from outside (messages ÷ wall
 * time, peak RSS) beside the import floor (scanner + JSON.parse + one INSERT per message, nothing
 * else). docs/design.md: ≥ 0.67× the floor's messages/s measured in the same run (the floor itself
 * stays below an absolute 150,000/s on a 2-core machine); peak memory flat in the file's size,
 * ≤ 400 MB for a 1 GB file — read here as ≤ max(400 MB, 400 MB per GB of export).
 */
export const TARGET_FLOOR_RATIO = 0.67;
export const RSS_BYTES_PER_EXPORT_GB = 400 * 2 ** 20;

export const THROUGHPUT: FigureSpec = {
  key: 'import.throughput',
  label: 'import: messages/s',
  unit: 'msg/s',
  referenceName: 'import floor',
  target: `≥ ${TARGET_FLOOR_RATIO}× import floor`,
  passes: (_ours, ratio) => (ratio === null ? null : ratio >= TARGET_FLOOR_RATIO),
};

export function peakRssSpec(exportBytes: number): FigureSpec {
  const limit = rssLimit(exportBytes);
  return {
    key: 'import.peakRss',
    label: 'import: peak RSS',
    unit: 'bytes',
    referenceName: 'import floor',
    target: `≤ ${mb(limit)} (400 MB/GB of export, flat)`,
    passes: (ours) => ours <= limit,
  };
}

export function rssLimit(exportBytes: number): number {
  return Math.max(RSS_BYTES_PER_EXPORT_GB, (RSS_BYTES_PER_EXPORT_GB * exportBytes) / 2 ** 30);
}

export interface ImportFigures {
  figures: Figure[];
  /** The database of the last run (the corpus, imported): later figures read it. */
  dbFile: string;
  details: Record<string, unknown>;
}

export async function measureImport(ctx: SizeContext): Promise<ImportFigures> {
  const dbFile = join(ctx.sizeDir, 'import', 'chatchannels.sqlite');
  const ours: { ms: number; rss: number | null; stdout: string }[] = [];
  const floor: { messagesPerSecond: number; wallMs: number; rss: number | null }[] = [];
  for (let run = 1; run <= ctx.runs; run++) {
    await removeDb(dbFile);
    await mkdir(join(ctx.sizeDir, 'import'), { recursive: true });
    const measured = await runMeasured(process.execPath, [ctx.cli, 'import', ctx.corpusFile, '--db', dbFile], { timeoutMs: ctx.timeoutMs });
    if (measured.code !== 0) throw new Error(`chatchannels import failed (${measured.signal ?? `exit ${measured.code}`}):\n${measured.stderr.slice(-2000)}`);
    ours.push({ ms: measured.wallMs, rss: measured.peakRssBytes, stdout: measured.stdout.trim() });
    ctx.log(`import run ${run}/${ctx.runs}: ours ${rate(ctx.corpus.messages / (measured.wallMs / 1000))}, peak ${measured.peakRssBytes === null ? 'n/a' : mb(measured.peakRssBytes)}`);
    const f = await runImportFloor(ctx.corpusFile, { timeoutMs: ctx.timeoutMs });
    // The floor's whole process, like ours (Node start-up and database creation included).
    const floorRate = f.messages / (f.wallMs / 1000);
    floor.push({ messagesPerSecond: floorRate, wallMs: f.wallMs, rss: f.peakRssBytes });
    ctx.log(`import run ${run}/${ctx.runs}: floor ${rate(floorRate)}, peak ${f.peakRssBytes === null ? 'n/a' : mb(f.peakRssBytes)}`);
  }
  const rates = ours.map((o) => ctx.corpus.messages / (o.ms / 1000));
  const rss = ours.flatMap((o) => (o.rss === null ? [] : [o.rss]));
  const floorRss = floor.flatMap((f) => (f.rss === null ? [] : [f.rss]));
  const medianRss = [...rss].sort((a, b) => a - b)[rss.length >> 1];
  const notes = medianRss === undefined ? [] : [`peak RSS / export size = ${(medianRss / ctx.corpusBytes).toFixed(2)} (export ${mb(ctx.corpusBytes)})`];
  return {
    figures: [
      figure(THROUGHPUT, rates, floor.map((f) => f.messagesPerSecond), { notes: ['messages ÷ wall time of the whole process, both sides'] }),
      figure(peakRssSpec(ctx.corpusBytes), rss, floorRss, rss.length ? { notes } : { reason: 'peak RSS could not be measured' }),
    ],
    dbFile,
    details: {
      exportBytes: ctx.corpusBytes,
      ours: ours.map((o) => ({ wallMs: o.ms, peakRssBytes: o.rss, output: o.stdout })),
      floor,
    },
  };
}

export async function removeDb(dbFile: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal', '.changed']) await rm(`${dbFile}${suffix}`, { force: true });
}
