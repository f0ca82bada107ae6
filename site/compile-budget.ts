import { setFlagsFromString } from 'node:v8';

/**
 * How much bytecode a function runs between V8's checks of whether to optimize it (its
 * `--interrupt-budget`), for a process that builds. A build is a few seconds of CPU on two
 * threads, the main thread and the archive worker, and each isolate optimizes its own copy of the
 * hot functions: at V8's default (66 KB in Node 20) TurboFan optimized many of them before their
 * type feedback settled, threw the code away and optimized them again. At 100k messages, in perf
 * samples (1 kHz, both threads and V8's helper threads), compiling was ~850 of ~4,400 ms of CPU;
 * at 512 KB it was 360–410 (7 builds), and the JavaScript itself ran no slower (2,300–2,450 ms at
 * both; at 1 MB and 2 MB compiling drops further but the code runs longer unoptimized and the
 * total rose again). The output cannot change: the budget decides when code is optimized, never what it does.
 *
 * V8 reads it whenever it gives a function its feedback (lazily, after its first calls) and after
 * each optimization, so set while the process runs it applies to what is yet to run hot, on every
 * thread. One process-wide setting, kept for the rest of the process (the archive worker of a
 * build, a later build in the same process) and set by `buildSite` only: `serve` (whose process
 * also imports, under --watch) keeps V8's default, which is what its import figures were measured
 * at. Measured on Node 20 only. A process started with its own `--interrupt-budget` (a command-line
 * flag: Node refuses it in NODE_OPTIONS) is left alone.
 */
export const BUILD_INTERRUPT_BUDGET = 512 * 1024;

const FLAG = 'interrupt-budget';
let kept = false;

/** Sets the build's interrupt budget for the rest of the process (once, however often it is called). */
export function keepBuildCompileBudget(): void {
  if (kept) return;
  kept = true;
  const given = process.execArgv.some((arg) => arg.replace(/_/g, '-').startsWith(`--${FLAG}=`));
  if (!given) setFlagsFromString(`--${FLAG}=${BUILD_INTERRUPT_BUDGET}`);
}
