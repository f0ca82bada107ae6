// @ts-check
/*
 * chatchannels search: the header's search box on the site's other pages. While someone types
 * there, the files the search page will need — the manifest, the typed words' term buckets and,
 * unless the words are very common, their postings and the messages of the first page — are
 * loaded here and handed over in the tab's sessionStorage (loader.js keepPayload), so that after
 * Enter the search page finds them without a request.
 * search.js itself gets a prefetch hint at the URL the search page asks for (`?v=<version>`),
 * which a server's caching headers let it reuse. site/assets/chatchannels.js loads search.js into
 * the page when the box is first focused; over http(s) only (from disk every file is at hand).
 */
import { Engine } from './engine.js';
import { keepFresh, keepPayload, scriptLoader } from './loader.js';
import { PREFIX_MIN } from './pipeline.js';

/** How many messages the search page shows first (ui.js PAGE_SIZE). */
const FIRST_PAGE = 10;

/**
 * At most this many postings in all (about one part file, site/search/shards.ts partPostings): a
 * query cheap enough to run here on every keystroke, whose files are worth loading ahead.
 */
const AHEAD_MAX = 25000;

/**
 * Makes the header box's form (`form`) load ahead what its search will need.
 * @param {HTMLFormElement} form
 * @param {string} scriptUrl this script's URL (search/search.js, any query)
 * @param {{ version: string, buckets: number, docChunk: number }} info the base index search.js was built with
 * @param {{ stem(word: string): string, isStopWord(word: string): boolean }} lunr
 */
export function warmSearchBox(form, scriptUrl, info, lunr) {
  const input = /** @type {HTMLInputElement | null} */ (form.elements.namedItem('q'));
  if (!input || !document.head) return;
  const version = info.version;
  const link = document.createElement('link');
  link.rel = 'prefetch';
  link.href = new URL('search.js?v=' + encodeURIComponent(version), scriptUrl).href;
  document.head.appendChild(link);
  const load = scriptLoader(new URL('data/', scriptUrl).href, false)(version);
  const engine = new Engine({
    // The delta manifest (`fresh`) is kept with its time: the search page takes it only when new.
    load: (key, fresh) => Promise.resolve(load(key, fresh)).then((payload) => {
      if (fresh) keepFresh(version, key, payload);
      else keepPayload(version, key, payload);
      return payload;
    }),
    info: info,
    stem: lunr.stem,
    isStopWord: lunr.isStopWord,
  });
  const base = { prefix: '', buckets: info.buckets };
  // On every keystroke, not after a pause: Enter often follows the last letter at once. A word's
  // bucket is loaded once its term has PREFIX_MIN letters: the bucket (picked by the first
  // PREFIX_MIN, pipeline.js shardKey) no longer changes as it grows. The engine loads each file
  // once.
  const prefetch = () => {
    const typed = input.value;
    const last = /\S+$/.exec(typed);
    // The word being typed, once its terms (stemmed: `kes` is `ke`) have PREFIX_MIN letters.
    const short = last && engine.termsOf(last[0]).some((t) => Array.from(t).length < PREFIX_MIN);
    const text = last && short ? typed.slice(0, last.index) : typed;
    try {
      engine.prefetch(text);
      firstPage(text);
    } catch (e) {
      // Only ahead of time: the search page reports any problem.
    }
  };
  /**
   * When the words of `text` have few postings in all (their terms, and every term they begin:
   * the last word also matches as a prefix), runs the search here, cheaply, to load its postings
   * and the messages of its first page too. A very common word's are left to the search page.
   * @param {string} text
   */
  const firstPage = (text) => {
    const terms = engine.termsOf(text);
    if (!terms.length) return;
    Promise.all(terms.map((t) => engine.postings.withPrefix(base, t)))
      .then((found) => {
        let messages = 0;
        for (let i = 0; i < found.length; i++) {
          for (let k = 0; k < found[i].length; k++) {
            messages += found[i][k].nText + found[i][k].nAuthor;
          }
        }
        if (!messages || messages > AHEAD_MAX) return null;
        return engine.search(text, {}, { sort: 'best', timeZone: 'UTC' }).then((result) =>
          result.take(0, FIRST_PAGE).then((docs) => Promise.all(docs.map((doc) => result.document(doc)))));
      })
      .catch(() => {});
  };
  input.addEventListener('input', prefetch);
  prefetch();
}
