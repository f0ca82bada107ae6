// @ts-check
/*
 * chatchannels search: the part of a message a result shows, its matched words marked.
 */
import { isCjk, normalize } from './pipeline.js';

/** Words as a person sees them (apostrophes kept inside: "don't" is marked whole). */
const HIGHLIGHT_WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}'\u2019\u02BC]*|\p{Extended_Pictographic}/gu;

/** @typedef {{ text: string, mark: boolean }} Piece */

/**
 * The part of `text` to show (about `size` characters around the first match) as
 * [{ text, mark }] pieces; a piece is marked when its word's index term is one of `terms`.
 * @param {import('./pipeline.js').Pipeline} pipeline
 * @param {string} text
 * @param {string[]} terms
 * @param {number} [size]
 * @returns {Piece[]}
 */
export function snippet(pipeline, text, terms, size) {
  size = size || 280;
  const set = new Set(terms);
  /** @type {[number, number][]} */
  const ranges = [];
  let m;
  HIGHLIGHT_WORD.lastIndex = 0;
  while ((m = HIGHLIGHT_WORD.exec(text)) !== null) {
    const word = m[0];
    const at = m.index;
    if (isCjk(word)) {
      const chars = Array.from(word);
      let offset = at;
      const ends = [];
      for (let c = 0; c < chars.length; c++) {
        ends.push(offset);
        offset += chars[c].length;
      }
      ends.push(offset);
      for (let c = 0; c < chars.length; c++) {
        const low = normalize(chars[c]);
        if (set.has(low)) ranges.push([ends[c], ends[c + 1]]);
        if (c + 1 < chars.length && set.has(low + normalize(chars[c + 1]))) ranges.push([ends[c], ends[c + 2]]);
      }
      continue;
    }
    const words = pipeline.tokenize(word);
    for (let w = 0; w < words.length; w++) {
      if (set.has(pipeline.term(words[w]))) {
        ranges.push([at, at + word.length]);
        break;
      }
    }
  }
  ranges.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
  /** @type {[number, number][]} */
  const merged = [];
  for (let r = 0; r < ranges.length; r++) {
    const last = merged[merged.length - 1];
    if (last && ranges[r][0] <= last[1]) last[1] = Math.max(last[1], ranges[r][1]);
    else merged.push([ranges[r][0], ranges[r][1]]);
  }
  let start = 0, end = text.length;
  if (text.length > size) {
    const first = merged.length ? merged[0][0] : 0;
    start = Math.max(0, first - Math.floor(size / 4));
    if (start > 0) {
      const space = text.lastIndexOf(' ', start);
      if (space > start - 20 && space >= 0) start = space + 1;
    }
    end = Math.min(text.length, start + size);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > end - 20 && space > start) end = space;
    }
    start = safeIndex(text, start);
    end = safeIndex(text, end);
  }
  /** @type {Piece[]} */
  const pieces = [];
  if (start > 0) pieces.push({ text: '…', mark: false });
  let cursor = start;
  for (let k = 0; k < merged.length; k++) {
    const a = Math.max(merged[k][0], start), b = Math.min(merged[k][1], end);
    if (b <= a) continue;
    if (a > cursor) pieces.push({ text: text.slice(cursor, a), mark: false });
    pieces.push({ text: text.slice(a, b), mark: true });
    cursor = b;
  }
  if (cursor < end) pieces.push({ text: text.slice(cursor, end), mark: false });
  if (end < text.length) pieces.push({ text: '…', mark: false });
  return pieces;
}

/**
 * `i`, or the index after it when `i` would split a surrogate pair.
 * @param {string} text
 * @param {number} i
 */
function safeIndex(text, i) {
  const code = text.charCodeAt(i);
  return code >= 0xdc00 && code <= 0xdfff ? i + 1 : i;
}
