// @ts-check
/*
 * chatchannels search: scoring, exactly as one Lunr index over every message's text would (Lunr's
 * BM25 weights are stored per posting; a score is the sum of boost × weight over the query's
 * terms, divided by the query vector's magnitude), then the filters, the exclusions and the
 * 'all'/'any' rule pick the results. Only the text field scores: the author field serves the
 * author: filter.
 */
import { takeBest, takeByTime } from './order.js';

/**
 * @typedef {object} SearchResult
 * @property {import('./query.js').ParsedQuery} query
 * @property {number} count
 * @property {'all' | 'any'} mode
 * @property {'best' | 'newest' | 'oldest'} [sort]
 * @property {string} reason 'ok', 'none', 'empty' (nothing typed) or 'stopwords'
 * @property {string[]} notes what was ignored, for the person searching
 * @property {string[]} terms the index terms that matched (what snippets highlight)
 * @property {string[]} missing query terms no message has
 * @property {Int32Array} [candidates]
 * @property {Float64Array} [score] per document of the view (the candidates' scores; built when
 *   first read: ordering uses the candidates' own)
 * @property {import('./order.js').Take} take
 * @property {(doc: number) => Promise<import('./documents.js').SearchRecord>} document
 *   A document of this result's index (stays right when a newer delta arrives meanwhile).
 */

/** Postings a query merges by sorting (more: per-document tables); a key is document × this + arrival index, exact in a double up to 2^31 documents. */
const SPARSE_MAX = 1 << 21;

/**
 * @typedef {object} SearchOptions
 * @property {string} [sort] 'best' | 'newest' | 'oldest'
 * @property {string} [timeZone]
 * @property {string} [mode] 'all' | 'any'
 * @property {number} [prefetchDocs] the first page's size, to load a rare word's snippets early
 */

/**
 * Scores, filters and orders; returns a Result. `matches`: query term → the index terms it
 * matches.
 * @param {import('./documents.js').Documents} documents
 * @param {import('./view.js').View} m
 * @param {import('./query.js').ParsedQuery} q
 * @param {import('./query.js').QueryPlan} plan
 * @param {Map<string, string[]>} matches
 * @param {import('./filter.js').TermPostings} postings
 * @param {Uint8Array | null} allow
 * @param {SearchOptions} options
 * @param {string[]} notes
 * @returns {SearchResult}
 */
export function evaluate(documents, m, q, plan, matches, postings, allow, options, notes) {
  const order = plan.order, boosts = plan.boosts, excluded = plan.excluded;
  const n = m.docs;
  const dead = m.dead;
  /** @param {string} t */
  const textOf = (t) => (matches.get(t) || []).filter((it) => (postings.get(it) || []).some((p) => p.lists.text));
  const found = order.filter((t) => textOf(t).length > 0);
  const missing = order.filter((t) => textOf(t).length === 0);
  /** @type {string[]} */
  const matched = [];
  const mode = options.mode === 'any' ? 'any' : 'all';
  /** @param {string} t */
  const boostOf = (t) => /** @type {number} */ (boosts.get(t));
  let magnitude = 0;
  for (let i = 0; i < found.length; i++) magnitude += boostOf(found[i]) * boostOf(found[i]);
  magnitude = Math.sqrt(magnitude);

  // The text postings of each found query term (a prefix: of every index term it begins).
  const lists = found.map((t) => {
    /** @type {import('./postings.js').PostingList[]} */
    const out = [];
    textOf(t).forEach((it) => {
      if (matched.indexOf(it) < 0) matched.push(it);
      (postings.get(it) || []).forEach((p) => { if (p.lists.text) out.push(p.lists.text); });
    });
    return out;
  });
  // Documents some posting reached, each once in document order, with their summed score and the
  // query terms that reached them (bits): a merge of the postings sorted by document. Dense
  // per-document tables (12 bytes × every message of the site) cost a first query more than its
  // scoring: their memory pages are touched all over, slow on a loaded machine.
  let reached = 0;
  for (let i = 0; i < lists.length; i++) for (let x = 0; x < lists[i].length; x++) reached += lists[i][x].docs.length;
  const sparse = reached < SPARSE_MAX;
  const score = sparse ? null : new Float64Array(n);
  const hits = sparse ? null : new Uint32Array(n);
  const touched = new Int32Array(reached);
  const touchedScore = sparse ? new Float64Array(reached) : null;
  const touchedHits = sparse ? new Uint32Array(reached) : null;
  let nTouched = 0;
  if (touchedScore && touchedHits) {
    // key = document × SPARSE_MAX + arrival index: sorting keeps each document's postings in arrival order, so sums match the dense ones bit for bit.
    const keys = new Float64Array(reached), weight = new Float64Array(reached), bits = new Uint32Array(reached);
    let k = 0;
    for (let i = 0; i < found.length; i++) {
      const boost = boostOf(found[i]);
      const bit = 1 << i;
      for (let x = 0; x < lists[i].length; x++) {
        const list = lists[i][x];
        for (let j = 0; j < list.docs.length; j++, k++) {
          keys[k] = list.docs[j] * SPARSE_MAX + k;
          weight[k] = boost * list.w[j];
          bits[k] = bit;
        }
      }
    }
    keys.sort();
    let previous = -1;
    for (let t = 0; t < reached; t++) {
      const d = Math.floor(keys[t] / SPARSE_MAX);
      const at = keys[t] - d * SPARSE_MAX;
      if (d !== previous) {
        touched[nTouched] = d;
        touchedScore[nTouched] = 0;
        touchedHits[nTouched++] = 0;
        previous = d;
      }
      touchedScore[nTouched - 1] += weight[at];
      touchedHits[nTouched - 1] |= bits[at];
    }
  } else if (score && hits) {
    for (let i = 0; i < found.length; i++) {
      const boost = boostOf(found[i]);
      const bit = 1 << i;
      for (let x = 0; x < lists[i].length; x++) {
        const list = lists[i][x];
        for (let j = 0; j < list.docs.length; j++) {
          const d = list.docs[j];
          if (hits[d] === 0) touched[nTouched++] = d;
          score[d] += boost * list.w[j];
          hits[d] |= bit;
        }
      }
    }
  }
  /** @type {Uint8Array | null} */
  let banned = null;
  for (let i = 0; i < excluded.length; i++) {
    const ex = postings.get(excluded[i]) || [];
    for (let y = 0; y < ex.length; y++) {
      const text = ex[y].lists.text;
      if (!text) continue;
      banned = banned || new Uint8Array(n);
      const exDocs = text.docs;
      for (let k = 0; k < exDocs.length; k++) banned[exDocs[k]] = 1;
    }
  }

  const all = found.length === 0 ? 0 : found.length >= 32 ? 0xffffffff : (1 << found.length) - 1;
  let count = 0;
  let out;
  /** The candidates' scores, in candidate order. @type {Float64Array | null} */
  let scores = null;
  /**
   * @param {number} d
   * @param {number} h the query terms that reached it
   */
  const keep = (d, h) => {
    if (h === 0) return false;
    if (mode === 'all' && (h >>> 0) !== (all >>> 0)) return false;
    if (allow && allow[d] !== 1) return false;
    if (banned && banned[d]) return false;
    return !(dead && dead[d]);
  };
  if (order.length === 0) {
    // Filters only: every message they let through.
    out = new Int32Array(n);
    for (let d = 0; d < n; d++) if ((!allow || allow[d] === 1) && !(banned && banned[d]) && !(dead && dead[d])) out[count++] = d;
  } else if (mode === 'all' && missing.length > 0) {
    out = new Int32Array(0);
  } else if (touchedScore && touchedHits) {
    out = touched;
    scores = touchedScore;
    for (let t = 0; t < nTouched; t++) {
      if (!keep(touched[t], touchedHits[t])) continue;
      out[count] = touched[t];
      scores[count++] = touchedScore[t];
    }
  } else {
    const h = /** @type {Uint32Array} */ (hits);
    out = touched.subarray(0, nTouched).sort();
    for (let t = 0; t < nTouched; t++) if (keep(out[t], h[out[t]])) out[count++] = out[t];
  }
  const candidates = out.subarray(0, count);
  const sort = options.sort === 'newest' || options.sort === 'oldest' ? options.sort : order.length ? 'best' : 'newest';
  if (score) {
    if (magnitude > 0) for (let i = 0; i < count; i++) score[candidates[i]] /= magnitude;
    if (sort === 'best') {
      scores = new Float64Array(count);
      for (let i = 0; i < count; i++) scores[i] = score[candidates[i]];
    }
  } else if (scores && magnitude > 0) {
    for (let i = 0; i < count; i++) scores[i] /= magnitude;
  }
  const own = scores ? scores.subarray(0, count) : null;
  /** @type {Float64Array | null} */
  let dense = score;

  return {
    query: q,
    count: count,
    mode: mode,
    sort: sort,
    notes: notes,
    terms: matched,
    missing: missing,
    reason: count ? 'ok' : 'none',
    candidates: candidates,
    get score() {
      if (!dense) {
        dense = new Float64Array(n);
        if (own) for (let i = 0; i < count; i++) dense[candidates[i]] = own[i];
      }
      return dense;
    },
    take: sort === 'best' ? takeBest(candidates, own || new Float64Array(count)) : takeByTime(documents, m, candidates, sort === 'newest'),
    document: (doc) => documents.record(m, doc),
  };
}
