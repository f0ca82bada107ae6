import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';

/**
 * A progress bar on an interactive terminal; silent otherwise (pipes, CI, tests), as docs/design.md's CLI
 * contract asks. One bar per file, advanced by bytes read.
 */
export interface Progress {
  start(label: string): void;
  update(done: number, total: number): void;
  stop(): void;
}

export function progressFor(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || process.env.CI) return { start() {}, update() {}, stop() {} };
  // Required here, not imported at the top: silent runs (pipes, CI, benchmarks) never load it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{label} [{bar}] {percentage}% | {done} / {totalSize} | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let label = '';
  let running = false;
  return {
    start(name) {
      label = name;
    },
    update(done, total) {
      const payload = { label, done: formatBytes(done), totalSize: formatBytes(total) };
      if (!running) {
        bar.start(total, done, payload);
        running = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
