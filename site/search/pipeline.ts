import lunr from 'lunr';
import { clientModules } from './bundle.js';

/**
 * The text pipeline of the index: site/client/search/pipeline.js — the very file the browser runs —
 * with Lunr's own English stop word filter and Porter stemmer. Loading the browser file (rather
 * than a TypeScript twin) makes "the query is cut like the documents were" true by construction.
 */
export interface SearchPipeline {
  /** Index terms of a text; `forQuery` cuts CJK into bigrams only. */
  terms(text: string | null | undefined, forQuery?: boolean): string[];
  /** The index term of one word from tokenize() ('' for a stop word). */
  term(word: string): string;
  /** The words of a text (before stop words and stemming). */
  tokenize(text: string | null | undefined, forQuery?: boolean): string[];
}

export interface PipelineModule {
  WORD: RegExp;
  MAX_WORD: number;
  normalize(text: string): string;
  tokenize(text: string | null | undefined, forQuery?: boolean): string[];
  createPipeline(stem: (word: string) => string, isStopWord: (word: string) => boolean): SearchPipeline;
  hashTerm(term: string): number;
  PREFIX_MIN: number;
  shardKey(term: string): string;
  prefixable(term: string): boolean;
  bucketOf(term: string, buckets: number): number;
  isCjk(s: string): boolean;
}

let loaded: PipelineModule | null = null;

/** The shared pipeline module (pipeline.js as the browser gets it, evaluated once in this realm). */
export function pipelineModule(): PipelineModule {
  if (!loaded) loaded = clientModules().pipeline as unknown as PipelineModule;
  return loaded;
}

/** lunr.stemmer on a plain string. */
export function stem(word: string): string {
  return lunr.stemmer(new lunr.Token(word, {})).toString();
}

/** lunr.stopWordFilter as a predicate. */
export function isStopWord(word: string): boolean {
  return lunr.stopWordFilter(new lunr.Token(word, {})) === undefined;
}

export function createSearchPipeline(): SearchPipeline {
  return pipelineModule().createPipeline(stem, isStopWord);
}

/** The term bucket (of `buckets`) that holds `term` (pipeline.js: sharded by the term's first characters). */
export function bucketOf(term: string, buckets: number): number {
  return pipelineModule().bucketOf(term, buckets);
}

/** Whether a query term may be matched as a prefix (pipeline.js: long enough, not CJK). */
export function prefixable(term: string): boolean {
  return pipelineModule().prefixable(term);
}
