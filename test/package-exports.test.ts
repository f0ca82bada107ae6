import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * What the package promises in package.json is there: every `exports` target, `main` and `bin`
 * file exists after the build, and each export loads by the package's own name (as a project that
 * installed chatchannels imports it) with the functions its documentation names.
 */

const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as {
  name: string;
  main: string;
  bin: Record<string, string>;
  exports: Record<string, string>;
};

/** What each export must offer (functions by name). */
const EXPECTED: Record<string, string[]> = {
  '.': ['default', 'defaultLayout'],
  './collector': ['importPaths', 'openStore', 'openReadOnly', 'pagePathOf', 'slotOf', 'monthRange', 'viewHtmlOf', 'changeMarkerPath'],
};

test('every file package.json names (exports, main, bin) exists', () => {
  const files = [...Object.values(pkg.exports), pkg.main, ...Object.values(pkg.bin)];
  for (const file of files) assert.ok(existsSync(resolve(file)), `package.json names ${file}, which does not exist`);
});

test('every export loads by the package name and offers what it documents', async () => {
  assert.deepEqual(Object.keys(pkg.exports).sort(), Object.keys(EXPECTED).sort(), 'a test expectation per export');
  for (const [subpath, names] of Object.entries(EXPECTED)) {
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const module = (await import(specifier)) as Record<string, unknown>;
    for (const name of names) assert.equal(typeof module[name], 'function', `${specifier} exports ${name}`);
  }
});
