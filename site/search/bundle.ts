import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientDir, lunrLibDir } from './paths.js';

/**
 * search/search.js: the whole browser side in one classic script (file:// pages cannot load
 * modules). Lunr's stop word filter and Porter stemmer come from Lunr's own source files, under a
 * shim of the two Lunr names they touch, so the browser stems exactly as the builder did; then
 * the client's modules (site/client/search/: the page UI, the engine and what they import),
 * linked into one scope (linkModules).
 */
let cached: string | null = null;

/** A JSDoc type cast's comment within a line, and the space after it. */
const INLINE_CAST = /\/\*\* @type \{[^*]*\} \*\/ ?/g;
/**
 * A comment after the code of a line, after `;`, `,` or `{`: only when its text has no quote or
 * slash, so that it cannot be the end of a string or regular expression.
 */
const TRAILING_COMMENT = /([;,{])\s+\/\/ [^'"`/]*$/;

/**
 * Drops whole-line comments, blank lines and indentation: about a third of the bytes, safely (no
 * token is touched: a comment is only removed when it starts its line, and the client has no
 * multi-line strings or template literals). Also the JSDoc type casts inside lines
 * (`/** @type {T} *\/ (x)` becomes `(x)`: the client writes none inside a string), comments
 * that end a line of code when nothing in them could close a string (TRAILING_COMMENT), and the
 * line breaks at braces.
 */
export function compactScript(source: string): string {
  const out: string[] = [];
  let inComment = false;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (inComment) {
      if (line.endsWith('*/')) inComment = false;
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      if (!line.endsWith('*/') || line.length < 4) inComment = true;
      continue;
    }
    let code = line.includes('/** @type {') ? line.replace(INLINE_CAST, '') : line;
    if (code.includes('//')) code = code.replace(TRAILING_COMMENT, '$1');
    // A line joins the line before when one of them is a brace's side: a line break after `{` or
    // before `}` never separates statements that the brace itself does not. Not after a comment.
    const last = out.length ? out[out.length - 1] : '//';
    if ((code.startsWith('}') || last.endsWith('{')) && !last.includes('//')) out[out.length - 1] = last + code;
    else out.push(code);
  }
  return `${out.join('\n')}\n`;
}

/** `import { a, b } from './x.js';`: the one import form the client uses. */
const IMPORT = /^import \{ ([\w$]+(?:, [\w$]+)*) \} from '\.\/([\w-]+)\.js';$/;
/** `export function f`, `export class C`, `export const X`: the export forms it uses. */
const EXPORT = /^export (?:function|class|const) ([\w$]+)/;

/** The variable holding a linked module's exports. */
const moduleVar = (name: string) => `$${name.replace(/-/g, '_')}`;

/**
 * The client's ES modules reachable from `entries` (file names in site/client/search/), linked
 * into the body of one classic script, as lunr's build concatenates its files: each module in a
 * function scope of its own, in dependency order, its imports read from the modules before it
 * (`var a = $x.a;`) and its exports returned (`var $y = (function () {…return { f: f };})();`);
 * `dir`: where the modules are.
 * Pages opened from file:// cannot load modules, so this is how the browser gets them; Node runs
 * the same text (clientModules). Only the module syntax the client uses is accepted: anything
 * else, an import of a name not exported, or an import cycle, throws, naming file and line.
 */
export function linkModules(entries: string[], dir = clientDir()): { code: string; modules: string[] } {
  const done = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  const parts: string[] = [];
  const visit = (name: string, from: string): void => {
    if (done.has(name)) return;
    if (visiting.has(name)) throw new Error(`chatchannels search client: import cycle through ${name}.js (from ${from})`);
    visiting.add(name);
    const file = `${name}.js`;
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    const header: string[] = [];
    const exported: string[] = [];
    const body = lines.map((line, i) => {
      const where = `${join(dir, file)}:${i + 1}`;
      const trimmed = line.trim();
      // compactScript drops a line that starts with a comment: no code may follow one there.
      if (trimmed.startsWith('/*') && trimmed.indexOf('*/') >= 0 && !trimmed.endsWith('*/')) throw new Error(`${where}: code after a comment that starts the line`);
      if (/^(import|export)\b/.test(line)) {
        const imported = IMPORT.exec(line);
        if (imported) {
          const [, names, target] = imported;
          visit(target, file);
          for (const n of names.split(', ')) {
            if (!done.get(target)!.has(n)) throw new Error(`${where}: ${target}.js exports no ${n}`);
            header.push(`var ${n} = ${moduleVar(target)}.${n};`);
          }
          return '';
        }
        const exportedName = EXPORT.exec(line);
        if (!exportedName) throw new Error(`${where}: module syntax the client's linker does not handle: ${line}`);
        exported.push(exportedName[1]);
        return line.slice('export '.length);
      }
      return line;
    });
    visiting.delete(name);
    done.set(name, new Set(exported));
    parts.push(
      `var ${moduleVar(name)} = (function () {\n${header.join('\n')}\n${body.join('\n')}\n` +
        `return { ${exported.map((n) => `${n}: ${n}`).join(', ')} };\n})();\n`,
    );
  };
  for (const entry of entries) visit(entry.replace(/\.js$/, ''), 'the entry points');
  return { code: `'use strict';\n${parts.join('')}`, modules: [...done.keys()] };
}

export function clientBundle(): string {
  if (cached) return cached;
  const lib = lunrLibDir();
  const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
  cached = compactScript(
    `/* chatchannels search client. Includes lunr.js's stemmer and stop word filter: ` +
    `Copyright (C) Oliver Nightingale, MIT licence; Porter stemmer from tartarus.org/~martin. */\n` +
    `(function () {\n'use strict';\n` +
    `var lunr = { Pipeline: { registerFunction: function () {} } };\n` +
    read(lib, 'stop_word_filter.js') +
    '\n' +
    read(lib, 'stemmer.js') +
    '\n' +
    `var stem = function (word) { return lunr.stemmer({ str: word, update: function (fn) { return fn(this.str); } }); };\n` +
    `var isStopWord = function (word) { return lunr.stopWordFilter(word) === undefined; };\n` +
    `globalThis.ccSearchLunr = { stem: stem, isStopWord: isStopWord };\n` +
    `})();\n` +
    // The page's modules (ui.js and what it imports), in a scope of their own.
    `(function () {\n${linkModules(['ui.js']).code}})();\n`,
  );
  cached = `${COMPILE_HINT}\n${LICENCE}\n${cached}`;
  return cached;
}

/**
 * V8's explicit compile hint (Chromium 136+; a plain comment elsewhere), which must open the file:
 * compile every function eagerly, on the thread that streams the script in as it downloads, not
 * lazily on the page's main thread as each is first called. A search calls nearly all of them
 * before its first result, and their lazy compilation cost the 1M search page 15-28 ms of main
 * thread there (Chromium traces, bench/README.md).
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

const LICENCE =
  `/* chatchannels search client. Includes lunr.js's stemmer and stop word filter: ` +
  `Copyright (C) Oliver Nightingale, MIT licence; Porter stemmer from tartarus.org/~martin. */`;

let modules: Record<string, Record<string, unknown>> | null = null;

/**
 * The client's engine modules (engine.js and what it imports: the pipeline, the query language,
 * periods…), linked and compacted exactly as search.js carries them, evaluated once in this
 * realm: file name without `.js` → its exports. The index builder cuts text with this pipeline,
 * the CLI matches with this query rule, and the tests run this engine.
 */
export function clientModules(): Record<string, Record<string, unknown>> {
  if (!modules) {
    const linked = linkModules(['engine.js']);
    const list = linked.modules.map((name) => `${JSON.stringify(name)}: ${moduleVar(name)}`).join(', ');
    modules = new Function(`${compactScript(linked.code)}return { ${list} };\n`)() as Record<string, Record<string, unknown>>;
  }
  return modules;
}

/**
 * search/search.js of one built index: the client, told the base index's version, bucket count
 * and doc-store chunk size, so that a query's term buckets (and a rare word's snippets) load
 * beside the manifest instead of after it (one round trip less before the first result). The page loads it with `?v=<version>`, like every data file.
 */
export function clientScript(index: { version: string; buckets: number; docChunk: number }): string {
  const bundle = clientBundle();
  // After the compile hint and the licence, which stay first.
  const header = COMPILE_HINT.length + LICENCE.length + 2;
  const info = { version: index.version, buckets: index.buckets, docChunk: index.docChunk };
  return `${bundle.slice(0, header)}globalThis.ccSearchIndex = ${JSON.stringify(info)};\n${bundle.slice(header)}`;
}
