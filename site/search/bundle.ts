import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientDir, lunrLibDir } from './paths.js';

/**
 * search/search.js: the whole browser side in one classic script (file:// pages cannot load
 * modules). Lunr's stop word filter and Porter stemmer come from Lunr's own source files, under a
 * shim of the two Lunr names they touch, so the browser stems exactly as the builder did; then
 * the shared pipeline, the decoder of the data files, the engine and the page UI (site/client/search/).
 */
let cached: string | null = null;

/**
 * Drops whole-line comments, blank lines and indentation: about a third of the bytes, safely (no
 * token is touched: a comment is only removed when it starts its line, and the client has no
 * multi-line strings or template literals).
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
    out.push(line);
  }
  return `${out.join('\n')}\n`;
}

export function clientBundle(): string {
  if (cached) return cached;
  const lib = lunrLibDir();
  const client = clientDir();
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
    read(client, 'pipeline.js') +
    '\n' +
    read(client, 'inflate.js') +
    '\n' +
    read(client, 'engine.js') +
    '\n' +
    read(client, 'ui.js'),
  );
  cached = `/* chatchannels search client. Includes lunr.js's stemmer and stop word filter: Copyright (C) Oliver Nightingale, MIT licence; Porter stemmer from tartarus.org/~martin. */\n${cached}`;
  return cached;
}

/**
 * search/search.js of one built index: the client, told the base index's version, bucket count
 * and doc-store chunk size, so that a query's term buckets (and a rare word's snippets) load
 * beside the manifest instead of after it (one round trip less before the first result). The page loads it with `?v=<version>`, like every data file.
 */
export function clientScript(index: { version: string; buckets: number; docChunk: number }): string {
  const bundle = clientBundle();
  const header = bundle.indexOf('\n') + 1;
  const info = { version: index.version, buckets: index.buckets, docChunk: index.docChunk };
  return `${bundle.slice(0, header)}globalThis.ccSearchIndex = ${JSON.stringify(info)};\n${bundle.slice(header)}`;
}
