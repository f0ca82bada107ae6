import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/**
 * Runs a command as a child process and measures it from outside: wall time and peak resident memory.
 * Peak RSS comes from GNU time (`/usr/bin/time -v`) when installed, otherwise from a preload that
 * reports `process.resourceUsage().maxRSS` at exit (Node commands), otherwise from polling the
 * child's VmHWM in /proc (any command, Linux).
 */
export type RssMethod = 'gnu-time' | 'node-preload' | 'proc-poll';

export interface MeasureOptions {
  cwd?: string;
  /** Replaces the environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL) after this long. */
  timeoutMs?: number;
  /** Force a measuring method instead of the best available one. */
  rssMethod?: RssMethod;
  /** Echo the child's output live to this process's stdout/stderr as well as capturing it. */
  echo?: boolean;
}

export interface Measured {
  wallMs: number;
  /** Peak RSS in bytes; null if no method could tell. */
  peakRssBytes: number | null;
  rssMethod: RssMethod;
  stdout: string;
  stderr: string;
  /** Exit code; null if killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

const GNU_TIME = '/usr/bin/time';
const POLL_INTERVAL_MS = 20;

export async function runMeasured(cmd: string, args: readonly string[], opts: MeasureOptions = {}): Promise<Measured> {
  const method = opts.rssMethod ?? defaultRssMethod(cmd);
  const scratch = await mkdtemp(join(tmpdir(), 'bench-measure-'));
  try {
    const reportFile = join(scratch, 'rss');
    let env = opts.env ?? process.env;
    let spawnCmd = cmd;
    let spawnArgs = [...args];
    if (method === 'gnu-time') {
      spawnCmd = GNU_TIME;
      spawnArgs = ['-v', '-o', reportFile, cmd, ...args];
    } else if (method === 'node-preload') {
      const preload = join(scratch, 'report-max-rss.cjs');
      await writeFile(preload, PRELOAD_SOURCE);
      env = { ...env, NODE_OPTIONS: `${env['NODE_OPTIONS'] ?? ''} --require ${JSON.stringify(preload)}`.trim(), BENCH_MAX_RSS_FILE: reportFile };
    }
    const run = await spawnAndWait(spawnCmd, spawnArgs, { ...opts, env }, method === 'proc-poll');
    let peakRssBytes = run.polledPeakBytes;
    if (method === 'gnu-time') {
      const report = await readFile(reportFile, 'utf8').catch(() => '');
      const kilobytes = numberAfter(report, 'Maximum resident set size (kbytes):');
      peakRssBytes = kilobytes === null ? null : kilobytes * 1024;
      // GNU time exits with 128+N when the command died of signal N: report the signal instead.
      const signal = /Command terminated by signal (\d+)/.exec(report);
      if (signal) {
        run.code = null;
        run.signal = signalName(Number(signal[1]));
      }
    } else if (method === 'node-preload') {
      const lines = (await readFile(reportFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      // Every Node process of the tree appends its own peak; the largest is the figure (like GNU time).
      peakRssBytes = lines.length === 0 ? null : Math.max(...lines.map((kb) => Number(kb) * 1024));
    }
    return { wallMs: run.wallMs, peakRssBytes, rssMethod: method, stdout: run.stdout, stderr: run.stderr, code: run.code, signal: run.signal };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export function defaultRssMethod(cmd: string): RssMethod {
  if (existsSync(GNU_TIME)) return 'gnu-time';
  return isNode(cmd) ? 'node-preload' : 'proc-poll';
}

function isNode(cmd: string): boolean {
  return cmd === process.execPath || /^node(\.exe)?$/.test(basename(cmd));
}

/** Loaded into measured Node processes; maxRSS is in kilobytes. */
const PRELOAD_SOURCE = `process.on('exit', () => {
  try { require('node:fs').appendFileSync(process.env.BENCH_MAX_RSS_FILE, process.resourceUsage().maxRSS + '\\n'); } catch {}
});
`;

/** The integer after a label in GNU time's report. */
function numberAfter(report: string, label: string): number | null {
  const at = report.indexOf(label);
  if (at < 0) return null;
  const value = Number.parseInt(report.slice(at + label.length).trim(), 10);
  return Number.isFinite(value) ? value : null;
}

function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, number]) => number === signal);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

interface ChildRun {
  wallMs: number;
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  polledPeakBytes: number | null;
}

function spawnAndWait(cmd: string, args: string[], opts: MeasureOptions & { env: NodeJS.ProcessEnv }, pollRss: boolean): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (opts.echo) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      if (opts.echo) process.stderr.write(chunk);
    });
    let polledPeakBytes: number | null = null;
    const poll = pollRss && child.pid !== undefined ? setInterval(() => {
      const hwm = readHighWaterMark(child.pid!);
      if (hwm !== null) polledPeakBytes = Math.max(polledPeakBytes ?? 0, hwm);
    }, POLL_INTERVAL_MS) : undefined;
    const timeout = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (error) => {
      clearInterval(poll);
      clearTimeout(timeout);
      reject(error);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearInterval(poll);
      clearTimeout(timeout);
      resolve({ wallMs, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), code, signal, polledPeakBytes });
    });
  });
}

/** VmHWM ("high water mark") is the process's peak RSS so far, so sparse polling still sees peaks. */
function readHighWaterMark(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
