// @ts-check
/*
 * chatchannels search: how the page loads data files. Each is a script inserted on demand
 * (fetch() of a file fails from file:// in Chromium) that hands its payload to
 * window.ccSearchData (site/search/bytes.ts dataScript).
 */

import { PREFETCH_FRESH } from './engine.js';

/** @typedef {{ resolve: (payload: string) => void, reject: (error: Error) => void }} Waiter */

/**
 * A loader of the data files under `dataBase` (a URL ending in `/`), for the engine. Files of the
 * index are cached by version; `fresh` ones (the delta manifest, rewritten while the site is
 * served) are asked for anew. `fromDisk`: the page is a file:// one, where a query string would
 * name another file.
 * @param {string} dataBase
 * @param {boolean} fromDisk
 * @returns {(version: string) => import('./files.js').Load}
 */
export function scriptLoader(dataBase, fromDisk) {
  // Only a page reached from another page of the site looks for files handed over: the first
  // sessionStorage access of a page costs milliseconds (the browser fetches the tab's store).
  let handedOver = false;
  try {
    handedOver = !fromDisk && !!document.referrer && new URL(document.referrer).origin === location.origin;
  } catch (e) {
    // No referrer to read: nothing handed over.
  }

  /** key → the loads waiting for that data file. @type {Map<string, Waiter[]>} */
  const waiting = new Map();

  // Every data file calls this with its key and payload.
  window.ccSearchData = function (key, payload) {
    const list = waiting.get(key);
    if (!list) return;
    waiting.delete(key);
    for (let i = 0; i < list.length; i++) list[i].resolve(payload);
  };

  /**
   * @param {string} key
   * @param {Waiter} entry
   * @param {Error} error
   */
  function settle(key, entry, error) {
    const list = waiting.get(key);
    const at = list ? list.indexOf(entry) : -1;
    if (!list || at < 0) return;
    list.splice(at, 1);
    if (!list.length) waiting.delete(key);
    entry.reject(error);
  }

  return (version) => (key, fresh) => new Promise((resolve, reject) => {
    // Handed over by another page's header box (warm.js): no request at all.
    const kept = !handedOver ? null : fresh ? keptFresh(version, key) : keptPayload(version, key);
    if (kept !== null) {
      resolve(kept);
      return;
    }
    const entry = { resolve: resolve, reject: reject };
    let list = waiting.get(key);
    if (!list) waiting.set(key, (list = []));
    list.push(entry);
    const tag = document.createElement('script');
    tag.async = true;
    // A script inserted while the page is still parsed is fetched at low priority, one at a time
    // behind the page's own scripts and stylesheets: a query waits on every one of these files.
    tag.setAttribute('fetchpriority', 'high');
    const query = fresh ? '?t=' + Date.now().toString(36) + Math.random().toString(36).slice(2, 6) : fromDisk ? '' : '?v=' + encodeURIComponent(version);
    tag.src = dataBase + key + '.js' + query;
    tag.onload = function () {
      tag.remove();
      settle(key, entry, new Error('search data file ' + key + ' did not register'));
    };
    tag.onerror = function () {
      tag.remove();
      settle(key, entry, new Error('could not load search data (' + key + ')'));
    };
    document.head.appendChild(tag);
  });
}

/*
 * Data files fetched ahead by another page of the site (warm.js: the header's search box, while
 * someone types) are handed to the search page in sessionStorage, the tab's own store: the search
 * page then needs no request for them, whatever caching headers the server sends (a prefetch hint
 * alone is not reused without any). Keyed by index version, so a rebuilt index never reads old data.
 */
const KEPT = 'ccSearch:';

/** Payloads bigger than this (base64 characters) are not kept: a common word's postings can be large. */
const KEPT_MAX = 256 * 1024;

/**
 * @param {string} version
 * @param {string} key
 * @returns {string | null}
 */
export function keptPayload(version, key) {
  try {
    return window.sessionStorage.getItem(KEPT + version + ':' + key);
  } catch (e) {
    return null;
  }
}

/**
 * A `fresh` file (the delta manifest) handed over, if it was loaded within PREFETCH_FRESH: as
 * good as the one a search prefetches while someone types on the search page itself.
 * @param {string} version
 * @param {string} key
 * @returns {string | null}
 */
function keptFresh(version, key) {
  const kept = keptPayload(version, key + '@');
  const at = kept === null ? -1 : kept.indexOf(' ');
  if (kept === null || at < 0) return null;
  const age = Date.now() - Number(kept.slice(0, at));
  return age >= 0 && age <= PREFETCH_FRESH ? kept.slice(at + 1) : null;
}

/**
 * Keeps a `fresh` file's payload (the delta manifest) with the time it was loaded.
 * @param {string} version
 * @param {string} key
 * @param {string} payload
 */
export function keepFresh(version, key, payload) {
  keepPayload(version, key + '@', Date.now() + ' ' + payload);
}

/**
 * Keeps a data file's payload for the search page; when the store is full, the files kept
 * before (of any version) are dropped to make room.
 * @param {string} version
 * @param {string} key
 * @param {string} payload
 */
export function keepPayload(version, key, payload) {
  if (payload.length > KEPT_MAX) return;
  let store;
  try {
    store = window.sessionStorage;
  } catch (e) {
    return;
  }
  const name = KEPT + version + ':' + key;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      store.setItem(name, payload);
      return;
    } catch (e) {
      if (attempt) return;
      for (let i = store.length - 1; i >= 0; i--) {
        const k = store.key(i);
        if (k && k.lastIndexOf(KEPT, 0) === 0) store.removeItem(k);
      }
    }
  }
}
