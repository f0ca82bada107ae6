/**
 * What the page's one script (search/search.js, site/search/bundle.ts) puts on the window around
 * the client's modules, and the one platform method the client uses where it exists.
 */
interface Window {
  /** Every data file calls this with its key and payload (site/search/bytes.ts dataScript). */
  ccSearchData(key: string, payload: string): void;
  /** The base index search.js was built with (bundle.ts clientScript). */
  ccSearchIndex?: import('../../search/format.js').ClientIndexInfo;
  /** Lunr's stemmer and stop word filter, bundled ahead of the modules. */
  ccSearchLunr: { stem(word: string): string; isStopWord(word: string): boolean };
}

interface Uint8ArrayConstructor {
  /** ES2026; feature-tested before use. */
  fromBase64?(text: string): Uint8Array<ArrayBuffer>;
}
