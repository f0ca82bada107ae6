import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type EleventyClass from '@11ty/eleventy';
import { keepHeapGrowthBound, BUILD_HEAP_GROWING_PERCENT, ownedTempDir, removeTempDir } from '../collector/store/contract.js';
import { keepBuildCompileBudget } from './compile-budget.js';
import { BUILD_FAILED_EVENT, type EleventyConfig } from './eleventy-config.js';
import { ownSitePlugin } from './plugin.js';
import { resolveOptions, type ChatChannelsOptions } from './options.js';
import { OutputError, outputErrorIn } from './output/atomic.js';
import { lockOutput, type OutputLock } from './output/lock.js';
import { prestartArchiveWorker, type PrestartedWorker } from './render/archive-threads.js';
import type { BuildStats } from './state.js';

export interface BuildOptions extends ChatChannelsOptions {
  /** Output folder. */
  out: string;
  /** The URL path the site is served under, e.g. `/archive/` (Eleventy's pathPrefix). */
  pathPrefix?: string;
  /** Suppress Eleventy's per-file log (default true). */
  quiet?: boolean;
}

export interface BuildResult {
  /** HTML pages written. */
  pages: number;
  /** Atom feeds written. */
  feeds: number;
  /** Every file written but media: pages, feeds, anchor maps, assets… */
  files: number;
  /** Chats and messages published. */
  chats: number;
  messages: number;
  /** Media files written in this build (ones already in the output are not rewritten). */
  mediaFiles: number;
  /** The database's change-log point this build included: `since` for a later incremental build. */
  changeSeq: number;
  /** Whether only what changed since `since` was written. */
  incremental: boolean;
  /** Files an earlier build wrote that this one no longer publishes (an excluded chat…), removed. */
  removed: number;
  /** Things the build found and handled that its user should know (a stale lock taken over). */
  notices: string[];
}

/** Splits BuildOptions into Eleventy's options and the plugin's. */
export function splitOptions(options: BuildOptions & { port?: number }): {
  out: string;
  pathPrefix: string | undefined;
  quiet: boolean;
  plugin: ChatChannelsOptions;
} {
  const { out, pathPrefix, quiet, port: _port, ...rest } = options;
  // Leave out undefined values (CLI flags not given) so that the plugin's defaults apply.
  const plugin: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) plugin[key] = value;
  return { out, pathPrefix, quiet: quiet ?? true, plugin: plugin as unknown as ChatChannelsOptions };
}

/**
 * Builds the site once, the same way a project's `.eleventy.js` with the plugin would. A fresh
 * Eleventy per build (a reused instance keeps stale global data), no project config file, and an
 * empty input folder of its own, so nothing but the plugin's pages end up in the output.
 */
export async function buildSite(options: BuildOptions): Promise<BuildResult> {
  const { out, pathPrefix, quiet, plugin } = splitOptions(options);
  const lock = claimOutput(out);
  // Held for the rest of the process: a process that builds is ours to tune.
  keepHeapGrowthBound(BUILD_HEAP_GROWING_PERCENT);
  keepBuildCompileBudget();
  const input = ownedTempDir('chatchannels-input-');
  let stats = null as BuildStats | null; // set by the plugin's chatchannels.after event
  let config = null as EleventyConfig | null; // set in Eleventy's config callback
  let archiveWorker: PrestartedWorker | null = null;
  try {
    const options = { ...plugin, db: resolve(plugin.db) };
    // Its start-up and catalog overlap Eleventy's loading; it writes nothing before the build's snapshot is open (state.ts).
    archiveWorker = prestart(options, resolve(out));
    const Eleventy = await loadEleventy();
    const eleventy = new Eleventy(input, resolve(out), {
      quietMode: quiet,
      configPath: false,
      pathPrefix,
      config: (eleventyConfig) => {
        config = eleventyConfig;
        // The plugin's pages alone: a complete build is stamped (output/stamp.ts), so that serve can resume from it.
        eleventyConfig.addPlugin(ownSitePlugin({ pathPrefix, resume: false, archiveWorker }), options);
        eleventyConfig.on('chatchannels.after', (s: BuildStats) => (stats = s));
      },
    });
    // quietMode still prints the closing "Wrote N files" line; a quiet build prints nothing.
    if (quiet) eleventy.disableLogger();
    const [, templates] = (await eleventy.write()) as [unknown, { outputPath?: string }[]];
    let pages = 0;
    let feeds = 0;
    let files = 0;
    for (const result of templates.flat(Infinity as 1) as { outputPath?: string }[]) {
      if (!result?.outputPath) continue;
      files++;
      if (result.outputPath.endsWith('.html')) pages++;
      else if (result.outputPath.endsWith('.xml')) feeds++;
    }
    return {
      pages: pages + (stats?.archivePages ?? 0) + (stats?.landingPages ?? 0),
      feeds: feeds + (stats?.chatFeeds ?? 0),
      files: files + (stats?.archivePages ?? 0) + (stats?.otherFiles ?? 0) + (stats?.landingPages ?? 0) + (stats?.chatFeeds ?? 0),
      chats: stats?.chats ?? 0,
      messages: stats?.messages ?? 0,
      mediaFiles: stats?.mediaFiles ?? 0,
      changeSeq: stats?.changeSeq ?? 0,
      incremental: stats?.incremental ?? false,
      removed: stats?.removedFiles ?? 0,
      notices: lock.notice ? [lock.notice] : [],
    };
  } catch (err) {
    // Nothing of this build (the search index worker) writes once it has failed, or after the lock goes.
    await config?.emit(BUILD_FAILED_EVENT);
    // Eleventy reports a failed write as "Having trouble rendering 11ty.js template…": say which file and why.
    throw outputErrorIn(err) ?? err;
  } finally {
    // Ended before the lock goes. Not taken (the build failed before its snapshot opened): it wrote
    // nothing. Taken: done, or stopped by the failed build's event (plugin.ts); this waits for it.
    await archiveWorker?.worker.stop();
    lock.release();
    removeTempDir(input);
  }
}

/** The build's archive worker, started before Eleventy loads (null: options the plugin will refuse, or no worker). */
function prestart(options: ChatChannelsOptions, out: string): PrestartedWorker | null {
  let resolved;
  try {
    resolved = resolveOptions(options);
  } catch {
    return null; // the plugin reports it
  }
  return prestartArchiveWorker(resolved, out);
}

/**
 * Eleventy, loaded without its ESM cache buster when this process has not loaded it yet. On Node
 * < 22.15 that buster is a module-hooks thread (module.register, in Eleventy's
 * Util/EsmResolverPortAdapter.js) that every later import on this thread waits on, and that
 * re-imports a project's changed JavaScript files in watch mode. A one-time build of no project
 * files (configPath false, an empty input folder) has nothing for it to do: ~0.15 s of CPU and a
 * thread saved. The variable is Eleventy's own switch (its issue 3371), set only while its
 * modules load, so a process that serves later is not changed (serve.ts loads Eleventy itself).
 */
async function loadEleventy(): Promise<typeof EleventyClass> {
  const mine = process.env.ELEVENTY_SKIP_ESM_RESOLVER === undefined;
  if (mine) process.env.ELEVENTY_SKIP_ESM_RESOLVER = '1';
  try {
    return (await import('@11ty/eleventy')).default;
  } finally {
    if (mine) delete process.env.ELEVENTY_SKIP_ESM_RESOLVER;
  }
}

/**
 * Checks that `out` can be an output folder and locks it for this process (output/lock.ts): one
 * build writes an output folder at a time, so that a build that succeeds leaves a complete site.
 */
export function claimOutput(out: string): OutputLock {
  try {
    process.cwd();
  } catch {
    // Eleventy resolves its folders against it and would wait forever.
    throw new Error('the working folder no longer exists (deleted or moved away): cannot build from it');
  }
  let isFolder = true;
  try {
    isFolder = statSync(out).isDirectory();
  } catch {
    // not there yet: created
  }
  if (!isFolder) throw new OutputError(`the output folder ${out} is a file`, 'EEXIST');
  return lockOutput(out);
}
