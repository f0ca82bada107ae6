/**
 * The parts of Eleventy 3's UserConfig the plugin uses (its templates, search and the plugin
 * entry): Eleventy ships JSDoc, not TypeScript declarations, for it.
 */
export interface EleventyConfig {
  addTemplate(virtualPath: string, content: unknown, data?: Record<string, unknown>): void;
  addGlobalData(name: string, data: unknown): void;
  addTemplateFormats(formats: string | string[]): void;
  on(event: string, callback: (arg: EleventyEventArg) => unknown): void;
  emit(event: string, ...args: unknown[]): unknown;
  versionCheck?(range: string): void;
}

/** What Eleventy passes to `eleventy.before`, `eleventy.after` and `eleventy.contentMap` handlers. */
export interface EleventyEventArg {
  directories?: { output?: string };
  /** `fs`, or `json`/`ndjson` (nothing is written). */
  outputMode?: string;
  /** eleventy.after: the templates written. */
  results?: unknown[];
  /** eleventy.contentMap (before anything renders): each template's input path and its pages' URLs. */
  inputPathToUrl?: Record<string, unknown[]>;
}

/**
 * Emitted (and awaited) by the product's own site (build.ts, serve.ts) when a build failed, before
 * the failure goes on to its caller: what the build still runs beside Eleventy (the search index
 * worker) stops, so nothing of it is written after. Eleventy has no event of its own for a failed
 * build (`eleventy.after` is not emitted); a project's build stops it at its next `eleventy.before`.
 */
export const BUILD_FAILED_EVENT = 'chatchannels.failed';
