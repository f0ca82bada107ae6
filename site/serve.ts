import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Eleventy from '@11ty/eleventy';
import { splitOptions, type BuildOptions } from './build.js';
import chatChannels from './plugin.js';

export interface ServeOptions extends BuildOptions {
  /** Port of the dev server (default 8080; Eleventy tries the next ones when it is taken). */
  port?: number;
}

export interface SiteServer {
  /** Where the site is served, e.g. `http://localhost:8080/`. */
  url: string;
  /** Stops watching and serving. */
  close(): Promise<void>;
}

/**
 * Builds the site, serves it with Eleventy's dev server and rebuilds (live-reloading the browser)
 * whenever the database changes. In WAL mode a commit only touches `<db>-wal` (TECH-NOTES), so
 * that file is watched too, and so is the marker the collector's watch mode leaves after each
 * import. Every rebuild is a full one for now (a fresh database snapshot, all pages). Resolves
 * once the server listens.
 */
export async function serveSite(options: ServeOptions): Promise<SiteServer> {
  const { out, pathPrefix, quiet, plugin } = splitOptions(options);
  const db = resolve(plugin.db);
  const input = mkdtempSync(join(tmpdir(), 'chatchannels-input-'));
  let onReady!: (server: { getServerUrl?: (host: string) => string }) => void;
  const ready = new Promise<{ getServerUrl?: (host: string) => string }>((r) => (onReady = r));
  const eleventy = new Eleventy(input, resolve(out), {
    quietMode: quiet,
    configPath: false,
    pathPrefix,
    runMode: 'serve',
    config: (eleventyConfig) => {
      eleventyConfig.addPlugin(chatChannels, { ...plugin, db });
      eleventyConfig.addWatchTarget(db);
      eleventyConfig.addWatchTarget(`${db}-wal`);
      // The marker `chatchannels watch` rewrites after each import (collector/watch.ts, changeMarkerPath).
      eleventyConfig.addWatchTarget(`${db}.changed`);
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
