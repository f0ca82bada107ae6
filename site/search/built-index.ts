import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader, decodeDataScript } from './bytes.js';
import { openJson, sealJson } from '../output/seal.js';
import { dataKeys } from './paths.js';
import { bucketOf } from './pipeline.js';
import { FORMAT_VERSION, type FieldAverages } from './shards.js';

/**
 * What a full build left in `search/data/`, read back by a delta build (delta.ts): the base's
 * manifest — its documents' numbering by (slot, chat) group, the change-log position it includes,
 * its corpus statistics — and, term by term, how many documents of the base hold a term.
 */
export interface BaseGroup {
  slot: number;
  chat: number;
  byDay: boolean;
  start: number;
  count: number;
}

export interface BaseIndex {
  version: string;
  docs: number;
  docChunk: number;
  buckets: number;
  authors: string;
  /** Hash of the options that change every document (searchSettings()). */
  settings: string;
  /** The last change-log sequence number the base includes. */
  changeSeq: number;
  averages: FieldAverages;
  chats: { slug: string; title: string }[];
  slots: string[];
  groups: BaseGroup[];
}

interface ManifestJson {
  format?: number;
  version?: string;
  docs?: number;
  docChunk?: number;
  buckets?: number;
  authors?: string;
  sealed?: string;
  chats?: [string, string][];
  slots?: string[];
  kind?: string;
}

/** Reads a manifest's JSON and group table. */
export function decodeManifest(bytes: Uint8Array): { json: ManifestJson; groups: BaseGroup[] } {
  const r = new ByteReader(bytes);
  const json = JSON.parse(r.string()) as ManifestJson;
  const groups: BaseGroup[] = [];
  let start = 0;
  for (let slot = 0; slot < (json.slots?.length ?? 0); slot++) {
    const n = r.uint();
    let chat = 0;
    for (let g = 0; g < n; g++) {
      chat += r.uint();
      const v = r.uint();
      const count = Math.floor(v / 2);
      groups.push({ slot, chat, byDay: v % 2 === 1, start, count });
      start += count;
    }
  }
  return { json, groups };
}

/** What a delta build needs of its base, sealed in the base's manifest (format.ts BaseManifestExtra). */
export type BaseFacts = Pick<BaseIndex, 'settings' | 'changeSeq' | 'averages'>;

const SEAL_PURPOSE = 'search base';

/** `facts` sealed under the database's id (none: a database no import has given one, sealed under ''). */
export function sealBaseFacts(databaseId: string | null, facts: BaseFacts): string {
  return sealJson(databaseId ?? '', SEAL_PURPOSE, facts);
}

/**
 * The base index in `dataDir` of the database with this id, or why a delta cannot be built on it
 * (no index, an older format, one written before delta builds existed, or from another database).
 */
export function readBaseIndex(dataDir: string, databaseId: string | null): BaseIndex | { problem: string } {
  let bytes: Uint8Array;
  try {
    bytes = decodeDataScript(readFileSync(join(dataDir, `${dataKeys.manifest}.js`), 'utf8'), dataKeys.manifest);
  } catch (error) {
    return { problem: `no base index (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  let decoded: ReturnType<typeof decodeManifest>;
  try {
    decoded = decodeManifest(bytes);
  } catch (error) {
    return { problem: `unreadable base manifest (${(error as Error).message})` };
  }
  const { json, groups } = decoded;
  if (json.format !== FORMAT_VERSION) return { problem: `base index has format ${json.format}, not ${FORMAT_VERSION}` };
  if (!json.sealed || !json.version || !json.chats || !json.slots) return { problem: 'base index predates delta builds' };
  const facts = openJson(databaseId ?? '', SEAL_PURPOSE, json.sealed) as BaseFacts | undefined;
  if (typeof facts?.changeSeq !== 'number' || typeof facts.settings !== 'string' || !facts.averages) {
    return { problem: 'the base index was built from another database' };
  }
  return {
    version: json.version,
    docs: json.docs ?? 0,
    docChunk: json.docChunk ?? 0,
    buckets: json.buckets ?? 1,
    authors: json.authors ?? 'show',
    settings: facts.settings,
    changeSeq: facts.changeSeq,
    averages: facts.averages,
    chats: json.chats.map(([slug, title]) => ({ slug, title })),
    slots: json.slots,
    groups,
  };
}

/**
 * Lunr's documentsWithTerm in the base, by term: its postings in the text field
 * (inverted-index.ts counts it so). Reads only the buckets of the terms asked for, each once.
 */
export class BaseTermStats {
  private readonly buckets = new Map<number, Map<string, number>>();

  constructor(
    private readonly dataDir: string,
    private readonly base: BaseIndex,
  ) {}

  documentsWithTerm(term: string): number {
    const b = bucketOf(term, this.base.buckets);
    let bucket = this.buckets.get(b);
    if (!bucket) this.buckets.set(b, (bucket = this.readBucket(b)));
    return bucket.get(term) ?? 0;
  }

  /** Term → documentsWithTerm for one bucket (layout: shards.ts, `t/<b>`). */
  private readBucket(b: number): Map<string, number> {
    const key = dataKeys.bucket(b);
    const r = new ByteReader(decodeDataScript(readFileSync(join(this.dataDir, `${key}.js`), 'utf8'), key));
    const out = new Map<string, number>();
    const n = r.uint();
    for (let k = 0; k < n; k++) {
      const term = r.string();
      const nText = r.uint();
      const nAuthor = r.uint();
      const parts = r.uint();
      const classes: number[] = [];
      for (const postings of [nText, nAuthor]) {
        if (!postings) continue;
        const c = r.uint();
        r.skip(c);
        classes.push(c);
      }
      if (parts === 0) {
        let f = 0;
        for (const postings of [nText, nAuthor]) {
          if (!postings) continue;
          r.skip(classes[f++] > 1 ? 2 * postings : postings);
        }
      } else {
        r.skip(parts); // firstPart, then parts - 1 start deltas
        r.skip(r.uint()); // the first page's chunks
      }
      out.set(term, nText);
    }
    return out;
  }
}
