// @ts-check
/*
 * chatchannels search: loading the data files, each once. The page supplies `load` (data files
 * are scripts it inserts; Node reads them from disk); what a file decodes to is cached by the
 * module that reads it, with `cached`.
 */
import { decodePayload } from './bytes.js';

/**
 * The base64 payload of data file `key` (e.g. `t/12`); `fresh`: past any cache (the delta
 * manifest, which changes while a page is open).
 * @typedef {(key: string, fresh: boolean) => Promise<string> | string} Load
 */

/**
 * A promise that removes itself from `cache` when it fails, so a later call retries.
 * @template T
 * @param {Map<string, Promise<T>>} cache
 * @param {string} key
 * @param {() => Promise<T>} make
 * @returns {Promise<T>}
 */
export function cached(cache, key, make) {
  let promise = cache.get(key);
  if (promise) return promise;
  promise = make();
  cache.set(key, promise);
  promise.catch(() => {
    cache.delete(key);
  });
  return promise;
}

/** The data files of one site, decoded. */
export class DataFiles {
  /** @param {Load} load */
  constructor(load) {
    this.load = load;
    /** @type {Map<string, Promise<Uint8Array>>} */
    this.files = new Map();
  }

  /**
   * Data file `key`'s bytes (a failed load may be retried).
   * @param {string} key
   */
  get(key) {
    return cached(this.files, key, () => Promise.resolve(this.load(key, false)).then(decodePayload));
  }
}
