import { createRequire } from 'node:module';
import { BUILD_FAILED_EVENT, type EleventyConfig } from './eleventy-config.js';
import { resolveOptions, type ChatChannelsOptions, type ResolvedOptions } from './options.js';
import { makeEleventyWritesAtomic } from './output/eleventy-writes.js';
import { outputPath } from './output/manifest.js';
import { renderPage } from './render/layout.js';
import { Links, sitePaths } from './render/links.js';
import { registerSearch } from './search/index.js';
import { PluginState, type OwnSite } from './state.js';
import { addArchiveTemplate } from './templates/archive.js';
import { addAssetTemplates } from './templates/assets.js';
import { addFeedTemplates } from './templates/feeds.js';
import { addGalleryTemplate } from './templates/gallery.js';
import { addIndexTemplate } from './templates/index.js';
import { addOpmlTemplate } from './templates/opml.js';
import { addRobotsTemplate } from './templates/robots.js';

export type { ChatChannelsOptions } from './options.js';
export type { LayoutPage } from './render/layout.js';
export { defaultLayout } from './render/layout.js';

/** The Eleventy versions this package supports, declared in package.json as official plugins do. */
export const ELEVENTY_COMPATIBILITY: string = (
  createRequire(import.meta.url)('../../package.json') as { '11ty': { compatibility: string } }
)['11ty'].compatibility;


/**
 * chatchannels as an Eleventy 3 plugin:
 *
 *   eleventyConfig.addPlugin(chatChannels, { db: 'chatchannels.sqlite' });
 *
 * publishes the database's chats: an index, a landing page and monthly (or daily) archive pages
 * per chat with a permanent anchor per message, Atom feeds, an OPML list, media files. Every page
 * is an 11ty.js virtual template rendered straight from SQLite. Options: site/options.ts and
 * site/README.md.
 */
export default function chatChannels(eleventyConfig: EleventyConfig, options: ChatChannelsOptions): void {
  addChatChannels(eleventyConfig, options, null);
}

/**
 * The plugin, as the product's own site adds it (site/build.ts, site/serve.ts: no project
 * templates, no layout of a user's): `own` stamps its complete builds, and lets serve resume.
 */
export function ownSitePlugin(own: OwnSite): (eleventyConfig: EleventyConfig, options: ChatChannelsOptions) => void {
  return (eleventyConfig, options) => addChatChannels(eleventyConfig, options, own);
}

function addChatChannels(eleventyConfig: EleventyConfig, options: ChatChannelsOptions, own: OwnSite | null): void {
  eleventyConfig.versionCheck?.(ELEVENTY_COMPATIBILITY);
  const resolved = resolveOptions(options ?? {});
  const state = new PluginState(resolved, own);
  if (resolved.authors !== 'show' && !resolved.pseudonymSalt) {
    // Anchors are keyed with the database's id (data/public-anchor.ts), but pseudonyms and private
    // chat folders hash the account and chat ids alone: said once per project, not per rebuild.
    console.warn(
      `[chatchannels] authors "${resolved.authors}" without pseudonymSalt: someone who guesses an account id can recompute its ${resolved.authors === 'pseudonymize' ? 'pseudonym and ' : ''}direct chats' folder names (c-…); set pseudonymSalt (--pseudonym-salt) to a secret of your own`,
    );
  }

  // The templates are 11ty.js: make sure a project that narrowed templateFormats still builds them.
  eleventyConfig.addTemplateFormats('11ty.js');
  // Computed per build (and per watch rebuild): a fresh snapshot of the database.
  eleventyConfig.addGlobalData('chatchannels', () => state.open());
  eleventyConfig.on('eleventy.before', async ({ directories, outputMode }) => {
    state.outputMode = outputMode ?? 'fs';
    state.outputDir = directories?.output ?? null;
    // First, before search plans (its listener comes after this one) and before anything writes.
    state.beginBuild(state.outputDir, state.outputMode === 'fs');
    // No page Eleventy rewrites is ever left truncated by a build killed midway.
    await makeEleventyWritesAtomic();
  });
  // Before anything renders: the plugin writes chats' pages itself, so Eleventy's duplicate-permalink
  // check cannot see a project page that would overwrite one.
  eleventyConfig.on('eleventy.contentMap', ({ inputPathToUrl }) => refuseOwnPaths(inputPathToUrl ?? {}));
  // A failed build (build.ts, serve.ts say so): its archive worker stops before the failure goes on.
  eleventyConfig.on(BUILD_FAILED_EVENT, () => state.close());
  eleventyConfig.on('eleventy.after', ({ directories, outputMode, results }) => {
    const out = outputMode === undefined || outputMode === 'fs' ? (directories?.output ?? null) : null;
    const written = out === null ? [] : [...pluginOutputs(out, results ?? []), ...(resolved.search ? SEARCH_FILES : [])];
    const stats = state.finish(out, written);
    // Without search the build is complete here; with it, once the index is written (addSearch).
    if (!resolved.search) state.completeBuild(out);
    if (stats) eleventyConfig.emit('chatchannels.after', stats);
  });

  addIndexTemplate(eleventyConfig, state);
  addGalleryTemplate(eleventyConfig, state);
  addFeedTemplates(eleventyConfig, state);
  addOpmlTemplate(eleventyConfig, state);
  addRobotsTemplate(eleventyConfig, state);
  addAssetTemplates(eleventyConfig);
  if (resolved.search) addSearch(eleventyConfig, resolved, state);
  // Last: at Eleventy's default concurrency (1) it renders templates one after another in this
  // order, and the archive template ends by waiting for the worker writing the other share of its
  // pages (render/archive-threads.ts).
  addArchiveTemplate(eleventyConfig, state);
}

/** Written by the search index builder itself (site/search/build.ts): the client and the data folder, owned whole. */
const SEARCH_FILES = ['search/search.js', 'search/data/'];

/** Whether an Eleventy input path is one of the plugin's own (virtual) templates. */
function isPluginTemplate(inputPath: string | undefined): boolean {
  return inputPath?.includes('chatchannels-virtual/') ?? false;
}

/** The folder of the chats' pages, which the plugin writes itself (landing, archive and feed pages, anchor maps). */
const CHATS_FOLDER = '/chats/';

/** Fails the build when a project template's URL falls in the chats' folder, where it would overwrite a page of the plugin's. */
function refuseOwnPaths(inputPathToUrl: Record<string, unknown[]>): void {
  for (const [inputPath, urls] of Object.entries(inputPathToUrl)) {
    if (isPluginTemplate(inputPath)) continue;
    const url = urls.find((u): u is string => typeof u === 'string' && u.startsWith(CHATS_FOLDER));
    if (url) throw new Error(`chatchannels: ${inputPath} would write ${url}, in ${CHATS_FOLDER}, which chatchannels writes itself; give it another permalink`);
  }
}

/** Output paths of the plugin's own templates among Eleventy's results (not the project's). */
function pluginOutputs(out: string, results: unknown[]): string[] {
  const paths: string[] = [];
  for (const result of results.flat(Infinity as 1) as { inputPath?: string; outputPath?: string | false }[]) {
    if (!result?.outputPath || !isPluginTemplate(result.inputPath)) continue;
    const path = outputPath(out, result.outputPath);
    if (path) paths.push(path);
  }
  return paths;
}

/** The search page in the site's chrome, and its index over the published chats (site/search/). */
function addSearch(eleventyConfig: EleventyConfig, options: ResolvedOptions, state: PluginState): void {
  const links = new Links(sitePaths.search);
  registerSearch(eleventyConfig, options, {
    // A watch rebuild (or `since`) adds a delta over the existing index instead of rebuilding it.
    incremental: () => state.nextBuildIsIncremental(),
    // Search is planned from, and indexes, the snapshot the pages render from.
    pin: () => state.pin(),
    onBuilt: () => {
      state.searchDone();
      state.completeBuild(state.outputDir);
    },
    layout: (page) =>
      renderPage(options, links, {
        kind: 'search',
        titleParts: [page.title],
        crumbs: [
          { label: options.title, path: sitePaths.index },
          { label: 'Search', path: null },
        ],
        content: page.content,
        firstHead: page.script,
        extraHead: page.styles,
      }),
  });
}

// Adding the plugin twice keeps the first (its virtual templates would otherwise conflict):
// Eleventy skips a plugin marked unique whose package name it has already seen.
Object.defineProperty(chatChannels, 'eleventyPackage', { value: 'chatchannels' });
Object.defineProperty(chatChannels, 'eleventyPluginOptions', { value: { unique: true } });
