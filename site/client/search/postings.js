// @ts-check
/*
 * chatchannels search: the postings of index terms (layouts: site/search/shards.ts t/ and p/).
 * A term bucket lists its terms with their weight classes; a rare term's postings follow inline,
 * a frequent one's are in part files, one document range each. Postings are decoded on demand.
 */
import { Reader } from './bytes.js';
import { cached } from './files.js';
import { bucketOf } from './pipeline.js';

/**
 * A term of a bucket.
 * @typedef {object} Entry
 * @property {string} term
 * @property {number} nText its text postings
 * @property {number} nAuthor its author postings
 * @property {number} parts 0: postings inline, at `at` of `bytes`; else the number of part files
 * @property {Float64Array | null} textW the text field's weight classes
 * @property {Float64Array | null} authorW
 * @property {Uint8Array} bytes the bucket
 * @property {number} at
 * @property {number} firstPart
 * @property {number[] | null} partStarts per part, its first document (from the index's first)
 * @property {number[] | null} firstChunks with part files: the doc-store chunks of the term's
 *   first page as a one-word query (site/search/shards.ts FIRST_PAGE: as a prefix when prefixable)
 */

/**
 * Documents (ids in the view) and their weights, ascending.
 * @typedef {{ docs: Int32Array, w: Float64Array }} PostingList
 */

/** @typedef {{ text: PostingList | null, author: PostingList | null }} FieldPostings */

/**
 * Where a term's bucket is: a part of a view, a parsed manifest, or what search.js knows of the base.
 * @typedef {{ prefix: string, buckets: number }} Where
 */

/**
 * Parses a term bucket into term → entry (postings decoded later, on demand).
 * @param {Uint8Array} bytes
 */
export function parseBucket(bytes) {
  const r = new Reader(bytes);
  /** @type {Map<string, Entry>} */
  const map = new Map();
  const n = r.uint();
  for (let k = 0; k < n; k++) {
    /** @type {Entry} */
    const e = { term: r.string(), nText: 0, nAuthor: 0, parts: 0, textW: null, authorW: null, bytes: bytes, at: 0, firstPart: 0, partStarts: null, firstChunks: null };
    e.nText = r.uint();
    e.nAuthor = r.uint();
    e.parts = r.uint();
    if (e.nText) e.textW = readClasses(r);
    if (e.nAuthor) e.authorW = readClasses(r);
    if (e.parts === 0) {
      e.at = r.i;
      skipPostings(r, e.nText, e.textW);
      skipPostings(r, e.nAuthor, e.authorW);
    } else {
      e.firstPart = r.uint();
      const starts = [0];
      for (let p = 1; p < e.parts; p++) starts.push(starts[p - 1] + r.uint());
      e.partStarts = starts;
      const chunks = [];
      for (let c = r.uint(), at = 0; c > 0; c--) chunks.push((at += r.uint()));
      e.firstChunks = chunks;
    }
    map.set(e.term, e);
  }
  return map;
}

/** @param {Reader} r */
function readClasses(r) {
  const n = r.uint();
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = r.uint() / 1000;
  return w;
}

/**
 * @param {Reader} r
 * @param {number} n
 * @param {Float64Array | null} classes
 */
function skipPostings(r, n, classes) {
  if (!n || !classes) return;
  r.skip(classes.length > 1 ? 2 * n : n);
}

/**
 * Reads n postings.
 * @param {Reader} r
 * @param {number} n
 * @param {Float64Array} classes
 * @param {number} base the document their gaps count from
 * @returns {PostingList}
 */
function readPostings(r, n, classes, base) {
  const docs = new Int32Array(n);
  const w = new Float64Array(n);
  let doc = base;
  for (let i = 0; i < n; i++) {
    doc += r.uint();
    docs[i] = doc;
  }
  if (classes.length > 1) for (let j = 0; j < n; j++) w[j] = classes[r.uint()];
  else w.fill(classes[0]);
  return { docs: docs, w: w };
}

/**
 * @param {PostingList[]} lists
 * @returns {PostingList}
 */
function concat(lists) {
  let n = 0;
  for (let i = 0; i < lists.length; i++) n += lists[i].docs.length;
  const docs = new Int32Array(n);
  const w = new Float64Array(n);
  let at = 0;
  for (let k = 0; k < lists.length; k++) {
    docs.set(lists[k].docs, at);
    w.set(lists[k].w, at);
    at += lists[k].docs.length;
  }
  return { docs: docs, w: w };
}

/** The terms and postings of a site's indexes, each bucket and list decoded once. */
export class Postings {
  /** @param {import('./files.js').DataFiles} files */
  constructor(files) {
    this.files = files;
    /** @type {Map<string, Promise<Map<string, Entry>>>} */
    this.buckets = new Map();
    /** @type {Map<string, Promise<Entry | null>>} */
    this.entries = new Map();
    /** @type {Map<string, Promise<FieldPostings>>} */
    this.lists = new Map();
  }

  /**
   * The bucket of `where` that holds `term`.
   * @param {Where} where
   * @param {string} term
   */
  bucket(where, term) {
    const key = where.prefix + 't/' + bucketOf(term, where.buckets);
    return cached(this.buckets, key, () => this.files.get(key).then(parseBucket));
  }

  /**
   * The entry of an index term in one index, or null when no message has it.
   * @param {Where} where
   * @param {string} term
   */
  entry(where, term) {
    return cached(this.entries, where.prefix + where.buckets + '\u0000' + term, () => this.bucket(where, term).then((map) => map.get(term) || null));
  }

  /**
   * The entries of every index term of `where` that begins with `prefix` (one bucket: pipeline.js bucketOf).
   * @param {Where} where
   * @param {string} prefix
   */
  withPrefix(where, prefix) {
    return this.bucket(where, prefix).then((map) => {
      /** @type {Entry[]} */
      const out = [];
      map.forEach((e, term) => {
        if (term.lastIndexOf(prefix, 0) === 0) out.push(e);
      });
      return out;
    });
  }

  /**
   * The postings of an entry of `part`, document ids in the view.
   * @param {import('./view.js').Part | { prefix: string, docBase: number }} part
   * @param {Entry} e
   * @returns {Promise<FieldPostings>}
   */
  of(part, e) {
    return cached(this.lists, part.prefix + e.term, () => {
      if (e.parts === 0) {
        const r = new Reader(e.bytes);
        r.i = e.at;
        return Promise.resolve({
          text: e.textW ? readPostings(r, e.nText, e.textW, part.docBase) : null,
          author: e.authorW ? readPostings(r, e.nAuthor, e.authorW, part.docBase) : null,
        });
      }
      const starts = e.partStarts || [];
      const loads = [];
      for (let p = 0; p < e.parts; p++) loads.push(this.files.get(part.prefix + 'p/' + (e.firstPart + p)));
      return Promise.all(loads).then((parts) => {
        /** @type {PostingList[]} */
        const text = [], author = [];
        for (let p = 0; p < parts.length; p++) {
          const r = new Reader(parts[p]);
          const nt = r.uint(), na = r.uint();
          if (nt && e.textW) text.push(readPostings(r, nt, e.textW, part.docBase + starts[p]));
          if (na && e.authorW) author.push(readPostings(r, na, e.authorW, part.docBase + starts[p]));
        }
        return { text: e.nText ? concat(text) : null, author: e.nAuthor ? concat(author) : null };
      });
    });
  }
}
