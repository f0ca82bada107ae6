import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_CALLBACK } from './bytes.js';
import { clientDir } from './paths.js';
import { pipelineModule, isStopWord, stem } from './pipeline.js';

/**
 * The browser engine (site/client/search/engine.js), run in Node over a built `search/data/`
 * folder: for tests, and for checking a build from the command line. It is the very code the
 * browser runs, fed by reading the data scripts from disk instead of inserting <script> tags.
 */
export interface SearchRecord {
  doc: number;
  chat: { slug: string; title: string; index: number };
  author: string | null;
  time: number;
  text: string;
  anchor: string;
  /** Site-root-relative: `chats/<slug>/<page>/#<anchor>`. */
  path: string;
}

export interface SearchResult {
  count: number;
  mode: 'all' | 'any';
  sort: 'best' | 'newest' | 'oldest';
  reason: string;
  notes: string[];
  terms: string[];
  missing: string[];
  candidates?: Int32Array;
  score?: Float64Array;
  take(from: number, size: number): Promise<number[]>;
}

export interface SearchFilters {
  chat?: string;
  author?: string;
  after?: string;
  before?: string;
}

export interface SearchEngine {
  search(input: string, filters?: SearchFilters, options?: { sort?: string; timeZone?: string; mode?: 'all' | 'any' }): Promise<SearchResult>;
  document(doc: number): Promise<SearchRecord>;
  snippet(text: string, terms: string[], size?: number): { text: string; mark: boolean }[];
  termsOf(text: string): string[];
}

interface EngineModule {
  Engine: new (options: { load: (key: string) => Promise<string>; stem: (w: string) => string; isStopWord: (w: string) => boolean }) => SearchEngine;
  parseQuery(input: string): { words: string[]; excluded: string[]; authors: string[]; chats: string[]; after: string | null; before: string | null };
  parseDate(text: string, zone: string): number | null;
}

let engineModule: EngineModule | null = null;

export function engineModuleOf(): EngineModule {
  if (!engineModule) {
    const scope: { ccSearchPipeline?: unknown; ccSearchEngine?: EngineModule } = { ccSearchPipeline: pipelineModule() };
    new Function('globalThis', readFileSync(join(clientDir(), 'engine.js'), 'utf8'))(scope);
    if (!scope.ccSearchEngine) throw new Error('chatchannels search: engine.js did not register itself');
    engineModule = scope.ccSearchEngine;
  }
  return engineModule;
}

/** The payload of a data script (`ccSearchData("key","base64");`). */
export function payloadOf(script: string, key: string): string {
  const prefix = `${DATA_CALLBACK}(${JSON.stringify(key)},"`;
  if (!script.startsWith(prefix)) throw new Error(`search data file ${key}: unexpected content`);
  return script.slice(prefix.length, script.lastIndexOf('"'));
}

/** An engine over `<dataDir>` (the built `search/data/` folder); `onLoad` sees every file read. */
export function openSearchEngine(dataDir: string, onLoad?: (key: string, bytes: number) => void): SearchEngine {
  const { Engine } = engineModuleOf();
  return new Engine({
    load: async (key) => {
      const script = await readFile(join(dataDir, `${key}.js`), 'utf8');
      onLoad?.(key, script.length);
      return payloadOf(script, key);
    },
    stem,
    isStopWord,
  });
}
