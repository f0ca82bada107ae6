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

/** What Eleventy passes to `eleventy.before` and `eleventy.after` handlers. */
export interface EleventyEventArg {
  directories?: { output?: string };
  /** `fs`, or `json`/`ndjson` (nothing is written). */
  outputMode?: string;
  /** eleventy.after: the templates written. */
  results?: unknown[];
}
