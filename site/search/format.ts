/**
 * The search data's JSON shapes, shared by the writer (shards.ts, build.ts, delta.ts) and the
 * browser client (site/client/search/, whose JSDoc types import this file): a layout change here
 * fails the client's type check. Types only, apart from the format number, so that checking the
 * client needs nothing else of the server.
 */
export const FORMAT_VERSION = 4;

/** A slot's label: 'early' (before year 1), a UTC month 'YYYY-MM', or 'late' (after 9999). */
export type SlotLabel = string;

/** What a full build adds to its manifest: what a delta build needs of its base. */
export interface BaseManifestExtra {
  /** Hash of the options that change what is indexed (searchSettings). */
  settings: string;
  /** The change log's last sequence number included. */
  changeSeq: number;
  /** Average field lengths (Lunr's BM25 needs them to weigh a delta's postings as the base's). */
  averages: { text: number; author: number };
}

/** What a delta adds to its manifest (delta.js): what the client needs to lay it over its base. */
export interface DeltaManifestExtra {
  kind: 'delta';
  /** The base index's version. */
  base: string;
  changeSeq: number;
  /** Base documents the delta replaces: [start, count, start, count, …]. */
  masked: number[];
}

/** The JSON at the start of a manifest (see shards.ts for the binary group table after it). */
export interface ManifestJson extends Partial<BaseManifestExtra>, Partial<Omit<DeltaManifestExtra, 'changeSeq'>> {
  format: typeof FORMAT_VERSION;
  version: string;
  docs: number;
  docChunk: number;
  buckets: number;
  fields: string[];
  /** The author option the index was built with. */
  authors: string;
  /** [slug, title] per chat, in chat index order. */
  chats: [slug: string, title: string][];
  /** Slot labels, in slot index order (a base: early, months ascending, late). */
  slots: SlotLabel[];
}

/** What search/search.js tells the client about the base index before its manifest is loaded. */
export interface ClientIndexInfo {
  version: string;
  buckets: number;
  docChunk: number;
}
