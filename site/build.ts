import { resolve } from 'node:path';
import Eleventy from '@11ty/eleventy';
import { ownedTempDir, removeTempDir } from '../collector/temp-dir.js';
import chatChannels from './plugin.js';
import type { ChatChannelsOptions } from './options.js';
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
  const input = ownedTempDir('chatchannels-input-');
  let stats = null as BuildStats | null; // set by the plugin's chatchannels.after event
  try {
    const eleventy = new Eleventy(input, resolve(out), {
      quietMode: quiet,
      configPath: false,
      pathPrefix,
      config: (eleventyConfig) => {
        eleventyConfig.addPlugin(chatChannels, { ...plugin, db: resolve(plugin.db) });
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
      pages: pages + (stats?.archivePages ?? 0),
      feeds,
      files: files + (stats?.archivePages ?? 0) + (stats?.otherFiles ?? 0),
      chats: stats?.chats ?? 0,
      messages: stats?.messages ?? 0,
      mediaFiles: stats?.mediaFiles ?? 0,
      changeSeq: stats?.changeSeq ?? 0,
      incremental: stats?.incremental ?? false,
    };
  } finally {
    removeTempDir(input);
  }
}
