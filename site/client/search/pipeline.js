// @ts-check
/*
 * chatchannels search: the text pipeline, shared word for word by the index builder (Node, through
 * site/search/pipeline.ts) and the browser, so a query is cut into exactly the terms a message was
 * indexed under.
 *
 *   tokenize(text)      → words: NFKC, lower case, Latin/Greek/Cyrillic diacritics folded away
 *                         ("Chloé" → "chloe", "Kraków" → "krakow", "Łódź" → "lodz": a query typed
 *                         without accents finds the accented word and back; marks that carry
 *                         meaning in other scripts stay), runs of letters/digits/marks; apostrophes
 *                         inside words dropped ("don't" → "dont"); each emoji is a word of its own;
 *                         Han/Kana/Hangul runs become single characters plus overlapping bigrams
 *                         (documents) or bigrams only (queries of 2+ characters), so "北京" finds
 *                         "我在北京" with no dictionary whose version could differ between Node and
 *                         the browser (Intl.Segmenter's would).
 *   then, per word, Lunr's English stop word filter and Porter stemmer (injected: lunr's own
 *   functions at build time, the same source files bundled into search.js in the browser).
 */

export const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*|\p{Extended_Pictographic}/gu;
const APOSTROPHE = /(\p{L})['\u2019\u02BC](?=\p{L})/gu;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_SPLIT = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+)/u;
const ASCII = /^[\x00-\x7f]*$/;
const ASCII_WORD = /[a-z0-9]+/g;
const ASCII_APOSTROPHE = /([a-z])'(?=[a-z])/g;
/** Longer "words" are hashes, base64 and URLs run together: not worth a dictionary entry. */
export const MAX_WORD = 50;

/**
 * Combining diacritics (the blocks Latin, Greek and Cyrillic letters decompose into), and the
 * letters whose stroke or ligature no decomposition removes. Other scripts' marks (Arabic
 * harakat, Indic vowel signs, kana voicing) are not in these blocks: they stay.
 */
const DIACRITIC = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
/** @type {Record<string, string>} */
const FOLD = { 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ı': 'i', 'ŀ': 'l', 'ŧ': 't', 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'þ': 'th', 'ð': 'd' };
const FOLD_CHARS = /[łøđħıŀŧßæœþð]/g;
/** @param {string} c */
function foldChar(c) { return FOLD[c]; }

/**
 * NFKC + lower case + diacritics folded (ASCII has none and is NFKC already: skip the costly
 * normalization). NFC(NFKD(s)) is NFKC; the marks go in between.
 * @param {unknown} text
 * @returns {string}
 */
export function normalize(text) {
  let s = String(text);
  const ascii = ASCII.test(s);
  if (!ascii) s = s.normalize('NFKD').replace(DIACRITIC, '').normalize('NFC');
  s = s.toLowerCase();
  if (!ascii) s = s.replace(FOLD_CHARS, foldChar);
  if (s.indexOf("'") >= 0 || !ascii) s = s.replace(APOSTROPHE, '$1');
  return s;
}

/**
 * The words of `text`, in order (repeats kept: term frequencies count them).
 * `forQuery`: CJK runs give bigrams only (a one-character run gives itself).
 * @param {string | null | undefined} text
 * @param {boolean} [forQuery]
 * @returns {string[]}
 */
export function tokenize(text, forQuery) {
  /** @type {string[]} */
  const out = [];
  if (text === null || text === undefined) return out;
  let s = String(text);
  let runs;
  if (ASCII.test(s)) {
    // Fast path, same result: ASCII is NFKC already, its letters and digits are [a-z0-9].
    s = s.toLowerCase();
    if (s.indexOf("'") >= 0) s = s.replace(ASCII_APOSTROPHE, '$1');
    runs = s.match(ASCII_WORD);
    if (!runs) return out;
    for (let i = 0; i < runs.length; i++) if (runs[i].length <= MAX_WORD) out.push(runs[i]);
    return out;
  }
  runs = normalize(s).match(WORD);
  if (!runs) return out;
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i];
    if (CJK_CHAR.test(run)) {
      addCjk(run, forQuery, out);
    } else if (run.length <= MAX_WORD) {
      out.push(run);
    }
  }
  return out;
}

/**
 * @param {string} run
 * @param {boolean | undefined} forQuery
 * @param {string[]} out
 */
function addCjk(run, forQuery, out) {
  const parts = run.split(CJK_SPLIT);
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part === '') continue;
    if (!CJK_CHAR.test(part)) {
      if (part.length <= MAX_WORD) out.push(part);
      continue;
    }
    const chars = Array.from(part);
    if (chars.length === 1) {
      out.push(chars[0]);
      continue;
    }
    for (let c = 0; c < chars.length; c++) {
      if (!forQuery) out.push(chars[c]);
      if (c + 1 < chars.length) out.push(chars[c] + chars[c + 1]);
    }
  }
}

/**
 * @typedef {object} Pipeline
 * @property {(text: string | null | undefined, forQuery?: boolean) => string[]} terms
 *   Index terms of a text (stop words dropped, words stemmed).
 * @property {(word: string) => string} term The index term of one word of tokenize ('' for a stop word).
 * @property {typeof tokenize} tokenize
 */

/**
 * A pipeline: `terms(text, forQuery)` → index terms (stop words dropped, words stemmed).
 * `stem(word) → string`, `isStopWord(word) → boolean`; results are cached per word.
 * @param {(word: string) => string} stem
 * @param {(word: string) => boolean} isStopWord
 * @returns {Pipeline}
 */
export function createPipeline(stem, isStopWord) {
  /** @type {Map<string, string>} */
  const cache = new Map();
  /** @param {string} word */
  function term(word) {
    let t = cache.get(word);
    if (t === undefined) {
      t = isStopWord(word) ? '' : stem(word);
      if (cache.size > 200000) cache.clear();
      cache.set(word, t);
    }
    return t;
  }
  /**
   * @param {string | null | undefined} text
   * @param {boolean} [forQuery]
   */
  function terms(text, forQuery) {
    const words = tokenize(text, forQuery);
    const out = [];
    for (let i = 0; i < words.length; i++) {
      const t = term(words[i]);
      if (t !== '') out.push(t);
    }
    return out;
  }
  return { terms: terms, term: term, tokenize: tokenize };
}

/**
 * The last word of a query, as typed, also finds longer words (prefix matching) once it has
 * PREFIX_MIN characters; terms are sharded by their first PREFIX_MIN characters (shardKey), so
 * every term a prefix can reach lies in the one bucket of the prefix's own key.
 */
export const PREFIX_MIN = 3;

/**
 * The part of a term that picks its shard: its first PREFIX_MIN code points.
 * @param {string} term
 */
export function shardKey(term) {
  const chars = Array.from(term);
  return chars.length <= PREFIX_MIN ? term : chars.slice(0, PREFIX_MIN).join('');
}

/**
 * Whether a query term may be matched as a prefix (long enough, not a CJK bigram or character).
 * @param {string} term
 */
export function prefixable(term) {
  return Array.from(term).length >= PREFIX_MIN && !CJK_CHAR.test(term);
}

/**
 * Which term bucket, of `buckets`, holds `term` (and every term `term` is a prefix of, when prefixable).
 * @param {string} term
 * @param {number} buckets
 */
export function bucketOf(term, buckets) {
  return hashTerm(shardKey(term)) % buckets;
}

/**
 * FNV-1a over UTF-16 code units.
 * @param {string} term
 */
export function hashTerm(term) {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Whether `s` holds a Han, Kana or Hangul character.
 * @param {string} s
 */
export function isCjk(s) {
  return CJK_CHAR.test(s);
}
