// @ts-check
/*
 * chatchannels search: the index a query runs on, a "view": the base index, and when there is
 * one the delta laid over it (site/search/delta.ts). The delta's documents are numbered after the
 * base's, the base documents it replaces are "dead", and the two are searched as one index.
 */
import { slotOrder, slotRange } from './periods.js';

/**
 * @typedef {object} Chat
 * @property {number} index
 * @property {string} slug
 * @property {string} title
 * @property {Set<string>} [terms] its title's terms, once a chat: filter needed them
 */

/**
 * A slot's documents of one index: [first, end_) in the view's numbering.
 * @typedef {object} Segment
 * @property {number} part the index (0: base, 1: delta)
 * @property {number} local the slot's index in that index's manifest
 * @property {number} first
 * @property {number} end_
 */

/**
 * @typedef {object} Slot
 * @property {string} label
 * @property {number} start its first instant (ms)
 * @property {number} end the instant after it
 * @property {number} index
 * @property {number} rank its place in time order
 * @property {Segment[]} segments
 * @property {number} size its document count
 */

/**
 * One index of a view, and where its files are.
 * @typedef {object} Part
 * @property {number} index
 * @property {string} prefix
 * @property {number} buckets
 * @property {number} docBase its first document in the view
 * @property {number} docs
 * @property {number} docChunk
 * @property {number} firstGroup
 */

/**
 * @typedef {object} View
 * @property {string} version
 * @property {number} docs
 * @property {string[]} fields
 * @property {string} authors
 * @property {Chat[]} chats
 * @property {Slot[]} slots
 * @property {Slot[]} slotByRank
 * @property {Part[]} parts
 * @property {Uint8Array | null} dead 1 for each base document the delta replaces
 * @property {Int32Array} groupStart
 * @property {Int32Array} groupCount
 * @property {Int32Array} groupChat
 * @property {Int32Array} groupSlot
 * @property {Uint8Array} groupByDay
 * @property {number[][] | null} bySlot the groups of each slot, once needed (slotGroups)
 */

/**
 * @param {string} label
 * @param {number} index
 * @returns {Slot}
 */
function newSlot(label, index) {
  const range = slotRange(label);
  return { label: label, start: range[0], end: range[1], index: index, rank: index, segments: [], size: 0 };
}

/**
 * @param {Slot} slot
 * @param {number} part
 * @param {number} local
 * @param {number} first
 * @param {number} end
 */
function addSegment(slot, part, local, first, end) {
  if (end <= first) return;
  slot.segments.push({ part: part, local: local, first: first, end_: end });
  slot.size += end - first;
}

/**
 * The base and the delta as one index (the base alone when there is no delta: its arrays as
 * they are). Documents: the base's, then the delta's (ids offset by the base's count); so are
 * groups, and a document's group is still a binary search. Chats are matched by slug (a delta
 * may add chats, and its titles are newer), slots by label: the base's keep their index, a
 * delta's new ones come after, and `rank` gives every slot its place in time order. A slot's
 * documents are then up to two ranges, its "segments". What only some queries need (groups by
 * chat, by slot) is made on first use.
 * @param {import('./manifest.js').Manifest} base
 * @param {import('./manifest.js').Manifest | null} delta
 * @returns {View}
 */
export function makeView(base, delta) {
  const N = base.info.docs;
  const bg = base.groups;
  /** @type {View} */
  const m = {
    version: base.info.version,
    docs: N,
    fields: base.info.fields,
    authors: base.info.authors,
    chats: base.info.chats.map((c, i) => ({ index: i, slug: c[0], title: c[1] })),
    slots: base.info.slots.map(newSlot),
    slotByRank: [],
    parts: [{ index: 0, prefix: base.prefix, buckets: base.buckets, docBase: 0, docs: N, docChunk: base.info.docChunk, firstGroup: 0 }],
    dead: null,
    groupStart: bg.start,
    groupCount: bg.count,
    groupChat: bg.chat,
    groupSlot: bg.slot,
    groupByDay: bg.byDay,
    bySlot: null,
  };
  for (let s = 0; s < m.slots.length; s++) addSegment(m.slots[s], 0, s, base.slotFirst[s], base.slotEnd[s]);
  m.slotByRank = m.slots.slice();
  if (!delta) return m;

  const dg = delta.groups;
  const nb = bg.length, nd = dg.length;
  /** @type {Map<string, Chat>} */
  const chatBySlug = new Map();
  m.chats.forEach((c) => { chatBySlug.set(c.slug, c); });
  const chatMap = delta.info.chats.map((c) => {
    let chat = chatBySlug.get(c[0]);
    if (!chat) {
      chat = { index: m.chats.length, slug: c[0], title: c[1] };
      m.chats.push(chat);
      chatBySlug.set(c[0], chat);
    }
    chat.title = c[1];
    return chat.index;
  });
  /** @type {Map<string, Slot>} */
  const slotByLabel = new Map();
  m.slots.forEach((slot) => { slotByLabel.set(slot.label, slot); });
  const slotMap = delta.info.slots.map((label, s) => {
    let slot = slotByLabel.get(label);
    if (!slot) {
      slot = newSlot(label, m.slots.length);
      m.slots.push(slot);
      slotByLabel.set(label, slot);
    }
    addSegment(slot, 1, s, N + delta.slotFirst[s], N + delta.slotEnd[s]);
    return slot.index;
  });
  m.slotByRank = m.slots.slice().sort((a, b) => slotOrder(a.label, b.label));
  m.slotByRank.forEach((slot, rank) => { slot.rank = rank; });

  const start = new Int32Array(nb + nd), count = new Int32Array(nb + nd), chat = new Int32Array(nb + nd), slotOf = new Int32Array(nb + nd);
  const byDay = new Uint8Array(nb + nd);
  start.set(bg.start);
  count.set(bg.count);
  chat.set(bg.chat);
  slotOf.set(bg.slot);
  byDay.set(bg.byDay);
  count.set(dg.count, nb);
  byDay.set(dg.byDay, nb);
  for (let k = 0; k < nd; k++) {
    start[nb + k] = N + dg.start[k];
    chat[nb + k] = chatMap[dg.chat[k]];
    slotOf[nb + k] = slotMap[dg.slot[k]];
  }
  m.groupStart = start;
  m.groupCount = count;
  m.groupChat = chat;
  m.groupSlot = slotOf;
  m.groupByDay = byDay;
  m.docs = N + delta.info.docs;
  m.parts.push({ index: 1, prefix: delta.prefix, buckets: delta.buckets, docBase: N, docs: delta.info.docs, docChunk: delta.info.docChunk, firstGroup: nb });
  const dead = new Uint8Array(m.docs);
  const masked = delta.info.masked || [];
  for (let i = 0; i + 1 < masked.length; i += 2) dead.fill(1, masked[i], Math.min(masked[i] + masked[i + 1], N));
  m.dead = dead;
  return m;
}

/**
 * The groups of each slot (by slot index).
 * @param {View} m
 */
export function slotGroups(m) {
  if (!m.bySlot) {
    /** @type {number[][]} */
    const bySlot = m.slots.map(() => []);
    for (let g = 0; g < m.groupSlot.length; g++) bySlot[m.groupSlot[g]].push(g);
    m.bySlot = bySlot;
  }
  return m.bySlot;
}

/**
 * The group (index) holding document `doc`.
 * @param {View} m
 * @param {number} doc
 */
export function groupOf(m, doc) {
  let lo = 0, hi = m.groupStart.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (m.groupStart[mid] <= doc) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The index part (base or delta) holding document `doc`.
 * @param {View} m
 * @param {number} doc
 */
export function partOf(m, doc) {
  return m.parts.length > 1 && doc >= m.parts[1].docBase ? m.parts[1] : m.parts[0];
}
