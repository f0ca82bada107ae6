// @ts-check
/*
 * chatchannels search: the chat, author and date filters, as a mask over a view's documents.
 * Whole slots inside the date range pass at once; only the slots at its edges need their times.
 */
import { slotGroups } from './view.js';

/**
 * Index term → its postings in each index of the view that has it.
 * @typedef {Map<string, { entry: import('./postings.js').Entry, part: import('./view.js').Part, lists: import('./postings.js').FieldPostings }[]>} TermPostings
 */

/**
 * Chats a `chat:` value names: by slug, else every chat whose title holds all its terms.
 * @param {import('./pipeline.js').Pipeline} pipeline
 * @param {import('./view.js').View} m
 * @param {string} value
 */
function chatsNamed(pipeline, m, value) {
  const v = String(value).trim();
  /** @type {number[]} */
  const found = [];
  const lower = v.toLowerCase();
  for (let i = 0; i < m.chats.length; i++) if (m.chats[i].slug === lower) found.push(i);
  if (found.length) return found;
  const want = pipeline.terms(v, false);
  if (!want.length) return found;
  for (let c = 0; c < m.chats.length; c++) {
    const have = m.chats[c].terms || (m.chats[c].terms = new Set(pipeline.terms(m.chats[c].title, false)));
    let all = true;
    for (let k = 0; k < want.length && all; k++) all = have.has(want[k]);
    if (all) found.push(c);
  }
  return found;
}

/**
 * Uint8Array(docs) of documents the chat/author/date filters let through (1), or null (all).
 * @param {import('./documents.js').Documents} documents
 * @param {import('./pipeline.js').Pipeline} pipeline
 * @param {import('./view.js').View} m
 * @param {string[]} chats the chat: values
 * @param {string[][]} authorTerms per author: value, its terms
 * @param {TermPostings} postings
 * @param {number | null} after
 * @param {number | null} before
 * @returns {Promise<Uint8Array | null>}
 */
export function filterMask(documents, pipeline, m, chats, authorTerms, postings, after, before) {
  const n = m.docs;
  if (!chats.length && !authorTerms.length && after === null && before === null) return Promise.resolve(null);
  const allow = new Uint8Array(n);
  /** @type {Uint8Array | null} */
  let chatOk = null;
  if (chats.length) {
    chatOk = new Uint8Array(m.chats.length);
    for (let i = 0; i < chats.length; i++) {
      const named = chatsNamed(pipeline, m, chats[i]);
      for (let k = 0; k < named.length; k++) chatOk[named[k]] = 1;
    }
  }
  const lo = after === null ? -Infinity : after;
  const hi = before === null ? Infinity : before;
  /** @type {import('./view.js').Segment[]} */
  const partial = [];
  const bySlot = slotGroups(m);
  for (let s = 0; s < m.slots.length; s++) {
    const slot = m.slots[s];
    if (slot.end <= lo || slot.start >= hi) continue;
    const whole = slot.start >= lo && slot.end <= hi;
    for (let g = 0; g < bySlot[s].length; g++) {
      const gi = bySlot[s][g];
      if (chatOk && !chatOk[m.groupChat[gi]]) continue;
      allow.fill(whole ? 1 : 2, m.groupStart[gi], m.groupStart[gi] + m.groupCount[gi]);
    }
    if (!whole) for (let sg = 0; sg < slot.segments.length; sg++) partial.push(slot.segments[sg]);
  }
  const loSeconds = lo / 1000, hiSeconds = hi / 1000;
  return Promise.all(partial.map((seg) => documents.segmentTimes(m, seg))).then((times) => {
    for (let p = 0; p < partial.length; p++) {
      const seg = partial[p];
      const t = times[p];
      for (let d = seg.first; d < seg.end_; d++) {
        if (allow[d] === 2) allow[d] = t[d - seg.first] >= loSeconds && t[d - seg.first] < hiSeconds ? 1 : 0;
      }
    }
    if (authorTerms.length) {
      // author:x — every term of x in the author field; several author: filters — any of them.
      const byAuthor = new Uint8Array(n);
      for (let a = 0; a < authorTerms.length; a++) {
        const ts = authorTerms[a];
        const count = new Uint8Array(n);
        let ok = true;
        for (let k = 0; k < ts.length && ok; k++) {
          const got = postings.get(ts[k]) || [];
          ok = false;
          for (let x = 0; x < got.length; x++) {
            const author = got[x].lists.author;
            if (!author) continue;
            ok = true;
            const docs = author.docs;
            for (let j = 0; j < docs.length; j++) if (count[docs[j]] === k) count[docs[j]] = k + 1;
          }
        }
        if (!ok) continue;
        for (let d = 0; d < n; d++) if (count[d] === ts.length) byAuthor[d] = 1;
      }
      for (let d = 0; d < n; d++) allow[d] = allow[d] === 1 && byAuthor[d] ? 1 : 0;
    }
    return allow;
  });
}
