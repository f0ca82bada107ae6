// @ts-check
/*
 * chatchannels search: the order results are taken in, a page at a time: best first (by score),
 * or newest or oldest first (by time, loading only the times the page shown needs).
 */

/**
 * The next `size` documents from rank `from` on.
 * @typedef {(from: number, size: number) => Promise<number[]>} Take
 */

/** Pages ending within this many ranks are picked in one pass, without sorting every candidate. */
const PICK_MAX = 100;

/**
 * The first `k` ranks best first (candidate indexes, in order): by score, then the later document,
 * in one pass over the candidates.
 * @param {Int32Array} candidates
 * @param {Float64Array} scores the candidates' scores, in candidate order
 * @param {number} k
 * @returns {number[]}
 */
export function pickBest(candidates, scores, k) {
  /**
   * Whether candidate a ranks before candidate b.
   * @param {number} a
   * @param {number} b
   */
  const before = (a, b) => scores[a] > scores[b] || (scores[a] === scores[b] && candidates[a] > candidates[b]);
  /** @type {number[]} */
  const top = [];
  for (let i = 0; i < candidates.length; i++) {
    if (top.length === k && !before(i, top[k - 1])) continue;
    let at = top.length === k ? k - 1 : top.length;
    while (at > 0 && before(i, top[at - 1])) {
      top[at] = top[at - 1];
      at--;
    }
    top[at] = i;
  }
  return top;
}

/**
 * Best first: by score, then the later document. A first page is picked in one pass over the
 * candidates (pickBest: a common word's ten thousand: sorting them all, a cold comparator, cost the
 * first results tens of ms); a page further down sorts them all, once. Both follow one total order,
 * so every page is the same either way.
 * @param {Int32Array} candidates
 * @param {Float64Array} scores the candidates' scores, in candidate order
 * @returns {Take}
 */
export function takeBest(candidates, scores) {
  /** @type {number[] | null} */
  let sorted = null;
  return (from, size) => {
    const end = Math.min(from + size, candidates.length);
    if (!sorted && end <= PICK_MAX) {
      const top = end > 0 ? pickBest(candidates, scores, end) : [];
      return Promise.resolve(top.slice(from, end).map((i) => candidates[i]));
    }
    if (!sorted) {
      const at = new Array(candidates.length);
      for (let i = 0; i < at.length; i++) at[i] = i;
      at.sort((a, b) => scores[b] - scores[a] || candidates[b] - candidates[a]);
      sorted = at.map((i) => candidates[i]);
    }
    return Promise.resolve(sorted.slice(from, from + size));
  };
}

/**
 * Newest (or oldest) first. Documents are numbered by month (the base's, then the delta's), so
 * candidates put in slot order come month by month; inside the month where the page ends,
 * messages of different chats interleave: their times come from the documents themselves when
 * few, else from the month's time files.
 * @param {import('./documents.js').Documents} documents
 * @param {import('./view.js').View} m
 * @param {Int32Array} cand the candidates, ascending
 * @param {boolean} newest
 * @returns {Take}
 */
export function takeByTime(documents, m, cand, newest) {
  const n = cand.length;
  // Each candidate's slot, by rank in time order (candidates and groups both ascend: one walk).
  let keys = new Int32Array(n);
  for (let i = 0, g = 0; i < n; i++) {
    while (g + 1 < m.groupStart.length && m.groupStart[g + 1] <= cand[i]) g++;
    keys[i] = m.slots[m.groupSlot[g]].rank;
  }
  let ordered = cand;
  if (m.parts.length > 1) {
    // Base and delta candidates are each in slot order: merge them.
    let split = 0;
    while (split < n && cand[split] < m.parts[1].docBase) split++;
    const docs2 = new Int32Array(n), keys2 = new Int32Array(n);
    for (let a = 0, b = split, o = 0; o < n; o++) {
      const fromBase = a < split && (b >= n || keys[a] <= keys[b]);
      const at = fromBase ? a++ : b++;
      docs2[o] = cand[at];
      keys2[o] = keys[at];
    }
    ordered = docs2;
    keys = keys2;
  }
  /** @type {number[]} */
  const resolved = [];
  let pos = newest ? n : 0;
  /** @type {Promise<void>} */
  let pending = Promise.resolve();

  /**
   * Orders slot after slot until `need` documents are placed (or none are left).
   * @param {number} need
   * @returns {Promise<void>}
   */
  function step(need) {
    if (resolved.length >= need || (newest ? pos <= 0 : pos >= n)) return Promise.resolve();
    const key = keys[newest ? pos - 1 : pos];
    let lo, hi;
    if (newest) {
      hi = pos;
      lo = hi;
      while (lo > 0 && keys[lo - 1] === key) lo--;
      pos = lo;
    } else {
      lo = pos;
      hi = lo;
      while (hi < n && keys[hi] === key) hi++;
      pos = hi;
    }
    const slot = m.slotByRank[key];
    /** @type {number[]} */
    const docs = Array.prototype.slice.call(ordered.subarray(lo, hi));
    const shownHere = Math.min(docs.length, need - resolved.length);
    /** @type {Promise<((d: number) => number) | null>} */
    let times;
    if (docs.length === 1) {
      times = Promise.resolve(null);
    } else if (docs.length === shownHere || docs.length * 1200 <= slot.size) {
      // All of them are shown anyway, or their chunks cost less than the month's time files.
      times = Promise.all(docs.map((d) => documents.record(m, d))).then((records) => {
        /** @type {Map<number, number>} */
        const t = new Map();
        for (let i = 0; i < records.length; i++) t.set(records[i].doc, records[i].time / 1000);
        return (d) => /** @type {number} */ (t.get(d));
      });
    } else {
      times = Promise.all(slot.segments.map((seg) => documents.segmentTimes(m, seg))).then((ts) => (d) => {
        for (let s = 0; s < slot.segments.length; s++) {
          const seg = slot.segments[s];
          if (d >= seg.first && d < seg.end_) return ts[s][d - seg.first];
        }
        return 0;
      });
    }
    return times.then((timeOf) => {
      if (timeOf) {
        docs.sort((x, y) => {
          const dt = timeOf(x) - timeOf(y) || x - y;
          return newest ? -dt : dt;
        });
      }
      for (let i = 0; i < docs.length; i++) resolved.push(docs[i]);
      return step(need);
    });
  }

  return (from, size) => {
    pending = pending.then(() => step(from + size));
    return pending.then(() => resolved.slice(from, from + size));
  };
}
