import { linkSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describeWriteError, removePartialFiles } from './atomic.js';

/** Held in the output folder while a build writes it. */
export const LOCK_FILE = '.chatchannels-lock';

/** Another live build holds the output folder. */
export class OutputBusyError extends Error {
  constructor(
    readonly out: string,
    readonly pid: number,
  ) {
    super(`another build (pid ${pid}) is writing ${out}; if no build is running, remove ${join(out, LOCK_FILE)}`);
    this.name = 'OutputBusyError';
  }
}

export interface OutputLock {
  /** What the lock found and did, for the build's log (a stale lock taken over). */
  notice: string | null;
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
}

/**
 * Locks an output folder for one build: two builds writing one folder at once each leave the
 * other's files half replaced (a search index of 1 chunk in 379) and both exit 0. The lock file
 * appears with its content in one step (written aside, then hard-linked: the link fails if the
 * file exists, as O_EXCL would). A lock whose process is gone (a build killed) is taken over,
 * with a notice; one held by a live process throws OutputBusyError.
 */
export function lockOutput(outDir: string): OutputLock {
  const out = resolve(outDir);
  const lock = join(out, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: hostname() };
  const mine = `${lock}.${process.pid}`;
  let created: string | undefined; // the first folder this made: removed again if the build wrote nothing
  try {
    created = mkdirSync(out, { recursive: true });
    writeFileSync(mine, `${JSON.stringify(me)}\n`);
  } catch (err) {
    throw describeWriteError(err, mine);
  }
  let notice: string | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, lock);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
      }
      const holder = readHolder(lock);
      if (!holder) continue; // released meanwhile
      if (holder.pid === me.pid && holder.host === me.host) throw new OutputBusyError(out, holder.pid);
      if (holder.host !== me.host || isAlive(holder.pid)) throw new OutputBusyError(out, holder.pid);
      // Stale: move it aside (only one contender can), then make sure what moved was that stale lock.
      const aside = `${lock}.stale-${process.pid}`;
      try {
        renameSync(lock, aside);
      } catch {
        continue; // another build took it over first
      }
      const moved = readHolder(aside);
      if (moved && moved.pid !== holder.pid) {
        // A contender's fresh lock: put it back (fails if yet another one holds the name: then it is theirs).
        try {
          linkSync(aside, lock);
        } catch {
          // the name is held again
        }
        rmSync(aside, { force: true });
        continue;
      }
      rmSync(aside, { force: true });
      const partial = removePartialFiles(out);
      notice = `a build (pid ${holder.pid}) that is no longer running left ${out} locked: taken over` + (partial ? `, and removed ${partial} partial file(s) it left` : '');
    }
  } finally {
    rmSync(mine, { force: true });
  }
  return {
    notice,
    release() {
      const holder = readHolder(lock);
      if (holder?.pid === me.pid && holder.host === me.host) rmSync(lock, { force: true });
      // A build that failed before writing (a bad database) leaves no empty output folder behind.
      for (let dir = out; created && dir.length >= created.length; dir = dirname(dir)) {
        try {
          rmdirSync(dir);
        } catch {
          break; // not empty: the build wrote something
        }
      }
    },
  };
}

function readHolder(file: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return { pid: Number(parsed.pid) || 0, host: String(parsed.host ?? '') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { pid: 0, host: hostname() }; // unreadable: nobody's; taken over
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
