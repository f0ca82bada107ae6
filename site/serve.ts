import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP, type AddressInfo, type Server } from 'node:net';
import { resolve } from 'node:path';
import Eleventy from '@11ty/eleventy';
import { openReadOnly, ownedTempDir, removeTempDir, changeMarkerPath, touchChangeMarker } from '../collector/store/contract.js';
import { claimOutput, splitOptions, type BuildOptions } from './build.js';
import { publishedMediaType } from './data/media-name.js';
import { ArchiveReader } from './data/reader.js';
import { outputErrorIn } from './output/atomic.js';
import { normalizePrefix } from './render/links.js';
import { BUILD_FAILED_EVENT, type EleventyConfig } from './eleventy-config.js';
import { ownSitePlugin } from './plugin.js';
import type { BuildStart, BuildStats } from './state.js';

export interface ServeOptions extends BuildOptions {
  /** Port of the dev server (default 8080; Eleventy tries the next ones when it is taken). */
  port?: number;
  /**
   * Address to listen on (default 127.0.0.1: only this machine). The site holds private chats:
   * anything else, `0.0.0.0` say, puts them on the network.
   */
  host?: string;
  /** After each build: what it wrote (the first one full, later ones only what changed). */
  onBuild?: (stats: BuildStats) => void;
  /** Told of what serving found and handled (a stale lock of the output taken over). */
  onNotice?: (message: string) => void;
  /**
   * Told how the first build starts: resumed from the output's last complete build (only the
   * chats changed since are rebuilt), or in full, and why (site/output/stamp.ts).
   */
  onStart?: (start: BuildStart) => void;
}

export interface SiteServer {
  /** Where the site is served, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  /** The address and port the server's socket is bound to. */
  address: { host: string; port: number };
  /** Whether that address is loopback (the site is not reachable from other machines). */
  loopback: boolean;
  /** Stops watching and serving. */
  close(): Promise<void>;
}

/**
 * Builds the site, serves it with Eleventy's dev server and rebuilds (live-reloading the browser)
 * whenever an import changes the database. Imports rewrite a marker file beside the database
 * (collector/store/marker.ts): in WAL mode a commit touches only `<db>-wal`, and watching that
 * would also rebuild on checkpoints. The first build writes everything (or, when the output holds
 * a sound stamp of its last complete build, only what changed since: output/stamp.ts); each
 * rebuild only the chats and days imported since (the plugin's `incremental` option). Resolves once the server
 * listens: on loopback unless `host` says otherwise.
 */
export async function serveSite(options: ServeOptions): Promise<SiteServer> {
  const { host: _host, onBuild: _onBuild, onNotice: _onNotice, onStart: _onStart, ...buildOptions } = options;
  const { out, pathPrefix, quiet, plugin } = splitOptions(buildOptions);
  const db = resolve(plugin.db);
  // A missing or foreign database is told as build tells it (one line), not by Eleventy's first build.
  openReadOnly(db).close();
  // Held while serving: its rebuilds write the output whenever an import lands.
  const lock = claimOutput(out);
  if (lock.notice) options.onNotice?.(lock.notice);
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
  const host = options.host ?? '127.0.0.1';
  let onReady!: (server: DevServer) => void;
  const ready = new Promise<DevServer>((r) => (onReady = r));
  let config = null as EleventyConfig | null; // set in Eleventy's config callback
  let lastBuild = null as BuildStats | null;
  const eleventy = new Eleventy(input, resolve(out), {
    quietMode: quiet,
    configPath: false,
    pathPrefix,
    runMode: 'serve',
    config: (eleventyConfig) => {
      config = eleventyConfig;
      // Served here, the feeds' absolute links are this server's (a reader on this machine can
      // subscribe, and no "needs siteUrl" warning on every start); a chosen siteUrl wins.
      const port = options.port ?? 8080;
      const local = !plugin.siteUrl && port !== 0 ? { siteUrl: `http://${urlHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${port}/` } : {};
      // The first build resumes from the output's last complete build when that is sound (output/stamp.ts).
      const own = { pathPrefix, resume: true, interrupted: lock.notice !== null, onStart: options.onStart };
      eleventyConfig.addPlugin(ownSitePlugin(own), { incremental: true, ...plugin, ...local, db });
      eleventyConfig.addWatchTarget(changeMarkerPath(db));
      // Eleventy's watcher skips what the working folder's .gitignore lists, and databases are
      // rightly ignored there (a `data/` folder, say): the marker must be watched all the same.
      // The input is an empty temporary folder, so .gitignore has nothing else to do here.
      eleventyConfig.setUseGitIgnore(false);
      // The marker is one tiny write whose content nobody reads: no need to wait for it to settle.
      eleventyConfig.setChokidarConfig({ awaitWriteFinish: false });
      eleventyConfig.on('chatchannels.after', (stats: BuildStats) => {
        lastBuild = stats;
        options.onBuild?.(stats);
        catchUp.after(stats.changeSeq);
      });
      eleventyConfig.setServerOptions({
        port: options.port ?? 8080,
        showVersion: false,
        ready: onReady,
        middleware: [safeTypes(normalizePrefix(pathPrefix))],
        messageOnStart: () => false, // it would say `localhost` whatever the address: callers print `url`
      });
    },
  });
  // A rebuild an import started may be writing when close() is called: close waits for it (the
  // output stays locked meanwhile), and no rebuild starts once closing (a change Eleventy saw just
  // before would otherwise start one after close, into an output no longer locked).
  let building: Promise<unknown> = Promise.resolve();
  let closing = false;
  const write = eleventy.write.bind(eleventy);
  eleventy.write = () => {
    if (closing) return Promise.reject(new Error('chatchannels: serving has stopped'));
    // A failed build's search worker stops before Eleventy's watch goes on (a rebuild, the error sent to the page).
    const run = write().catch(async (err: unknown) => {
      await config?.emit(BUILD_FAILED_EVENT);
      throw err;
    });
    building = run.catch(() => undefined);
    return run;
  };
  // Per-file logging stays off (quietMode); rebuild notices stay on unless the caller asked for
  // silence outright.
  if (options.quiet === true) eleventy.disableLogger();
  else countOwnWrites(eleventy, () => lastBuild);
  try {
    await eleventy.init();
    await eleventy.watch();
    const port = options.port ?? 8080;
    let refuse!: (err: Error) => void;
    const refused = new Promise<never>((_, reject) => (refuse = reject));
    refused.catch(() => undefined); // raced below; a refusal comes before anyone awaits it
    await listenOn(eleventy, host, port, refuse);
    // `serve` waits for the dev server to listen, which a refused port or address never does:
    // without the race, serveSite would wait forever (its watchers keeping the process alive).
    await Promise.race([eleventy.serve(port), refused]);
    const server = await Promise.race([ready, refused]);
    const bound = server.server.address() as AddressInfo;
    const loopback = isLoopback(bound.address);
    if (!loopback && isLoopback(host)) throw new Error(`chatchannels: asked to listen on ${host}, but the server listens on ${bound.address}`);
    // A wildcard address is not one to open: the page is at loopback too.
    const unspecified = bound.address === '0.0.0.0' || bound.address === '::';
    const url = server.getServerUrl(urlHost(unspecified ? '127.0.0.1' : bound.address));
    return {
      url,
      address: { host: bound.address, port: bound.port },
      loopback,
      async close() {
        closing = true;
        // A rebuild still running ends by adding its new dependencies to the watcher, and
        // chokidar's add() reopens a closed watcher: its fs.watch handle then kept the process
        // alive for good (seen: a test file that never exited). Nothing is added once closing.
        const watcher = (eleventy as unknown as { watcher?: { add(paths: unknown): unknown } }).watcher;
        if (watcher) watcher.add = () => watcher;
        catchUp.stop();
        await eleventy.stopWatch();
        await building;
        catchUp.stop(); // the build just awaited may have scheduled a check
        removeTempDir(input);
        lock.release();
      },
    };
  } catch (err) {
    catchUp.stop();
    await eleventy.stopWatch().catch(() => undefined);
    removeTempDir(input);
    lock.release();
    throw outputErrorIn(err) ?? err;
  }
}

/**
 * Eleventy closes each build with "Wrote 7 files in 0.34 seconds", counting its own few templates
 * only; the plugin writes the archive pages, landing pages, feeds and anchor maps itself. The line
 * counts those too (`last`: the plugin's figures for the build that just ended).
 */
function countOwnWrites(eleventy: InstanceType<typeof Eleventy>, last: () => BuildStats | null): void {
  const logger = (eleventy as unknown as { logger: { logWithOptions(options: { message: string }): void } }).logger;
  const log = logger.logWithOptions.bind(logger);
  logger.logWithOptions = (options) => {
    const stats = last();
    const own = /^Wrote (?:\x1b\[\d+m)?(\d+)(?:\x1b\[\d+m)? files?/.exec(options.message);
    if (!stats || !own) return log(options);
    const files = Number(own[1]) + stats.archivePages + stats.landingPages + stats.chatFeeds + stats.otherFiles;
    const media = stats.mediaFiles ? ` and ${stats.mediaFiles} media file${stats.mediaFiles === 1 ? '' : 's'}` : '';
    log({ ...options, message: `Wrote ${files} file${files === 1 ? '' : 's'}${media}${options.message.slice(own[0].length)}` });
  };
}

/** What `setServerOptions({ ready })` hands over: Eleventy's dev server. */
interface DevServer {
  server: Server;
  getServerUrl(host: string): string;
  _serverListen(port: number): void;
}

/**
 * Makes Eleventy's dev server listen on `host`. Its version 2 has no such option and listens on
 * every interface; its one listen call (also used to retry the next port when one is taken) is
 * replaced by one that names the address. `serveSite` checks the address bound afterwards, so a
 * dev server that stops calling it fails loudly instead of serving private chats to the network.
 */
async function listenOn(eleventy: Eleventy, host: string, requested: number, refuse: (err: Error) => void): Promise<void> {
  const serve = (eleventy as unknown as { eleventyServe: { init(): Promise<void>; initServerInstance(): Promise<void>; server: DevServer } }).eleventyServe;
  await serve.init();
  await serve.initServerInstance();
  const dev = serve.server;
  // The dev server only logs what else fails (an address not on this machine, a port it may not
  // bind) and then never listens: that refuses serving too. A taken port is refused below.
  dev.server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') refuse(new Error(`cannot listen on ${urlHost(host)}:${requested}: ${err.message}`));
  });
  dev._serverListen = (port: number) => {
    // The dev server moves on to the next port when one is taken: a bookmark or a script would
    // then open another site, or none. Port 0 asks for any free port.
    if (requested !== 0 && port !== requested) {
      refuse(new Error(`port ${requested} on ${host} is in use: choose another with --port N, or --port 0 for any free port`));
      return;
    }
    dev.server.listen({ port, host });
  };
}

function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === 'localhost' || a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

function urlHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/**
 * Headers for every response: `nosniff`, so no browser guesses HTML from a file's bytes; and for
 * media, the type of the name's allow-listed extension, else application/octet-stream, whatever
 * name the file has on disk (an output folder written by an older version may hold a `README`).
 */
function safeTypes(prefix: string) {
  const media = `${prefix}media/`;
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // As the dev server resolves it: `/chats/../media/…` and `%2e%2e` are media too. What it cannot
    // resolve (`//`: a host-relative URL with no host) would throw in its middleware and take the
    // process down: any page the reader has open could send that to 127.0.0.1. Refused here.
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost/').pathname;
    } catch {
      res.statusCode = 400;
      res.end('Bad request\n');
      return;
    }
    if (path.startsWith(media)) res.setHeader('Content-Type', publishedMediaType(path.slice(path.lastIndexOf('/') + 1)));
    next();
  };
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
