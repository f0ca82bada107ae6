import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { describeWriteError } from '../output/atomic.js';
import { join } from 'node:path';
import { ByteWriter, DATA_CALLBACK, dataScript } from './bytes.js';
import { idf, weight, type FieldPostings, type FinishedIndex } from './inverted-index.js';
import { DELTA_KEY, dataKeys } from './paths.js';
import { pickBestOf } from './node-engine.js';
import { bucketOf, prefixable } from './pipeline.js';
import type { Slot } from '../../collector/store/contract.js';
import type { Group, SearchChat } from './source.js';
import { FORMAT_VERSION, type BaseManifestExtra, type DeltaManifestExtra, type ManifestJson } from './format.js';

export { FORMAT_VERSION };

/**
 * The search data files and their binary layouts (all numbers LEB128 varints, `int` zigzag; every
 * payload raw-deflated, or stored when that saves little, and base64'd into a script, see
 * bytes.ts). The browser side is
 * site/client/search/ (its readers: manifest.js, postings.js, documents.js); the manifest's JSON
 * is typed in format.ts, which the client's type check reads too. FORMAT_VERSION changes whenever
 * a layout does.
 *
 * manifest   varint jsonLength, JSON {format, version, docs, docChunk, buckets, fields, authors,
 *            chats: [[slug, title]…], slots: ['early' | 'YYYY-MM' | 'late'…], and for delta
 *            builds on this base: settings (hash of the author options), changeSeq (the change
 *            log's last sequence number included), averages {text, author, chat} (field
 *            lengths)}, then per slot: varint groupCount, per group: varint chatIndexDelta,
 *            varint count*2 + byDay.
 * delta      (`delta.js`, loaded afresh with every query) empty, or a delta's manifest: as above,
 *            with kind 'delta', base (the base's version), changeSeq and masked [start, count,
 *            …] (base documents it replaces); its chats are only those it holds documents of.
 *            The delta's own t/, p/, d/ and m/ files, same layouts, live in `delta-<version>/`
 *            and their keys start with that folder (delta.ts).
 * t/<b>      term bucket b (terms with bucketOf(term, buckets) == b: a hash of the term's first
 *            PREFIX_MIN characters, so the terms a typed prefix can reach share its bucket), per
 *            term, sorted: string term; varint textPostings, varint authorPostings, varint parts;
 *            per non-empty field (text, author): varint classes, classes × varint weight;
 *            parts == 0: the postings, per non-empty field: count × varint docGap (first from
 *            0), then, if classes > 1, count × varint classIndex;
 *            parts > 0: varint firstPart, (parts - 1) × varint partStartDelta; then the
 *            doc-store chunks of the term's first page (FIRST_PAGE best documents of the one-word
 *            query: the term as a prefix, i.e. with every term of the bucket it begins, when
 *            prefixable, else alone): varint chunks, chunks × varint chunkDelta (ascending, the
 *            first from 0), so that a frequent word's snippets load beside its part files.
 * p/<n>      one document range of a frequent term: varint textPostings, varint authorPostings,
 *            then the postings as above with gaps counted from the part's first document.
 * d/<n>      documents [n·docChunk, (n+1)·docChunk): varint count; count × string anchor;
 *            varint names, names × string; count × varint nameIndex+1 (0: none);
 *            count × int timeDelta (ms, from the previous document, the first from 0);
 *            count × string text (cut at TEXT_LIMIT characters).
 * m/<s>      the times of slot s's documents: count × int secondsDelta (from the previous).
 *
 * Weights are Lunr's, ×1000 as integers (inverted-index.ts): a posting's weight is its term's
 * weight table entry. A document's score for a query is Lunr's: the sum over query terms of
 * boost × text weight, divided by the query vector's magnitude — partial sums from any number of
 * files add up to exactly what one Lunr index over every message's text gives. Author postings
 * only serve the `author:` filter.
 */
export interface ShardSizes {
  /** Target raw (pre-deflate) bytes of a term bucket. */
  bucketBytes: number;
  /** Postings per part of a frequent term. */
  partPostings: number;
  /** Documents per doc-store chunk. */
  docChunk: number;
  /** Characters of a message kept for snippets. */
  textLimit: number;
  /** zlib level. */
  level: number;
}

export const DEFAULT_SIZES: ShardSizes = {
  bucketBytes: 8_000,
  partPostings: 24_000,
  docChunk: 64,
  textLimit: 1000,
  level: 6,
};

/**
 * Documents per first page whose doc-store chunks a frequent term's bucket entry names: the
 * search page's page size (site/client/search/ui.js PAGE_SIZE; engine.js prefetchDocs reads them).
 */
export const FIRST_PAGE = 10;

/**
 * Writes data files under one folder (emptied first), counting them. `keyPrefix`: the folder
 * relative to search/data/ (a delta's `delta-<version>/`), which the files' keys begin with.
 */
export class DataFiles {
  files = 0;
  bytes = 0;

  constructor(
    readonly dir: string,
    private readonly level: number,
    private readonly keyPrefix = '',
  ) {
    rmSync(dir, { recursive: true, force: true });
    for (const sub of ['t', 'p', 'd', 'm']) mkdirSync(join(dir, sub), { recursive: true });
  }

  file(key: string, payload: Uint8Array): void {
    const script = dataScript(this.keyPrefix + key, payload, this.level);
    // Not written aside and renamed: the whole folder is new, published only when complete.
    const file = join(this.dir, `${key}.js`);
    try {
      writeFileSync(file, script);
    } catch (err) {
      throw describeWriteError(err, file);
    }
    this.files++;
    this.bytes += script.length;
  }
}

/**
 * search/data/delta.js: the delta manifest, or an empty payload when there is no delta. The
 * client loads it afresh with every query (the base's files are cached by version), so it is
 * replaced atomically: a reader never sees half a file.
 */
export function writeDeltaPointer(dataDir: string, manifest: Uint8Array | null, level: number): number {
  const script = manifest ? dataScript(DELTA_KEY, manifest, level) : `${DATA_CALLBACK}(${JSON.stringify(DELTA_KEY)},"");\n`;
  const file = join(dataDir, `${DELTA_KEY}.js`);
  try {
    writeFileSync(`${file}.tmp`, script);
    renameSync(`${file}.tmp`, file);
  } catch (err) {
    throw describeWriteError(err, file);
  }
  return script.length;
}

/** Cuts a string at `limit` UTF-16 units without splitting a surrogate pair. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const code = text.charCodeAt(limit - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit);
}

/** Doc-store chunks, written as documents stream in. */
export class DocStoreWriter {
  private anchors: string[] = [];
  private authors: (string | null)[] = [];
  private times: number[] = [];
  private texts: string[] = [];
  private chunk = 0;

  constructor(
    private readonly out: PayloadSink,
    private readonly sizes: ShardSizes,
  ) {}

  add(anchor: string, author: string | null, time: number, text: string): void {
    this.anchors.push(anchor);
    this.authors.push(author);
    this.times.push(time);
    this.texts.push(cut(text, this.sizes.textLimit));
    if (this.anchors.length === this.sizes.docChunk) this.flush();
  }

  flush(): void {
    const n = this.anchors.length;
    if (n === 0) return;
    const w = new ByteWriter(64 * n + 1024);
    w.uint(n);
    for (const anchor of this.anchors) w.string(anchor);
    const names = new Map<string, number>();
    const nameIndex: number[] = [];
    for (const author of this.authors) {
      if (author === null) {
        nameIndex.push(0);
        continue;
      }
      let i = names.get(author);
      if (i === undefined) names.set(author, (i = names.size));
      nameIndex.push(i + 1);
    }
    w.uint(names.size);
    for (const name of names.keys()) w.string(name);
    for (const i of nameIndex) w.uint(i);
    let previous = 0;
    for (const time of this.times) {
      w.int(time - previous);
      previous = time;
    }
    for (const text of this.texts) w.string(text);
    this.out.file(dataKeys.docs(this.chunk++), w.view());
    this.anchors = [];
    this.authors = [];
    this.times = [];
    this.texts = [];
  }
}

/** Anything that takes finished payloads. */
export interface PayloadSink {
  file(key: string, payload: Uint8Array): void;
}

/** Per-slot time files (seconds), written as each slot ends. */
export class TimesWriter {
  private w = new ByteWriter(1 << 16);
  private previous = 0;

  constructor(private readonly out: PayloadSink) {}

  add(time: number): void {
    const seconds = Math.floor(time / 1000);
    this.w.int(seconds - this.previous);
    this.previous = seconds;
  }

  flush(slot: number): void {
    this.out.file(dataKeys.times(slot), this.w.view());
    this.w = new ByteWriter(1 << 16);
    this.previous = 0;
  }
}

export interface ManifestInfo {
  /** More JSON keys (what a delta build needs from its base, what the client needs of a delta). */
  extra?: BaseManifestExtra | DeltaManifestExtra;
  version: string;
  docs: number;
  docChunk: number;
  buckets: number;
  fields: string[];
  authors: string;
  chats: SearchChat[];
  slots: Slot[];
  groups: Group[];
}

export function encodeManifest(info: ManifestInfo): Uint8Array {
  const manifest: ManifestJson = {
    format: FORMAT_VERSION,
    version: info.version,
    docs: info.docs,
    docChunk: info.docChunk,
    buckets: info.buckets,
    fields: info.fields,
    authors: info.authors,
    chats: info.chats.map((c) => [c.slug, c.title]),
    slots: info.slots.map((s) => s.label),
    ...info.extra,
  };
  const json = JSON.stringify(manifest);
  const w = new ByteWriter(1 << 16);
  w.string(json);
  let g = 0;
  for (let s = 0; s < info.slots.length; s++) {
    const start = g;
    while (g < info.groups.length && info.groups[g].slot === s) g++;
    w.uint(g - start);
    let previousChat = 0;
    for (let i = start; i < g; i++) {
      const group = info.groups[i];
      w.uint(group.chat - previousChat);
      previousChat = group.chat;
      w.uint(group.count * 2 + (group.byDay ? 1 : 0));
    }
  }
  return w.view();
}

/** Per term and field: the weight of each posting, as a class table plus class indices. */
interface WeightedField {
  from: number;
  to: number;
  classes: number[];
  /** Class index of each posting in [from, to). */
  classOf: Uint32Array;
}

/**
 * Scratch for weighField: a small open-addressing table weight → (count, class), reset per term
 * (a term's postings take few distinct weights: one per (tf, field length) pair).
 */
const TABLE = 1 << 16;
const tableKey = new Int32Array(TABLE).fill(-1);
const tableClass = new Uint32Array(TABLE);

function slotOf(w: number): number {
  let slot = Math.imul(w, 0x9e3779b1) >>> 16;
  while (tableKey[slot] !== -1 && tableKey[slot] !== w) slot = (slot + 1) & (TABLE - 1);
  return slot;
}

function weighField(field: FieldPostings, average: number, term: number, termIdf: number): WeightedField | null {
  const from = field.offsets[term];
  const to = field.offsets[term + 1];
  if (from === to) return null;
  const n = to - from;
  // First pass: each posting's weight as a provisional class (order of first appearance).
  const classOf = new Uint32Array(n);
  const distinct: number[] = [];
  const counts: number[] = [];
  const used: number[] = [];
  let lastLength = -1;
  let lastClass = 0;
  const { docs, tfs, lengths } = field;
  for (let i = 0; i < n; i++) {
    const tf = tfs[from + i];
    const length = lengths[docs[from + i]];
    // tf = 1 is most postings: remember its class per field length.
    if (tf === 1 && length === lastLength) {
      classOf[i] = lastClass;
      counts[lastClass]++;
      continue;
    }
    const w = weight(termIdf, tf, length, average);
    const slot = slotOf(w);
    let c: number;
    if (tableKey[slot] === -1) {
      if (distinct.length >= TABLE / 2) throw new Error('search index: too many distinct weights for one term');
      c = distinct.length;
      tableKey[slot] = w;
      tableClass[slot] = c;
      distinct.push(w);
      counts.push(0);
      used.push(slot);
    } else {
      c = tableClass[slot];
    }
    classOf[i] = c;
    counts[c]++;
    if (tf === 1) {
      lastLength = length;
      lastClass = c;
    }
  }
  for (const slot of used) tableKey[slot] = -1;
  // Most frequent weight first: small class indices, which deflate well.
  const order = distinct.map((_, c) => c).sort((a, b) => counts[b] - counts[a] || distinct[a] - distinct[b]);
  const rank = new Uint32Array(order.length);
  order.forEach((c, r) => (rank[c] = r));
  for (let i = 0; i < n; i++) classOf[i] = rank[classOf[i]];
  return { from, to, classes: order.map((c) => distinct[c]), classOf };
}

/** Postings of one field within documents [lo, hi), gaps counted from `base`. */
function writePostings(w: ByteWriter, field: FieldPostings, weighted: WeightedField, lo: number, hi: number, base: number): number {
  const docs = field.docs;
  let a = weighted.from;
  while (a < weighted.to && docs[a] < lo) a++;
  let b = a;
  while (b < weighted.to && docs[b] < hi) b++;
  let previous = base;
  for (let i = a; i < b; i++) {
    w.uint(docs[i] - previous);
    previous = docs[i];
  }
  if (weighted.classes.length > 1) for (let i = a; i < b; i++) w.uint(weighted.classOf[i - weighted.from]);
  return b - a;
}

/**
 * The doc-store chunks of a one-word query's first page, as the client ranks it (score.js, and
 * order.js's own pickBest): a document's score is the sum of its text weights over the query's
 * index terms (weight classes ÷ 1000, added in term order from 0, as the client adds them), best
 * first, ties to the later document. Per-document scratch (9 bytes a document), made at the
 * first use and cleared after each page by walking the same postings.
 */
class FirstPage {
  private score: Float64Array | null = null;
  private seen: Uint8Array | null = null;

  constructor(
    private readonly documentCount: number,
    private readonly docChunk: number,
  ) {}

  /** Ascending chunk numbers of the FIRST_PAGE best documents of `terms`' text postings. */
  chunks(field: FieldPostings, terms: (WeightedField | null)[]): number[] {
    const score = (this.score ??= new Float64Array(this.documentCount));
    const seen = (this.seen ??= new Uint8Array(this.documentCount));
    const docs = field.docs;
    const lists = terms.filter((w): w is WeightedField => w !== null);
    for (const weighted of lists) {
      const values = weighted.classes.map((c) => c / 1000);
      for (let i = weighted.from; i < weighted.to; i++) {
        score[docs[i]] += values[weighted.classOf[i - weighted.from]];
        seen[docs[i]] = 1;
      }
    }
    // Each document once, ranked by the client's own pick (best first, then the later document).
    const candidates: number[] = [];
    for (const weighted of lists) {
      for (let i = weighted.from; i < weighted.to; i++) {
        const d = docs[i];
        if (!seen[d]) continue;
        seen[d] = 0;
        candidates.push(d);
      }
    }
    const ranked = pickBestOf()(Int32Array.from(candidates), Float64Array.from(candidates, (d) => score[d]), FIRST_PAGE);
    const top = ranked.map((i) => candidates[i]);
    for (const weighted of lists) for (let i = weighted.from; i < weighted.to; i++) score[docs[i]] = 0;
    return [...new Set(top.map((d) => Math.floor(d / this.docChunk)))].sort((a, b) => a - b);
  }
}

function countIn(field: FieldPostings, weighted: WeightedField | null, lo: number, hi: number): number {
  if (!weighted) return 0;
  let n = 0;
  for (let i = weighted.from; i < weighted.to; i++) if (field.docs[i] >= lo && field.docs[i] < hi) n++;
  return n;
}

/**
 * The corpus statistics a posting's weight comes from: an index's own (ownWeighting), or for a
 * delta its base's, so that a message weighs the same whether the base or the delta holds it.
 */
export interface Weighting {
  documentCount: number;
  /** Lunr's documentsWithTerm, by term id of the index being written. */
  documentsWithTerm: ArrayLike<number>;
  averages: FieldAverages;
}

export interface FieldAverages {
  text: number;
  author: number;
}

export function ownWeighting(index: FinishedIndex): Weighting {
  return {
    documentCount: index.documentCount,
    documentsWithTerm: index.documentsWithTerm,
    averages: { text: index.text.average, author: index.author?.average ?? 0 },
  };
}

export interface TermShardResult {
  buckets: number;
  parts: number;
  terms: number;
}

/**
 * Writes the term buckets and the parts of frequent terms. The bucket count follows the index
 * size so that a bucket stays near `bucketBytes`; a term whose postings alone would fill a good
 * share of a bucket gets part files instead, each holding one document range.
 */
export function writeTermShards(index: FinishedIndex, out: PayloadSink, sizes: ShardSizes, weighting: Weighting = ownWeighting(index)): TermShardResult {
  const { terms, text, author, documentsWithTerm, documentCount } = index;
  const postingsOf = (t: number): number =>
    text.offsets[t + 1] - text.offsets[t] + (author ? author.offsets[t + 1] - author.offsets[t] : 0);
  const bigLimit = Math.max(Math.min(256, sizes.partPostings), Math.floor(sizes.bucketBytes / 8));
  let inlineBytes = 0;
  let live = 0;
  for (let t = 0; t < terms.length; t++) {
    const p = postingsOf(t);
    if (p === 0) continue;
    live++;
    inlineBytes += terms[t].length + 6 + (p > bigLimit ? 8 : p * 2);
  }
  const buckets = Math.max(1, Math.ceil(inlineBytes / sizes.bucketBytes));
  const members: number[][] = Array.from({ length: buckets }, () => []);
  for (let t = 0; t < terms.length; t++) if (postingsOf(t) > 0) members[bucketOf(terms[t], buckets)].push(t);

  let nextPart = 0;
  const part = new ByteWriter(1 << 16);
  const page = new FirstPage(documentCount, sizes.docChunk);
  for (let b = 0; b < buckets; b++) {
    const list = members[b].sort((x, y) => (terms[x] < terms[y] ? -1 : terms[x] > terms[y] ? 1 : 0));
    const w = new ByteWriter(sizes.bucketBytes * 2);
    w.uint(list.length);
    // Every term's text weights first: a frequent term's first page also counts the terms it begins.
    const texts = list.map((t) => weighField(text, weighting.averages.text, t, idf(weighting.documentsWithTerm[t], weighting.documentCount)));
    for (let k = 0; k < list.length; k++) {
      const t = list[k];
      const termIdf = idf(weighting.documentsWithTerm[t], weighting.documentCount);
      w.string(terms[t]);
      const wText = texts[k];
      const wAuthor = author ? weighField(author, weighting.averages.author, t, termIdf) : null;
      const nText = wText ? wText.to - wText.from : 0;
      const nAuthor = wAuthor ? wAuthor.to - wAuthor.from : 0;
      w.uint(nText);
      w.uint(nAuthor);
      const total = nText + nAuthor;
      const parts = total > bigLimit ? Math.ceil(total / sizes.partPostings) : 0;
      w.uint(parts);
      for (const weighted of [wText, wAuthor]) {
        if (!weighted) continue;
        w.uint(weighted.classes.length);
        for (const c of weighted.classes) w.uint(c);
      }
      if (parts === 0) {
        if (wText) writePostings(w, text, wText, 0, documentCount, 0);
        if (wAuthor && author) writePostings(w, author, wAuthor, 0, documentCount, 0);
        continue;
      }
      // Part boundaries: every (total / parts)-th posting of the larger field.
      const [field, weighted] = nText >= nAuthor ? [text, wText!] : [author!, wAuthor!];
      const per = Math.ceil((weighted.to - weighted.from) / parts);
      const starts = [0];
      for (let p = 1; p < parts; p++) {
        const at = weighted.from + p * per;
        starts.push(at < weighted.to ? field.docs[at] : documentCount);
      }
      w.uint(nextPart);
      for (let p = 1; p < parts; p++) w.uint(starts[p] - starts[p - 1]);
      // The one-word query's terms: this one, and as a prefix every later one of the bucket it
      // begins (sorted: they follow it), in the order the client sums them (engine.js, score.js).
      const union = [wText];
      if (prefixable(terms[t])) for (let j = k + 1; j < list.length && terms[list[j]].startsWith(terms[t]); j++) union.push(texts[j]);
      const chunks = page.chunks(text, union);
      w.uint(chunks.length);
      let previousChunk = 0;
      for (const c of chunks) {
        w.uint(c - previousChunk);
        previousChunk = c;
      }
      for (let p = 0; p < parts; p++) {
        const lo = starts[p];
        const hi = p + 1 < parts ? starts[p + 1] : documentCount;
        part.reset();
        part.uint(countIn(text, wText, lo, hi));
        part.uint(author ? countIn(author, wAuthor, lo, hi) : 0);
        if (wText) writePostings(part, text, wText, lo, hi, lo);
        if (wAuthor && author) writePostings(part, author, wAuthor, lo, hi, lo);
        out.file(dataKeys.part(nextPart++), part.view());
      }
    }
    out.file(dataKeys.bucket(b), w.view());
  }
  return { buckets, parts: nextPart, terms: live };
}
