// @ts-check
/*
 * chatchannels search: the header's search box on the site's other pages. While someone types
 * there, the files the search page will need — the manifest, the typed words' term buckets, a
 * rare word's messages — are loaded here and handed over in the tab's sessionStorage
 * (loader.js keepPayload), so that after Enter the search page finds them without a request.
 * search.js itself gets a prefetch hint at the URL the search page asks for (`?v=<version>`),
 * which a server's caching headers let it reuse. site/assets/chatchannels.js loads search.js into
 * the page when the box is first focused; over http(s) only (from disk every file is at hand).
 */
import { Engine } from './engine.js';
import { keepPayload, scriptLoader } from './loader.js';
import { PREFIX_MIN } from './pipeline.js';

/** How many messages the search page shows first (ui.js PAGE_SIZE): a rare word's are loaded. */
const FIRST_PAGE = 10;

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
    // The delta manifest is read afresh by the search page anyway: none here.
    load: (key, fresh) => fresh ? '' : Promise.resolve(load(key, false)).then((payload) => {
      keepPayload(version, key, payload);
      return payload;
    }),
    info: info,
    stem: lunr.stem,
    isStopWord: lunr.isStopWord,
  });
  const base = { prefix: '', buckets: info.buckets, docBase: 0, docChunk: info.docChunk };
  // On every keystroke, not after a pause: Enter often follows the last letter at once. A word
  // is loaded for once it has PREFIX_MIN letters, when its bucket (picked by its first
  // PREFIX_MIN: pipeline.js shardKey) no longer changes as it grows; the engine loads each file
  // once.
  const prefetch = () => {
    const typed = input.value;
    const last = /\S+$/.exec(typed);
    const text = last && Array.from(last[0]).length < PREFIX_MIN ? typed.slice(0, last.index) : typed;
    try {
      engine.prefetch(text);
      const terms = engine.termsOf(text);
      // One word: the search page's first results are its messages when it has few.
      if (terms.length === 1 && info.docChunk) engine.prefetchDocs(base, terms[0], FIRST_PAGE);
    } catch (e) {
      // Only ahead of time: the search page reports any problem.
    }
  };
  input.addEventListener('input', prefetch);
  prefetch();
}
