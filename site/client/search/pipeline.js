/*
 * chatchannels search: the text pipeline, shared word for word by the index builder (Node, through
 * site/search/pipeline.ts) and the browser, so a query is cut into exactly the terms a message was
 * indexed under. Plain ES2018 script: no modules (pages opened from file:// cannot load them).
 *
 *   tokenize(text)      → words: NFKC, lower case, runs of letters/digits/marks (Unicode-aware:
 *                         "café" stays "café", Lunr's ASCII trimmer would index "caf"); apostrophes
 *                         inside words dropped ("don't" → "dont"); each emoji is a word of its own;
 *                         Han/Kana/Hangul runs become single characters plus overlapping bigrams
 *                         (documents) or bigrams only (queries of 2+ characters), so "北京" finds
 *                         "我在北京" with no dictionary whose version could differ between Node and
 *                         the browser (Intl.Segmenter's would).
 *   then, per word, Lunr's English stop word filter and Porter stemmer (injected: lunr's own
 *   functions at build time, the same source files bundled into search.js in the browser).
 */
(function (root) {
  'use strict';

  var WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*|\p{Extended_Pictographic}/gu;
  var APOSTROPHE = /(\p{L})['\u2019\u02BC](?=\p{L})/gu;
  var CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
  var CJK_SPLIT = /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+)/u;
  var ASCII = /^[\x00-\x7f]*$/;
  var ASCII_WORD = /[a-z0-9]+/g;
  var ASCII_APOSTROPHE = /([a-z])'(?=[a-z])/g;
  /** Longer "words" are hashes, base64 and URLs run together: not worth a dictionary entry. */
  var MAX_WORD = 50;

  /** NFKC + lower case (ASCII is already NFKC: skip the costly normalization). */
  function normalize(text) {
    var s = String(text);
    var ascii = ASCII.test(s);
    if (!ascii) s = s.normalize('NFKC');
    s = s.toLowerCase();
    if (s.indexOf("'") >= 0 || !ascii) s = s.replace(APOSTROPHE, '$1');
    return s;
  }

  /**
   * The words of `text`, in order (repeats kept: term frequencies count them).
   * `forQuery`: CJK runs give bigrams only (a one-character run gives itself).
   */
  function tokenize(text, forQuery) {
    var out = [];
    if (text === null || text === undefined) return out;
    var s = String(text);
    var runs, i;
    if (ASCII.test(s)) {
      // Fast path, same result: ASCII is NFKC already, its letters and digits are [a-z0-9].
      s = s.toLowerCase();
      if (s.indexOf("'") >= 0) s = s.replace(ASCII_APOSTROPHE, '$1');
      runs = s.match(ASCII_WORD);
      if (!runs) return out;
      for (i = 0; i < runs.length; i++) if (runs[i].length <= MAX_WORD) out.push(runs[i]);
      return out;
    }
    runs = normalize(s).match(WORD);
    if (!runs) return out;
    for (i = 0; i < runs.length; i++) {
      var run = runs[i];
      if (CJK_CHAR.test(run)) {
        addCjk(run, forQuery, out);
      } else if (run.length <= MAX_WORD) {
        out.push(run);
      }
    }
    return out;
  }

  function addCjk(run, forQuery, out) {
    var parts = run.split(CJK_SPLIT);
    for (var p = 0; p < parts.length; p++) {
      var part = parts[p];
      if (part === '') continue;
      if (!CJK_CHAR.test(part)) {
        if (part.length <= MAX_WORD) out.push(part);
        continue;
      }
      var chars = Array.from(part);
      if (chars.length === 1) {
        out.push(chars[0]);
        continue;
      }
      for (var c = 0; c < chars.length; c++) {
        if (!forQuery) out.push(chars[c]);
        if (c + 1 < chars.length) out.push(chars[c] + chars[c + 1]);
      }
    }
  }

  /**
   * A pipeline: `terms(text, forQuery)` → index terms (stop words dropped, words stemmed).
   * `stem(word) → string`, `isStopWord(word) → boolean`; results are cached per word.
   */
  function createPipeline(stem, isStopWord) {
    var cache = new Map();
    function term(word) {
      var t = cache.get(word);
      if (t === undefined) {
        t = isStopWord(word) ? '' : stem(word);
        if (cache.size > 200000) cache.clear();
        cache.set(word, t);
      }
      return t;
    }
    function terms(text, forQuery) {
      var words = tokenize(text, forQuery);
      var out = [];
      for (var i = 0; i < words.length; i++) {
        var t = term(words[i]);
        if (t !== '') out.push(t);
      }
      return out;
    }
    return { terms: terms, term: term, tokenize: tokenize };
  }

  /** FNV-1a over UTF-16 code units: which term shard holds a term. */
  function hashTerm(term) {
    var h = 0x811c9dc5;
    for (var i = 0; i < term.length; i++) {
      h ^= term.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return h >>> 0;
  }

  var api = {
    WORD: WORD,
    MAX_WORD: MAX_WORD,
    normalize: normalize,
    tokenize: tokenize,
    createPipeline: createPipeline,
    hashTerm: hashTerm,
    isCjk: function (s) { return CJK_CHAR.test(s); },
  };
  root.ccSearchPipeline = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
