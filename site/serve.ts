import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Eleventy from '@11ty/eleventy';
import { changeMarkerPath, touchChangeMarker } from '../collector/store/marker.js';
import { splitOptions, type BuildOptions } from './build.js';
import chatChannels from './plugin.js';
import type { BuildStats } from './state.js';

export interface ServeOptions extends BuildOptions {
  /** Port of the dev server (default 8080; Eleventy tries the next ones when it is taken). */
  port?: number;
  /** After each build: what it wrote (the first one full, later ones only what changed). */
  onBuild?: (stats: BuildStats) => void;
}

export interface SiteServer {
  /** Where the site is served, e.g. `http://localhost:8080/`. */
  url: string;
  /** Stops watching and serving. */
  close(): Promise<void>;
}

/**
 * Builds the site, serves it with Eleventy's dev server and rebuilds (live-reloading the browser)
 * whenever an import changes the database. Imports rewrite a marker file beside the database
 * (collector/store/marker.ts): in WAL mode a commit touches only `<db>-wal`, and watching that
 * would also rebuild on checkpoints. The first build writes everything; each rebuild only the
 * chats and days imported since (the plugin's `incremental` option). Resolves once the server
 * listens.
 */
export async function serveSite(options: ServeOptions): Promise<SiteServer> {
  const { out, pathPrefix, quiet, plugin } = splitOptions(options);
  delete (plugin as { onBuild?: unknown }).onBuild;
  const db = resolve(plugin.db);
  // Watched before any import wrote it: create it now, so there is a file to watch.
  if (!existsSync(changeMarkerPath(db)) && existsSync(db)) touchChangeMarker(db);
  const input = mkdtempSync(join(tmpdir(), 'chatchannels-input-'));
  let onReady!: (server: { getServerUrl?: (host: string) => string }) => void;
  const ready = new Promise<{ getServerUrl?: (host: string) => string }>((r) => (onReady = r));
  const eleventy = new Eleventy(input, resolve(out), {
    quietMode: quiet,
    configPath: false,
    pathPrefix,
    runMode: 'serve',
    config: (eleventyConfig) => {
      eleventyConfig.addPlugin(chatChannels, { incremental: true, ...plugin, db });
      eleventyConfig.addWatchTarget(changeMarkerPath(db));
      // Eleventy's watcher skips what the working folder's .gitignore lists, and databases are
      // rightly ignored there (a `data/` folder, say): the marker must be watched all the same.
      // The input is an empty temporary folder, so .gitignore has nothing else to do here.
      eleventyConfig.setUseGitIgnore(false);
      // The marker is replaced atomically (a rename): no need to wait for writes to settle.
      eleventyConfig.setChokidarConfig({ awaitWriteFinish: false });
      if (options.onBuild) eleventyConfig.on('chatchannels.after', options.onBuild);
      eleventyConfig.setServerOptions({
        port: options.port ?? 8080,
        showVersion: false,
        ready: onReady,
        ...(options.quiet === true ? { messageOnStart: () => false } : {}),
      });
    },
  });
  // Per-file logging stays off (quietMode); the server address and rebuild notices stay on
  // unless the caller asked for silence outright.
  if (options.quiet === true) eleventy.disableLogger();
  try {
    await eleventy.init();
    await eleventy.watch();
    await eleventy.serve(options.port ?? 8080);
    const server = await ready;
    const url = server.getServerUrl?.('localhost') ?? `http://localhost:${options.port ?? 8080}${pathPrefix ?? '/'}`;
    return {
      url,
      async close() {
        await eleventy.stopWatch();
        rmSync(input, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await eleventy.stopWatch().catch(() => undefined);
    rmSync(input, { recursive: true, force: true });
    throw err;
  }
}
