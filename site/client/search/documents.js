// @ts-check
/*
 * chatchannels search: the documents of the hits shown (layouts: site/search/shards.ts d/ and
 * m/): doc-store chunks of consecutive documents, and a slot's times, for ordering by time.
 */
import { Reader } from './bytes.js';
import { cached } from './files.js';
import { pagePath } from './periods.js';
import { groupOf, partOf } from './view.js';

/**
 * @typedef {object} Chunk
 * @property {string[]} anchors
 * @property {string[]} names
 * @property {number[]} who per document, its author's index in names + 1 (0: none)
 * @property {number[]} times
 * @property {string[]} texts
 */

/**
 * A document's display record.
 * @typedef {object} SearchRecord
 * @property {number} doc
 * @property {import('./view.js').Chat} chat
 * @property {string | null} author
 * @property {number} time
 * @property {string} text
 * @property {string} anchor
 * @property {string} path site-root-relative: `chats/<slug>/<page>/#<anchor>`
 */

/** The doc-store chunks and time files of a site's indexes, each decoded once. */
export class Documents {
  /** @param {import('./files.js').DataFiles} files */
  constructor(files) {
    this.files = files;
    /** @type {Map<string, Promise<Float64Array>>} */
    this.times = new Map();
    /** @type {Map<string, Promise<Chunk>>} */
    this.chunks = new Map();
  }

  /**
   * Seconds of each document of a slot's segment (indexed by doc - seg.first).
   * @param {import('./view.js').View} m
   * @param {import('./view.js').Segment} seg
   */
  segmentTimes(m, seg) {
    const part = m.parts[seg.part];
    return cached(this.times, part.prefix + seg.local, () => this.files.get(part.prefix + 'm/' + seg.local).then((bytes) => {
      const r = new Reader(bytes);
      const n = seg.end_ - seg.first;
      const t = new Float64Array(n);
      let previous = 0;
      for (let i = 0; i < n; i++) t[i] = previous = previous + r.int();
      return t;
    }));
  }

  /**
   * Doc-store chunk `chunk` of an index.
   * @param {{ prefix: string }} part
   * @param {number} chunk
   */
  chunk(part, chunk) {
    const key = part.prefix + 'd/' + chunk;
    return cached(this.chunks, key, () => this.files.get(key).then((bytes) => {
      const r = new Reader(bytes);
      const n = r.uint();
      /** @type {Chunk} */
      const c = { anchors: [], names: [], who: [], times: [], texts: [] };
      for (let i = 0; i < n; i++) c.anchors.push(r.string());
      const nn = r.uint();
      for (let i = 0; i < nn; i++) c.names.push(r.string());
      for (let i = 0; i < n; i++) c.who.push(r.uint());
      let previous = 0;
      for (let i = 0; i < n; i++) c.times.push((previous = previous + r.int()));
      for (let i = 0; i < n; i++) c.texts.push(r.string());
      return c;
    }));
  }

  /**
   * Document `doc` of view `m`.
   * @param {import('./view.js').View} m
   * @param {number} doc
   * @returns {Promise<SearchRecord>}
   */
  record(m, doc) {
    const part = partOf(m, doc);
    const local = doc - part.docBase;
    return this.chunk(part, Math.floor(local / part.docChunk)).then((c) => {
      const i = local % part.docChunk;
      const g = groupOf(m, doc);
      const chat = m.chats[m.groupChat[g]];
      const slot = m.slots[m.groupSlot[g]];
      const time = c.times[i];
      return {
        doc: doc,
        chat: chat,
        author: c.who[i] ? c.names[c.who[i] - 1] : null,
        time: time,
        text: c.texts[i],
        anchor: c.anchors[i],
        path: 'chats/' + chat.slug + '/' + pagePath(slot.label, m.groupByDay[g], time) + '#' + c.anchors[i],
      };
    });
  }
}
