import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Eleventy from '@11ty/eleventy';
import { ownedTempDir, removeTempDir } from '../collector/temp-dir.js';
import { changeMarkerPath, touchChangeMarker } from '../collector/store/marker.js';
import { splitOptions, type BuildOptions } from './build.js';
import { ArchiveReader } from './data/reader.js';
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
  if (!existsSync(changeMarkerPath(db)) && existsSync(db)) {
    try {
      touchChangeMarker(db);
    } catch {
      // A read-only folder: no import can change the database there, so there is nothing to watch.
    }
  }
  const input = ownedTempDir('chatchannels-input-');
  const catchUp = new CatchUp(db);
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
      // The marker is one tiny write whose content nobody reads: no need to wait for it to settle.
      eleventyConfig.setChokidarConfig({ awaitWriteFinish: false });
      eleventyConfig.on('chatchannels.after', (stats: BuildStats) => {
        options.onBuild?.(stats);
        catchUp.after(stats.changeSeq);
      });
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
        catchUp.stop();
        await eleventy.stopWatch();
        removeTempDir(input);
      },
    };
  } catch (err) {
    catchUp.stop();
    await eleventy.stopWatch().catch(() => undefined);
    removeTempDir(input);
    throw err;
  }
}

/**
 * Eleventy's watcher can miss a marker change that lands just as a rebuild ends (measured: an
 * import committed right after a rebuild went unseen, so the site stayed one import behind until
 * the next). So after each build, once Eleventy has settled, the database is asked whether it has
 * changes the build did not include; if so, the marker is written again and a rebuild follows.
 */
class CatchUp {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: string,
    private readonly settleMs = 300,
  ) {}

  after(builtUpTo: number): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        const reader = new ArchiveReader(this.db);
        let latest: number;
        try {
          latest = reader.lastChange();
        } finally {
          reader.close();
        }
        if (latest > builtUpTo) touchChangeMarker(this.db);
      } catch {
        // A database being replaced or locked: the next import writes the marker anyway.
      }
    }, this.settleMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
