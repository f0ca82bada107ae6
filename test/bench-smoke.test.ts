import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIGURE_KEYS, type Figure } from '../bench/figures/figure.js';
import { tempDir } from './helpers/temp.js';

const RUN = fileURLToPath(new URL('../bench/run.js', import.meta.url));

/**
 * Runs the harness on a tiny corpus (no browser, no watch: those take the longest) into a temporary
 * folder: it must finish and report every figure, measured or not. No timing is asserted.
 */
test('npm run bench completes at a tiny size and reports every figure', { timeout: 120_000 }, async () => {
  const dir = tempDir('bench-smoke-');
  const results = join(dir, 'results');
  const { code, output } = await run([RUN, '--size', '2k', '--runs', '1', '--skip-browser', '--skip-watch', '--work', join(dir, 'work'), '--results', results]);
  assert.equal(code, 0, output.slice(-3000));
  assert.match(output, /figure\s+\| ours/);

  const files = readdirSync(results).filter((f) => f.endsWith('-2k.json'));
  assert.equal(files.length, 1, `one result file, got ${files.join(', ')}`);
  const json = JSON.parse(readFileSync(join(results, files[0]!), 'utf8')) as { figures: Record<string, Figure>; machine: { cpus: number }; runs: number };
  assert.equal(json.runs, 1);
  assert.ok(json.machine.cpus >= 1);
  for (const key of FIGURE_KEYS) {
    const figure = json.figures[key];
    assert.ok(figure, `figure ${key} is in the JSON`);
    if (figure.ours === null) assert.equal(typeof figure.reason, 'string', `${key}: null needs a reason`);
    else assert.equal(typeof figure.ours.median, 'number', `${key}: a number`);
  }
  assert.equal(json.figures['query.rare.bytes']!.reason, '--skip-browser');
  assert.equal(json.figures['watch.db']!.reason, '--skip-watch');
});

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
