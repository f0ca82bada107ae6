import { availableParallelism, cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { packageVersion } from '../package-paths.js';

/** The machine as the run found it: it is shared and noisy, so the load is recorded at both ends. */
export interface MachineInfo {
  date: string;
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  freeMemoryBytesAtStart: number;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[] | null;
  versions: Record<string, string | null>;
}

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${release()} ${process.arch}`,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryBytes: totalmem(),
    freeMemoryBytesAtStart: freemem(),
    loadAverageAtStart: loadavg().map(round2),
    loadAverageAtEnd: null,
    versions: {
      eleventy: tryVersion('@11ty/eleventy'),
      pagefind: tryVersion('pagefind'),
      lunr: tryVersion('lunr'),
      'better-sqlite3': tryVersion('better-sqlite3'),
      chromium: null, // filled in when a browser runs
    },
  };
}

export function loadNow(): number[] {
  return loadavg().map(round2);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function tryVersion(name: string): string | null {
  try {
    return packageVersion(name);
  } catch {
    return null;
  }
}
