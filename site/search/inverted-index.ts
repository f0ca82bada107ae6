import type { SearchPipeline } from './pipeline.js';
import type { BatchResult } from './text-indexer.js';

/**
 * The inverted index of all messages, built the way lunr.Builder builds one — same fields, same
 * term frequencies, same field lengths, same BM25 weights rounded to three decimals — but without
 * Lunr's per-document objects: postings go into flat typed arrays (term, doc, tf) in document
 * order, and are grouped by term with one counting sort at the end. That keeps 1M messages in a
 * few hundred MB where a lunr.Builder needs gigabytes.
 *
 * Words are matched against the text alone, as a Lunr index with `this.field('text')` (and as
 * the CLI's full-text index): neither the chat's title nor the author's name is part of a
 * message's text, or a word of either would find every message of the chat or the person.
 * - text: the message's plain text (scored);
 * - author: the author's name as the site shows it (absent when authors are hidden), kept for
 *   the `author:` filter only: it never counts in documentsWithTerm.
 */

/** lunr.Builder defaults. */
export const K1 = 1.2;
export const B = 0.75;

/** lunr.idf: documentsWithTerm counts a document once per field that holds the term. */
export function idf(documentsWithTerm: number, documentCount: number): number {
  const x = (documentCount - documentsWithTerm + 0.5) / (documentsWithTerm + 0.5);
  return Math.log(1 + Math.abs(x));
}

/**
 * lunr.Builder#createFieldVectors's weight, ×1000 and rounded: Lunr stores
 * Math.round(score * 1000) / 1000, so the integer here divided by 1000 is Lunr's number exactly.
 * The expression keeps Lunr's operation order so that the rounding matches bit for bit.
 */
export function weight(termIdf: number, tf: number, fieldLength: number, averageFieldLength: number): number {
  let score = (termIdf * ((K1 + 1) * tf)) / (K1 * (1 - B + B * (fieldLength / averageFieldLength)) + tf);
  score *= 1; // field boost
  score *= 1; // document boost
  return Math.round(score * 1000);
}

class U32List {
  data: Uint32Array;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.data = new Uint32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  grow(min: number): void {
    let size = this.data.length * 2;
    while (size < min) size *= 2;
    const next = new Uint32Array(size);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) this.grow(i + 1);
    this.data[i] = v;
    if (i >= this.length) this.length = i + 1;
  }
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * (term, doc, tf) triples in arrival (= document) order. Lists start small and double: a watch
 * rebuild's delta of a message or two allocated (and zeroed) 24 MB at 1 << 20 each.
 */
class PostingLog {
  readonly terms = new U32List();
  readonly docs = new U32List();
  readonly tfs = new U32List();
  push(term: number, doc: number, tf: number): void {
    this.terms.push(term);
    this.docs.push(doc);
    this.tfs.push(tf);
  }
}

/** One field's postings grouped by term: term t owns [offsets[t], offsets[t + 1]). */
export interface FieldPostings {
  offsets: Uint32Array;
  docs: Uint32Array;
  tfs: Uint32Array;
  /** Field length (terms after the pipeline) of each document. */
  lengths: Uint32Array;
  average: number;
}

export interface FinishedIndex {
  documentCount: number;
  terms: string[];
  text: FieldPostings;
  author: FieldPostings | null;
  /** Documents whose text holds the term (Lunr's documentsWithTerm of a text-only index). */
  documentsWithTerm: Uint32Array;
}

interface TermCounts {
  ids: number[];
  tfs: number[];
  length: number;
}

export class InvertedIndex {
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  /** Word (tokenizer output) → term id, -1 for a stop word. */
  private wordTerms = new Map<string, number>();
  private lastDoc = new Int32Array(1 << 16).fill(-1);
  private tf = new Uint32Array(1 << 16);
  /** Per text indexer: its local term ids → ours. */
  private readonly remaps: Int32Array[] = [];
  private readonly text = new PostingLog();
  private readonly author: PostingLog | null;
  private readonly textLengths = new U32List(1 << 16);
  private readonly authorLengths = new U32List(1 << 16);
  private readonly authorCache = new Map<string, TermCounts>();
  private documentCount = 0;

  constructor(
    private readonly pipeline: SearchPipeline,
    options: { authorField: boolean },
  ) {
    this.author = options.authorField ? new PostingLog() : null;
  }

  /**
   * Adds the next document's author (ids must come 0, 1, 2, …); its text comes with
   * appendTexts(), in document order too.
   */
  beginDocument(doc: number, author: string | null): void {
    if (doc !== this.documentCount) throw new Error(`search index: document ${doc} out of order (expected ${this.documentCount})`);
    this.documentCount++;
    if (this.author) {
      const key = author ?? '';
      let counts = this.authorCache.get(key);
      if (!counts) {
        counts = this.count(this.pipeline.tokenize(author));
        if (this.authorCache.size > 100_000) this.authorCache.clear();
        this.authorCache.set(key, counts);
      }
      for (let i = 0; i < counts.ids.length; i++) this.author.push(counts.ids[i], doc, counts.tfs[i]);
      this.authorLengths.set(doc, counts.length);
    }
  }

  /** The text postings of a batch of documents (text-indexer.ts), its term ids local to `source`. */
  appendTexts(result: BatchResult, source: number): void {
    let remap = this.remaps[source];
    const needed = result.firstNewTerm + result.newTerms.length;
    if (!remap || remap.length < needed) {
      let size = remap ? remap.length : 1 << 16;
      while (size < needed) size *= 2;
      const next = new Int32Array(size);
      if (remap) next.set(remap);
      this.remaps[source] = remap = next;
    }
    for (let i = 0; i < result.newTerms.length; i++) remap[result.firstNewTerm + i] = this.idOf(result.newTerms[i]);
    const { terms, docs, tfs } = result;
    for (let i = 0; i < terms.length; i++) this.text.push(remap[terms[i]], docs[i], tfs[i]);
    for (let i = 0; i < result.lengths.length; i++) this.textLengths.set(result.docStart + i, result.lengths[i]);
  }

  /** The global id of a term, added if new. */
  private idOf(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.terms.push(term);
      this.termIds.set(term, id);
      if (id >= this.lastDoc.length) {
        const lastDoc = new Int32Array(this.lastDoc.length * 2).fill(-1);
        lastDoc.set(this.lastDoc);
        this.lastDoc = lastDoc;
        const tf = new Uint32Array(this.tf.length * 2);
        tf.set(this.tf);
        this.tf = tf;
      }
    }
    return id;
  }

  private termOf(word: string): number {
    let id = this.wordTerms.get(word);
    if (id === undefined) {
      const term = this.pipeline.term(word);
      id = term === '' ? -1 : this.idOf(term);
      // Bounded: a corpus of random strings must not grow this without limit.
      if (this.wordTerms.size >= 2_000_000) this.wordTerms = new Map();
      this.wordTerms.set(word, id);
    }
    return id;
  }

  /** Term ids and frequencies of a short text (author names), in first-seen order. */
  private count(words: string[]): TermCounts {
    const ids: number[] = [];
    const tfs: number[] = [];
    for (const word of words) {
      const id = this.termOf(word);
      if (id < 0) continue;
      const at = ids.indexOf(id);
      if (at < 0) {
        ids.push(id);
        tfs.push(1);
      } else {
        tfs[at]++;
      }
    }
    return { ids, tfs, length: tfs.reduce((a, b) => a + b, 0) };
  }

  finish(): FinishedIndex {
    const n = this.documentCount;
    const termCount = this.terms.length;
    const documentsWithTerm = new Uint32Array(termCount);
    const text = group(this.text, termCount, this.textLengths, n, documentsWithTerm);
    const author = this.author ? group(this.author, termCount, this.authorLengths, n, null) : null;
    return { documentCount: n, terms: this.terms, text, author, documentsWithTerm };
  }
}

/** Counting sort of a log by term (stable: documents stay ascending within a term). */
function group(log: PostingLog, termCount: number, lengths: U32List, n: number, documentsWithTerm: Uint32Array | null): FieldPostings {
  const terms = log.terms.view();
  const offsets = new Uint32Array(termCount + 1);
  for (let i = 0; i < terms.length; i++) offsets[terms[i] + 1]++;
  for (let t = 0; t < termCount; t++) {
    if (documentsWithTerm) documentsWithTerm[t] += offsets[t + 1];
    offsets[t + 1] += offsets[t];
  }
  const cursor = offsets.slice(0, termCount);
  const docs = new Uint32Array(terms.length);
  const tfs = new Uint32Array(terms.length);
  const logDocs = log.docs.view();
  const logTfs = log.tfs.view();
  for (let i = 0; i < terms.length; i++) {
    const at = cursor[terms[i]]++;
    docs[at] = logDocs[i];
    tfs[at] = logTfs[i];
  }
  let sum = 0;
  const lengthView = lengths.view();
  const all = new Uint32Array(n);
  all.set(lengthView.subarray(0, Math.min(n, lengthView.length)));
  for (let d = 0; d < n; d++) sum += all[d];
  return { offsets, docs, tfs, lengths: all, average: sum / n };
}
