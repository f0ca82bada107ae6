/**
 * The search data's JSON shapes, shared by the writer (shards.ts, build.ts, delta.ts) and the
 * browser client (site/client/search/, whose JSDoc types import this file): a layout change here
 * fails the client's type check. Types only, apart from the format number, so that checking the
 * client needs nothing else of the server.
 */
export const FORMAT_VERSION = 4;

/** A slot's label: 'early' (before year 1), a UTC month 'YYYY-MM', or 'late' (after 9999). */
export type SlotLabel = string;

/**
 * What a full build adds to its manifest: what a delta build needs of its base (the options'
 * hash, the change log's point, the average field lengths: built-index.ts BaseFacts), sealed
 * (site/output/seal.ts) under the database's id: published in the clear, the point would show
 * activity in chats the site leaves out, and the hash would confirm a guess of excluded ids.
 */
export interface BaseManifestExtra {
  sealed: string;
}

/** What a delta adds to its manifest (delta.js): what the client needs to lay it over its base. */
export interface DeltaManifestExtra {
  kind: 'delta';
  /** The base index's version. */
  base: string;
  /** Base documents the delta replaces: [start, count, start, count, …]. */
  masked: number[];
}

/** The JSON at the start of a manifest (see shards.ts for the binary group table after it). */
export interface ManifestJson extends Partial<BaseManifestExtra>, Partial<DeltaManifestExtra> {
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
