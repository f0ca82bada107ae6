import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * The suite's temp folders, both removed by the suite itself. Two lifetimes because node:test's
 * `after` belongs to where it is called: inside a test it runs when that test ends (big inputs do
 * not pile up over a file), but inside a `before` hook it runs as soon as that hook ends.
 */

/** A fresh temp folder, removed when the test (or, at top level, the file) that made it ends. */
export function tempDir(prefix = 'cc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const scratch: string[] = [];

/** A fresh temp folder removed when the process exits: for `before` hooks and shared fixtures. */
export function scratchDir(prefix = 'cc-site-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (scratch.length === 0) process.once('exit', () => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
  scratch.push(dir);
  return dir;
}
