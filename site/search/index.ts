/**
 * chatchannels search: a prebuilt, sharded index over every published message, queried in the
 * browser with no server (see shards.ts for the files, site/client/search/ for the client).
 *
 * - registerSearch(eleventyConfig, options, hooks): what the plugin calls to add search to a site
 *   (options: the plugin's own, site/options.ts).
 * - buildSearchIndex(options): the same files without Eleventy (benchmarks, scripts).
 * - updateSearchIndex(options): a delta over the last full build when few messages changed since
 *   (watch mode), else a full build (delta.ts).
 */
export { buildSearchIndex, searchVersion, type SearchIndexOptions, type SearchIndexResult } from './build.js';
export { planSearchUpdate, updateSearchIndex, type SearchUpdateOptions, type SearchUpdatePlan, type SearchUpdateResult } from './delta.js';
export { registerSearch, type SearchHooks, type SearchLayout } from './register.js';
export { searchPageParts, renderSearchPage, type SearchPageParts } from './page.js';
export { createSearchPipeline, type SearchPipeline } from './pipeline.js';
export { DEFAULT_SIZES, FORMAT_VERSION, type ShardSizes } from './shards.js';
