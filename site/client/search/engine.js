// @ts-check
/*
 * chatchannels search: the engine. Loads only the data files a query needs (term buckets and
 * parts, the manifest, the doc-store chunks of the hits shown, sometimes a month's time file),
 * scores as one Lunr index over every message's text would (score.js), filters and orders. The
 * last word typed also matches as a prefix (its terms' union counts as one query term). No DOM:
 * ui.js drives it in the browser, the tests drive it in Node. Data layouts: site/search/shards.ts.
 *
 * An index is the base plus, when search/data/delta.js names one, a delta (site/search/delta.ts),
 * searched as one index: a view (view.js).
 */
import { parseDate } from './dates.js';
import { Documents } from './documents.js';
import { DataFiles } from './files.js';
import { filterMask } from './filter.js';
import { Manifests } from './manifest.js';
import { pickBest } from './order.js';
import { createPipeline, prefixable } from './pipeline.js';
import { Postings } from './postings.js';
import { MAX_TERMS, parseQuery, planQuery } from './query.js';
import { evaluate } from './score.js';
import { snippet } from './snippet.js';
import { makeView } from './view.js';

/** How long a prefetched delta manifest stays good for the next query (ms); also one handed over (loader.js). */
export const PREFETCH_FRESH = 10000;

/**
 * The documents of the first page whose chunks a frequent word's bucket entry names (postings.js
 * firstChunks; site/search/shards.ts FIRST_PAGE).
 */
const STORED_PAGE = 10;

/**
 * At most this many postings for a word whose first page is picked from its bucket alone
 * (prefetchDocs); a frequent word's, in part files, are decoded for the search anyway.
 */
const PREDICT_MAX = 2000;

/**
 * @typedef {object} EngineOptions
 * @property {import('./files.js').Load} load the base64 payload of a data file
 * @property {{ buckets: number, docChunk?: number } | null} [info] what the page knows of the
 *   base index before its manifest (search.js carries it): a query's term buckets then load
 *   beside the manifest.
 * @property {(word: string) => string} stem Lunr's (bundled with the client)
 * @property {(word: string) => boolean} isStopWord Lunr's
 */

/** @typedef {{ chat?: string, author?: string, after?: string, before?: string }} SearchFilters */

export class Engine {
  /** @param {EngineOptions} options */
  constructor(options) {
    this.info = options.info || null;
    this.pipeline = createPipeline(options.stem, options.isStopWord);
    this.files = new DataFiles(options.load);
    this.manifests = new Manifests(this.files);
    this.postings = new Postings(this.files);
    this.documents = new Documents(this.files);
    /** @type {{ at: number, delta: Promise<import('./manifest.js').Manifest | null> } | null} */
    this.prefetched = null;
    /** @type {Promise<import('./view.js').View> | null} */
    this.latest = null;
    /** @type {{ key: string, base: import('./manifest.js').Manifest, view: import('./view.js').View } | null} */
    this.viewCache = null;
  }

  /**
   * Starts loading what a query for `text` will need (the manifests, its terms' buckets), so that
   * the search that follows finds them loaded or on their way. The next search within a few
   * seconds uses the delta manifest loaded here. `postings`: `text` is the query that runs next
   * (a page opened with ?q=), so the part files of its frequent terms load too, as the bucket
   * arrives (prefetchPostings); not while someone types, when a word may still change. `page`:
   * that search's filters and options (the page's URL): a single word's first page then loads
   * with its bucket too (firstPage), without waiting for the page to be parsed and the search to run.
   * @param {string} text
   * @param {boolean} [postings]
   * @param {{ filters: SearchFilters, options: import('./score.js').SearchOptions }} [page]
   */
  prefetch(text, postings, page) {
    // The base's term buckets first: a rare word's snippets wait on its bucket, then one more
    // round trip (search prefetchDocs), while the manifests are only needed once those arrive.
    const q = postings && page ? withFilters(parseQuery(text), page.filters) : parseQuery(text);
    const terms = this.termsOf(q.words.join(' '));
    const info = this.info;
    const plan = postings ? planQuery(this.pipeline, q) : null;
    const buckets = info ? this.prefetchPostings(info.buckets, plan ? wanted(plan) : terms, plan ? plan.prefix : null, !!plan) : null;
    if (plan && page) this.firstPage(q, plan, q.after !== null || q.before !== null, page.options);
    this.manifests.base(buckets).catch(() => {});
    if (!this.prefetched || Date.now() - this.prefetched.at > PREFETCH_FRESH) this.prefetched = { at: Date.now(), delta: this.manifests.delta() };
    this.prefetched.delta.then((d) => {
      if (d) terms.forEach((t) => { this.postings.entry(d, t).catch(() => {}); });
    }, () => {});
  }

  /**
   * A rare single word: its bucket tells its first page, so the page's snippets can load as soon
   * as the bucket is read, beside the manifests (prefetchDocs). `dated`: the query has a time filter.
   * @param {import('./query.js').ParsedQuery} q
   * @param {import('./query.js').QueryPlan} plan
   * @param {boolean} dated
   * @param {import('./score.js').SearchOptions} opts
   */
  firstPage(q, plan, dated, opts) {
    const info = this.info;
    const hasFilter = q.chats.length > 0 || plan.authorTerms.length > 0 || dated;
    if (info && info.docChunk && opts.prefetchDocs && plan.order.length === 1 && !plan.excluded.length && !hasFilter) {
      const best = (opts.sort || 'best') === 'best' && opts.mode !== 'any';
      this.prefetchDocs({ prefix: '', buckets: info.buckets, docBase: 0, docChunk: info.docChunk }, plan.order[0], plan.order[0] === plan.prefix, opts.prefetchDocs, best);
    }
  }

  /**
   * The index a query runs on: the base and the current delta merged (view.js makeView), rebuilt
   * only when the delta changed. `after`: the base manifest is read once that settles (Manifests.base).
   * @param {Promise<unknown> | null} [after]
   */
  view(after) {
    const fresh = this.prefetched && Date.now() - this.prefetched.at <= PREFETCH_FRESH;
    const delta = fresh && this.prefetched ? this.prefetched.delta : this.manifests.delta();
    this.prefetched = null;
    const promise = Promise.all([this.manifests.base(after), delta]).then((got) => {
      const base = got[0];
      const d = got[1] && got[1].info.base === base.info.version ? got[1] : null;
      const key = d ? d.info.version : '';
      if (!this.viewCache || this.viewCache.key !== key || this.viewCache.base !== base) {
        this.viewCache = { key: key, base: base, view: makeView(base, d) };
      }
      return this.viewCache.view;
    });
    this.latest = promise;
    return promise;
  }

  /**
   * A document of the latest query's index (a Result's own `document` is safer across deltas).
   * @param {number} doc
   */
  document(doc) {
    return (this.latest || this.view()).then((m) => this.documents.record(m, doc));
  }

  /**
   * Index terms of some query text (CJK as bigrams).
   * @param {string} text
   */
  termsOf(text) {
    return this.pipeline.terms(text, true);
  }

  /**
   * The part of `text` to show, its words matching `terms` marked (snippet.js).
   * @param {string} text
   * @param {string[]} terms
   * @param {number} [size]
   */
  snippet(text, terms, size) {
    return snippet(this.pipeline, text, terms, size);
  }

  /**
   * Runs a query. `input`: what was typed; `filters`: { chat: slug, author, after, before } from
   * the form (merged with the typed ones); `options`: { sort: 'best'|'newest'|'oldest',
   * timeZone, mode: 'all'|'any', prefetchDocs: the first page's size, to load a rare word's
   * snippets early }. Resolves to a Result (score.js); never rejects for a bad query, only when
   * data files cannot be loaded.
   * @param {string} input
   * @param {SearchFilters} [filters]
   * @param {import('./score.js').SearchOptions} [options]
   * @returns {Promise<import('./score.js').SearchResult>}
   */
  search(input, filters, options) {
    filters = filters || {};
    const opts = options || {};
    const q = withFilters(parseQuery(input), filters);
    /** @type {string[]} */
    const notes = [];
    const zone = opts.timeZone || 'UTC';
    const after = q.after ? parseDate(q.after, zone) : null;
    const before = q.before ? parseDate(q.before, zone) : null;
    if (q.after && after === null) notes.push('ignored after:' + q.after + ' (use YYYY-MM-DD)');
    if (q.before && before === null) notes.push('ignored before:' + q.before + ' (use YYYY-MM-DD)');

    // Positive terms with their boosts (a repeated term adds up, as in Lunr's query vector).
    const plan = planQuery(this.pipeline, q);
    const order = plan.order, prefix = plan.prefix, authorTerms = plan.authorTerms;
    if (order.length >= MAX_TERMS) notes.push('only the first ' + MAX_TERMS + ' words were used');
    const hasFilter = q.chats.length > 0 || authorTerms.length > 0 || after !== null || before !== null;
    if (order.length === 0 && !hasFilter) {
      return Promise.resolve(this.emptyResult(q, notes, q.words.length ? 'stopwords' : 'empty'));
    }

    const want = wanted(plan);
    const info = this.info;
    const buckets = info ? this.prefetchPostings(info.buckets, want, prefix, true) : null;
    this.firstPage(q, plan, after !== null || before !== null, opts);
    return this.view(buckets).then((m) => Promise.all(m.parts.map((part) => Promise.all(want.map((t) => {
      if (t === prefix) return this.postings.withPrefix(part, t);
      return this.postings.entry(part, t).then((e) => (e ? [e] : []));
    })))).then((found) => {
      /** @type {{ term: string, part: import('./view.js').Part, entry: import('./postings.js').Entry }[]} */
      const needed = [];
      // query term → the index terms it matches (itself, or for the prefix every term it begins)
      /** @type {Map<string, string[]>} */
      const matches = new Map();
      for (let p = 0; p < m.parts.length; p++) {
        for (let k = 0; k < want.length; k++) {
          let terms = matches.get(want[k]);
          if (!terms) matches.set(want[k], (terms = []));
          for (let x = 0; x < found[p][k].length; x++) {
            const e = found[p][k][x];
            needed.push({ term: e.term, part: m.parts[p], entry: e });
            if (terms.indexOf(e.term) < 0) terms.push(e.term);
          }
        }
      }
      return Promise.all(needed.map((n) => this.postings.of(n.part, n.entry))).then((lists) => {
        /** @type {import('./filter.js').TermPostings} */
        const postings = new Map();
        const seenAt = new Set();
        for (let i = 0; i < needed.length; i++) {
          // The prefix's own term can also be asked for exactly (an author: value, an exclusion).
          const at = needed[i].part.index + '\u0000' + needed[i].term;
          if (seenAt.has(at)) continue;
          seenAt.add(at);
          let list = postings.get(needed[i].term);
          if (!list) postings.set(needed[i].term, (list = []));
          list.push({ entry: needed[i].entry, part: needed[i].part, lists: lists[i] });
        }
        return filterMask(this.documents, this.pipeline, m, q.chats, authorTerms, postings, after, before).then((allow) => evaluate(this.documents, m, q, plan, matches, postings, allow, opts, notes));
      });
    }));
  }

  /**
   * Starts loading the base's postings of the query terms `want` (`prefix`: the one that also
   * matches as a prefix) without its manifest, when search.js knows the base's bucket count
   * (`buckets`): their buckets, and with `parts`, as each arrives, the part files of its frequent
   * terms. A common word's postings then need not wait for the manifests (the base is always the
   * view's first part: document ids from 0). These are the files the search reads, and no others.
   * @param {number} buckets
   * @param {string[]} want
   * @param {string | null} prefix
   * @param {boolean} parts
   * @returns {Promise<void>} settles (never rejects) once those buckets are read and their part
   *   files asked for
   */
  prefetchPostings(buckets, want, prefix, parts) {
    const noop = () => {};
    const base = { prefix: '', buckets: buckets, docBase: 0 };
    return Promise.all(want.map((t) => {
      const entries = t === prefix ? this.postings.withPrefix(base, t) : this.postings.entry(base, t).then((e) => (e ? [e] : []));
      return entries.then((list) => {
        if (parts) list.forEach((e) => { if (e.parts) this.postings.of(base, e).catch(noop); });
      }, noop);
    })).then(noop);
  }

  /**
   * The Result of a query with nothing to look for.
   * @param {import('./query.js').ParsedQuery} q
   * @param {string[]} notes
   * @param {string} reason
   * @returns {import('./score.js').SearchResult}
   */
  emptyResult(q, notes, reason) {
    return {
      query: q, count: 0, mode: 'all', reason: reason, notes: notes, terms: [], missing: [],
      take: () => Promise.resolve([]),
      document: (doc) => this.document(doc),
    };
  }

  /**
   * Loads the doc-store chunks of the first page (`limit` messages) of a one-word query from the
   * postings of the word (`asPrefix`: of every term it begins), before the manifests and the
   * scoring: all its messages when it has at most `limit`, whatever the order; else, for the
   * best-first order (`best`), the `limit` best-scored, up to PREDICT_MAX postings when all are in
   * their buckets, any number when some are in part files (the search decodes those same lists:
   * prefetchPostings), or at once, beside those files, the chunks the word's own bucket entry names
   * when the word itself has part files (postings.js firstChunks). With one query term a message's score is its weights' sum, and ties put the
   * later document first (order.js takeBest), so the page is the one the search then shows; only a
   * delta can change it, and then a chunk or two load in vain.
   * @param {{ prefix: string, buckets: number, docBase: number, docChunk: number }} part
   * @param {string} term
   * @param {boolean} asPrefix
   * @param {number} limit
   * @param {boolean} best
   */
  prefetchDocs(part, term, asPrefix, limit, best) {
    const noop = () => {};
    const entries = asPrefix ? this.postings.withPrefix(part, term) : this.postings.entry(part, term).then((e) => (e ? [e] : []));
    entries.then((list) => {
      let total = 0, inBuckets = true;
      for (let i = 0; i < list.length; i++) {
        if (list[i].parts !== 0) inBuckets = false;
        total += list[i].nText;
      }
      if (!total || (total > limit && (!best || (inBuckets && total > PREDICT_MAX)))) return;
      // A frequent word's bucket names its first page's chunks (the page of the word as a prefix
      // when it can be one): they load now, beside its part files, not after them.
      const own = !inBuckets && total > limit && limit <= STORED_PAGE && asPrefix === prefixable(term) ? list.find((e) => e.term === term) : null;
      if (own && own.firstChunks) {
        own.firstChunks.forEach((c) => { this.documents.chunk(part, c).catch(noop); });
        return;
      }
      return Promise.all(list.map((e) => this.postings.of(part, e))).then((found) => {
        // The page the search will show: its own order (order.js), over these scores. At once, in
        // this turn: the search's own scoring, in a later one, need not be waited for.
        const texts = /** @type {import('./postings.js').PostingList[]} */ (found.map((f) => f.text).filter((t) => t !== null));
        if (!texts.length) return;
        const sum = sumLists(texts);
        pickBest(sum.docs, sum.w, limit).forEach((i) => { this.documents.chunk(part, Math.floor(sum.docs[i] / part.docChunk)).catch(noop); });
      });
    }).catch(noop);
  }
}

/**
 * The documents of some posting lists (one at least), each once, with their weights summed: the
 * longest list as it is, the others' weights added to it (its documents ascend: binary search) or
 * after it.
 * @param {import('./postings.js').PostingList[]} lists
 * @returns {import('./postings.js').PostingList}
 */
function sumLists(lists) {
  let big = 0;
  for (let i = 1; i < lists.length; i++) if (lists[i].docs.length > lists[big].docs.length) big = i;
  const docs = lists[big].docs, w = Float64Array.from(lists[big].w);
  /** @type {Map<number, number>} */
  const rest = new Map();
  for (let i = 0; i < lists.length; i++) {
    for (let j = 0; i !== big && j < lists[i].docs.length; j++) {
      const d = lists[i].docs[j];
      let lo = 0, hi = docs.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (docs[mid] < d) lo = mid + 1;
        else hi = mid;
      }
      if (docs[lo] === d) w[lo] += lists[i].w[j];
      else rest.set(d, (rest.get(d) || 0) + lists[i].w[j]);
    }
  }
  if (!rest.size) return { docs: docs, w: w };
  const all = { docs: new Int32Array(docs.length + rest.size), w: new Float64Array(docs.length + rest.size) };
  all.docs.set(docs);
  all.w.set(w);
  let k = docs.length;
  rest.forEach((x, d) => {
    all.docs[k] = d;
    all.w[k++] = x;
  });
  return all;
}

/**
 * A parsed query with the form's filters (`filters`: { chat: slug, author, after, before }) added.
 * @param {import('./query.js').ParsedQuery} q
 * @param {SearchFilters} filters
 */
function withFilters(q, filters) {
  if (filters.chat) q.chats.push(filters.chat);
  if (filters.author && String(filters.author).trim()) q.authors.push(filters.author);
  if (filters.after) q.after = filters.after;
  if (filters.before) q.before = filters.before;
  return q;
}

/**
 * The index terms a query's plan reads postings of, each once: its terms, the excluded ones and
 * the author: ones.
 * @param {import('./query.js').QueryPlan} plan
 * @returns {string[]}
 */
function wanted(plan) {
  return Array.from(new Set(plan.order.concat(plan.excluded, ...plan.authorTerms)));
}
