import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientBundle, clientModules, clientScript, compactScript, linkModules } from '../site/search/bundle.js';
import { tempDir } from './helpers/temp.js';

/**
 * The client's ES modules reach the browser linked into one classic script (bundle.ts
 * linkModules: file:// pages cannot load modules), and Node runs that same text. The linker
 * handles only the module syntax the client uses; anything else must stop the build with the
 * file and line, never ship a script that breaks in the browser.
 */

const root = tempDir('cc-client-link-');
let n = 0;

/** A folder of modules: file name → source. */
function modules(files: Record<string, string>): string {
  const dir = join(root, String(n++));
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Runs linked modules (compacted, as search.js carries them); returns the entry's exports. */
function run(dir: string, entry: string): Record<string, unknown> {
  const { code, modules: names } = linkModules([entry], dir);
  const last = names[names.length - 1];
  assert.equal(last, entry.replace(/\.js$/, ''), 'the entry comes after what it imports');
  return new Function(`${compactScript(code)}return $${last};`)() as Record<string, unknown>;
}

test('modules are linked in dependency order, each in its own scope, exporting what they export', () => {
  const dir = modules({
    'a.js': "// @ts-check\n/*\n * a\n */\nimport { twice } from './b.js';\nimport { name, Box } from './c-d.js';\n\nconst secret = 'a';\n/** doc */\nexport function both() {\n  return twice(name) + secret + new Box(1).v;\n}\n",
    'b.js': "import { name } from './c-d.js';\nconst secret = 'b';\nexport function twice(s) {\n  return s + s + secret + name;\n}\n",
    'c-d.js': "const secret = 'c';\nexport const name = 'n' + secret;\nexport class Box {\n  constructor(v) {\n    this.v = v;\n  }\n}\n",
  });
  assert.deepEqual(linkModules(['a.js'], dir).modules, ['c-d', 'b', 'a'], 'each module once, after its imports');
  const a = run(dir, 'a.js');
  assert.deepEqual(Object.keys(a), ['both']);
  assert.equal((a.both as () => string)(), 'ncncbnca1', 'same-named private names stay in their module');
});

test('module syntax the linker does not handle stops it, naming the file and line', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['a default export', { 'm.js': 'const x = 1;\nexport default x;\n' }, /m\.js:2: module syntax/],
    ['an export list', { 'm.js': 'const x = 1;\nexport { x };\n' }, /m\.js:2: module syntax/],
    ['a renamed import', { 'm.js': "import { x as y } from './o.js';\n", 'o.js': 'export const x = 1;\n' }, /m\.js:1: module syntax/],
    ['a namespace import', { 'm.js': "import * as o from './o.js';\n", 'o.js': 'export const x = 1;\n' }, /m\.js:1: module syntax/],
    ['an import split over lines', { 'm.js': "import {\n  x,\n} from './o.js';\n", 'o.js': 'export const x = 1;\n' }, /m\.js:1: module syntax/],
    ['an exported let', { 'm.js': 'export let x = 1;\n' }, /m\.js:1: module syntax/],
    ['an import of a name not exported', { 'm.js': "import { y } from './o.js';\n", 'o.js': 'export const x = 1;\nconst y = 2;\n' }, /m\.js:1: o\.js exports no y/],
    ['an import cycle', { 'm.js': "import { y } from './o.js';\nexport const x = 1;\n", 'o.js': "import { x } from './m.js';\nexport const y = 2;\n" }, /import cycle through m\.js/],
    ['code after a comment that starts a line', { 'm.js': 'let v = 0;\n/** @type {number} */ v = 1;\nexport const x = v;\n' }, /m\.js:2: code after a comment/],
  ];
  for (const [what, files, error] of cases) assert.throws(() => linkModules(['m.js'], modules(files)), error, what);
});

test('compacting drops comments and indentation, and type casts within a line, and nothing else', () => {
  const source =
    "// @ts-check\n/**\n * doc\n */\nfunction f(m) {\n  // why\n  const n = /** @type {number} */ (m.get('a')); // a count\n" +
    "  const s = 'x; // not a comment';\n  const t = 'y, // nor this', u = 1; // kept: a/b\n  return n + '/** @type'.length + s.length + t.length + u;\n}\n";
  assert.equal(compactScript(source),
    "function f(m) {const n = (m.get('a'));\nconst s = 'x; // not a comment';\n" +
    "const t = 'y, // nor this', u = 1; // kept: a/b\nreturn n + '/** @type'.length + s.length + t.length + u;}\n");
  assert.equal(compactScript("if (a) { // a/b\n  x = 1 // a/b\n}\nif (b) {\n  y = 2\n  return\n  z\n}\n"),
    "if (a) { // a/b\nx = 1 // a/b\n}\nif (b) {y = 2\nreturn\nz}\n", 'a line after a comment keeps its break; others keep theirs');
  assert.equal(new Function(`${compactScript(source)}return f(new Map([['a', 1]]));`)(), 44);
});

test("the client's own modules link, and the linked text is what the browser and Node run", () => {
  const bundle = clientBundle();
  const page = linkModules(['ui.js']);
  assert.ok(page.modules.includes('engine') && page.modules.at(-1) === 'ui');
  assert.ok(bundle.includes(compactScript(page.code).trim()), 'search.js carries the linked page modules, compacted');
  assert.doesNotMatch(bundle, /^\s*(import|export)\b/m, 'no module syntax left');
  const node = clientModules();
  assert.equal(typeof (node.engine.Engine as unknown), 'function');
  assert.equal((node.periods.pagePath as (s: string, d: boolean, t: number) => string)('late', false, 0), 'out-of-range/late/');
  assert.ok(!('ui' in node), 'Node links the engine, not the page');
});

test("search.js opens with V8's compile hint (eager compilation, off the page's main thread), then its licence and the index it was built with", () => {
  const lines = clientScript({ version: 'v1', buckets: 7, docChunk: 64 }).split('\n');
  // The hint counts only as the file's first line.
  assert.equal(lines[0], '//# allFunctionsCalledOnLoad');
  assert.match(lines[1]!, /^\/\* chatchannels search client\. .*\*\/$/);
  assert.equal(lines[2], 'globalThis.ccSearchIndex = {"version":"v1","buckets":7,"docChunk":64};');
  assert.ok(clientBundle().startsWith(`${lines[0]}\n${lines[1]}\n`));
});
