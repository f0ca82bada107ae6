// @ts-check
/*
 * chatchannels search: the query language. `author:`, `chat:`, `after:` and `before:` filter,
 * `-word` excludes, quotes keep a value whole; every other word must match (or, in 'any' mode,
 * some). The last word still being typed also matches as a prefix.
 */
import { prefixable } from './pipeline.js';

/** Positive query terms are tracked in a 32-bit mask per document. */
export const MAX_TERMS = 30;

/** @type {Record<string, 'author' | 'chat' | 'after' | 'before'>} */
const FIELDS = { author: 'author', chat: 'chat', after: 'after', before: 'before' };

/**
 * @typedef {object} ParsedQuery
 * @property {string[]} words
 * @property {string[]} excluded
 * @property {string[]} authors
 * @property {string[]} chats
 * @property {string | null} after
 * @property {string | null} before
 * @property {number} open the index in words of the word still being typed (the input's last, unquoted), or -1
 */

/**
 * What a person typed → { words: [text…], excluded: [text…], authors: [text…], chats: [text…],
 * after, before }. Never throws: characters Lunr's parser would choke on (: * ~ ^ + -) are
 * either syntax here or dropped by the tokenizer; an unclosed quote runs to the end.
 * @param {unknown} input
 * @returns {ParsedQuery}
 */
export function parseQuery(input) {
  /** @type {ParsedQuery} */
  const q = { words: [], excluded: [], authors: [], chats: [], after: null, before: null, open: -1 };
  const s = String(input === null || input === undefined ? '' : input);
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && /\s/.test(s.charAt(i))) i++;
    if (i >= n) break;
    let sign = '';
    if ((s.charAt(i) === '-' || s.charAt(i) === '+') && i + 1 < n && !/\s/.test(s.charAt(i + 1))) sign = s.charAt(i++);
    let field = null;
    const named = /^([A-Za-z]+):/.exec(s.slice(i, i + 20));
    if (named && FIELDS.hasOwnProperty(named[1].toLowerCase())) {
      field = FIELDS[named[1].toLowerCase()];
      i += named[0].length;
    }
    let value;
    const quoted = s.charAt(i) === '"';
    if (quoted) {
      let close = s.indexOf('"', i + 1);
      if (close < 0) close = n; // an unclosed quote runs to the end
      value = s.slice(i + 1, close);
      i = close + 1;
    } else {
      const start = i;
      while (i < n && !/\s/.test(s.charAt(i)) && s.charAt(i) !== '"') i++;
      value = s.slice(start, i);
    }
    if (!value.trim()) continue;
    if (field === 'author') q.authors.push(value);
    else if (field === 'chat') q.chats.push(value);
    else if (field === 'after') q.after = value;
    else if (field === 'before') q.before = value;
    else if (sign === '-') q.excluded.push(value);
    else {
      q.words.push(value);
      if (!quoted && i >= n) q.open = q.words.length - 1;
    }
  }
  return q;
}

/**
 * @typedef {object} QueryPlan
 * @property {string[]} order the positive index terms, in query order
 * @property {Map<string, number>} boosts per positive term: how often the query has it
 * @property {string | null} prefix the positive term that also matches every index term it begins
 * @property {string[]} excluded
 * @property {string[][]} authorTerms per author: filter, its terms
 * @property {boolean} truncated whether terms past MAX_TERMS were dropped
 */

/**
 * The matching rule of a query, shared with the CLI's full-text search (collector/store/
 * search.ts) so both find the same messages: `order`, the positive index terms (each required
 * in 'all' mode) with `boosts`; `prefix`, the one of them that also matches every index term it
 * begins (the last term of the word being typed, when pipeline.prefixable says so) or null;
 * `excluded` terms; `authorTerms`, per author: value, its terms.
 * @param {Pick<import('./pipeline.js').Pipeline, 'terms'>} pipeline
 * @param {ParsedQuery} q
 * @returns {QueryPlan}
 */
export function planQuery(pipeline, q) {
  /** @type {Map<string, number>} */
  const boosts = new Map();
  /** @type {string[]} */
  const order = [];
  /** @type {string | null} */
  let prefix = null;
  let truncated = false;
  for (let i = 0; i < q.words.length; i++) {
    const ts = pipeline.terms(q.words[i], true);
    for (let k = 0; k < ts.length; k++) {
      if (!boosts.has(ts[k])) {
        if (order.length >= MAX_TERMS) {
          truncated = true;
          continue;
        }
        order.push(ts[k]);
        boosts.set(ts[k], 0);
      }
      boosts.set(ts[k], (boosts.get(ts[k]) ?? 0) + 1);
    }
    if (i === q.open && ts.length && boosts.has(ts[ts.length - 1]) && prefixable(ts[ts.length - 1])) prefix = ts[ts.length - 1];
  }
  /** @type {string[]} */
  let excluded = [];
  for (let i = 0; i < q.excluded.length; i++) excluded = excluded.concat(pipeline.terms(q.excluded[i], true));
  const authorTerms = q.authors.map((a) => pipeline.terms(a, true)).filter((ts) => ts.length > 0);
  return { order: order, boosts: boosts, prefix: prefix, excluded: excluded, authorTerms: authorTerms, truncated: truncated };
}
