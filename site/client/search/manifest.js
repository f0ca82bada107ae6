// @ts-check
/*
 * chatchannels search: an index's manifest (layout: site/search/shards.ts), and the two an engine
 * reads: the base's, once, and the delta's (search/data/delta.js, site/search/delta.ts), afresh
 * for every query.
 */
import { Reader, decodePayload } from './bytes.js';

/** @typedef {import('../../search/format.js').ManifestJson} ManifestJson */

/**
 * The layout version this client reads: the writer's FORMAT_VERSION (the type makes them agree).
 * @type {ManifestJson['format']}
 */
const FORMAT = 4;

/** The data file of the delta manifest (site/search/paths.ts DELTA_KEY). */
const DELTA_KEY = 'delta';

/**
 * One index's groups (a group: one chat's documents in one slot), in document order.
 * @typedef {object} Groups
 * @property {number} length
 * @property {Int32Array} start its first document
 * @property {Int32Array} count
 * @property {Int32Array} chat its chat's index in the manifest
 * @property {Int32Array} slot its slot's index in the manifest
 * @property {Uint8Array} byDay 1: its month's page is split by day
 */

/**
 * @typedef {object} Manifest
 * @property {ManifestJson} info
 * @property {string} prefix what the index's data file keys start with ('' for the base)
 * @property {number} buckets its term bucket count
 * @property {Groups} groups
 * @property {Int32Array} slotFirst per slot, its first document
 * @property {Int32Array} slotEnd per slot, the document after its last
 */

/**
 * One index's manifest: its JSON, and the group table (documents are numbered by slot, then
 * chat, then time: a group is one chat's documents in one slot), in typed arrays.
 * @param {Uint8Array} bytes
 * @param {string} prefix
 * @returns {Manifest}
 */
export function parseManifest(bytes, prefix) {
  const r = new Reader(bytes);
  /** @type {ManifestJson} */
  const info = JSON.parse(r.string());
  if (info.format !== FORMAT) throw new Error('search data has format ' + info.format + ', this page reads ' + FORMAT);
  // A group takes two varints at least: an upper bound for the arrays.
  const max = Math.max(1, (bytes.length - r.i) >> 1);
  const start = new Int32Array(max), count = new Int32Array(max), chat = new Int32Array(max), slot = new Int32Array(max);
  const byDay = new Uint8Array(max);
  const slots = info.slots.length;
  const slotFirst = new Int32Array(slots), slotEnd = new Int32Array(slots);
  let doc = 0, gi = 0;
  for (let s = 0; s < slots; s++) {
    slotFirst[s] = doc;
    const n = r.uint();
    let c = 0;
    for (let k = 0; k < n; k++, gi++) {
      c += r.uint();
      const v = r.uint();
      start[gi] = doc;
      count[gi] = Math.floor(v / 2);
      chat[gi] = c;
      slot[gi] = s;
      byDay[gi] = v % 2;
      doc += count[gi];
    }
    slotEnd[s] = doc;
  }
  return {
    info: info,
    prefix: prefix,
    buckets: info.buckets,
    groups: { length: gi, start: start.subarray(0, gi), count: count.subarray(0, gi), chat: chat.subarray(0, gi), slot: slot.subarray(0, gi), byDay: byDay.subarray(0, gi) },
    slotFirst: slotFirst,
    slotEnd: slotEnd,
  };
}

/** The manifests of a site's index: the base's, and the current delta's. */
export class Manifests {
  /**
   * @param {import('./files.js').DataFiles} files
   */
  constructor(files) {
    this.files = files;
    /** @type {Promise<Manifest> | null} */
    this.basePromise = null;
    /** @type {string | null} */
    this.deltaText = null;
    /** @type {Promise<Manifest> | null} */
    this.deltaParsed = null;
  }

  /**
   * The base index's manifest. `after` (never rejects): decode and parse it only once that has
   * settled, a task later: the manifest is loaded at once but read after a query's term buckets
   * (engine.js prefetchPostings), which ask for the files of the first results; when both arrive
   * together, reading the manifest first (5-20 ms at 1M) would hold those requests back.
   * @param {Promise<unknown> | null} [after]
   */
  base(after) {
    if (!this.basePromise) {
      // Its payload, not DataFiles.get (which decodes on arrival): this promise is its cache.
      const payload = Promise.resolve(this.files.load('manifest', false));
      const ready = after ? Promise.all([payload, after.then(nextTask)]).then((got) => got[0]) : payload;
      this.basePromise = ready.then(decodePayload).then((b) => parseManifest(b, ''));
      this.basePromise.catch(() => {
        this.basePromise = null;
      });
    }
    return this.basePromise;
  }

  /**
   * The delta's manifest (null: none), read afresh from delta.js: a new delta may have been
   * written since the last query. A site without delta.js (built before deltas existed) has none.
   * @returns {Promise<Manifest | null>}
   */
  delta() {
    return Promise.resolve(this.files.load(DELTA_KEY, true)).then(
      (text) => {
        if (!text) return null;
        if (text !== this.deltaText || !this.deltaParsed) {
          this.deltaText = text;
          this.deltaParsed = decodePayload(text).then((bytes) => {
            const info = JSON.parse(new Reader(bytes).string());
            return parseManifest(bytes, 'delta-' + info.version + '/');
          });
          this.deltaParsed.catch(() => {
            this.deltaText = null;
          });
        }
        return this.deltaParsed;
      },
      () => null,
    );
  }
}

/**
 * Resolves in a later task than this one (a message to itself: unlike a timer, not slowed down
 * in a hidden tab), once what the current task started has run.
 * @returns {Promise<void>}
 */
function nextTask() {
  return new Promise((resolve) => {
    if (typeof MessageChannel !== 'function') {
      setTimeout(resolve, 0);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
