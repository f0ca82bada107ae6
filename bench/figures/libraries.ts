import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { listTar } from '../../collector/sources/kit/archive/tar.js';
import { BuildSession } from '../../site/data/session.js';
import { resolveOptions } from '../../site/options.js';
import { atomFeed, chatFeedDescription, siteFeedDescription, writeAtom, type AtomFeed } from '../../site/render/atom.js';
import { PublicUrls } from '../../site/render/links.js';
import { feedPackageAtom } from '../reference/feed-package.js';
import type { SizeContext } from './context.js';
import { figure, type Figure, type FigureSpec } from './figure.js';
import { mb, msText } from './format.js';

/**
 * The two places where the product could use a library and measures the choice (README,
 * "Dependencies"): Atom feeds are written by hand because the `feed` package is many times slower
 * (ours beside it, over the corpus's own feeds); tar is read with `tar-stream` (its listing speed
 * over the corpus packed with media, for scale against the import).
 */
export const FEEDS_WRITE: FigureSpec = {
  key: 'feeds.write',
  label: 'feeds: write every feed',
  unit: 'ms',
  referenceName: 'feed package',
};

export const TAR_LIST: FigureSpec = {
  key: 'tar.list',
  label: 'tar: list entries (tar-stream)',
  unit: 'ms',
};

/** Media packed beside messages.json: one 64 KiB file per 50 messages (2,000 at 100k), 100 to 5,000. */
const MEDIA_BYTES = 64 * 1024;
const mediaFiles = (messages: number) => Math.min(5000, Math.max(100, Math.round(messages / 50)));
const SITE_URL = 'https://bench.example.org/';

export interface LibraryFigures {
  figures: Figure[];
  details: Record<string, unknown>;
}

export async function measureLibraries(ctx: SizeContext, dbFile: string): Promise<LibraryFigures> {
  const feeds = measureFeeds(ctx, dbFile);
  const tar = await measureTar(ctx);
  return { figures: [feeds.figure, tar.figure], details: { feeds: feeds.details, tar: tar.details } };
}

/**
 * Every feed of a build (one per chat and the site's), read and assembled, then written both ways,
 * per run. The feed step of a build is the assembling plus the writing.
 */
function measureFeeds(ctx: SizeContext, dbFile: string): { figure: Figure; details: Record<string, unknown> } {
  // siteUrl: `feed` accepts absolute URLs only.
  const session = new BuildSession(resolveOptions({ db: dbFile, siteUrl: SITE_URL }));
  const assemble: number[] = [];
  const ours: number[] = [];
  const reference: number[] = [];
  let feeds: AtomFeed[] = [];
  try {
    const urls = new PublicUrls(session.options.siteUrl, '/');
    const size = session.options.feedSize;
    const ids = session.catalog.chats.map((c) => c.id);
    const time = (work: () => void): number => {
      const t = performance.now();
      work();
      return performance.now() - t;
    };
    for (let run = 1; run <= ctx.runs; run++) {
      assemble.push(time(() => {
        feeds = session.catalog.render.chats.map((chat) => atomFeed(session, urls, chatFeedDescription(chat), session.reader.latestAcross([chat.id], size)));
        feeds.push(atomFeed(session, urls, siteFeedDescription(session.options.title), session.reader.latestAcross(ids, size)));
      }));
      ours.push(time(() => feeds.forEach(writeAtom)));
      reference.push(time(() => feeds.forEach(feedPackageAtom)));
      ctx.log(`feeds run ${run}/${ctx.runs}: reading and assembling ${msText(assemble.at(-1)!)}; writing: ours ${msText(ours.at(-1)!)}, feed package ${msText(reference.at(-1)!)}`);
    }
  } finally {
    session.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const entries = feeds.reduce((n, f) => n + f.entries.length, 0);
  const stepOurs = median(assemble) + median(ours);
  const stepReference = median(assemble) + median(reference);
  const notes = [
    `${feeds.length} feeds, ${entries.toLocaleString('en')} entries, read and assembled in ${msText(median(assemble))} (shared): the feed step ` +
      `${msText(stepOurs)} ours, ${msText(stepReference)} with the feed package (${(stepReference / stepOurs).toFixed(1)}×)`,
  ];
  return { figure: figure(FEEDS_WRITE, ours, reference, { notes }), details: { feeds: feeds.length, entries, assembleMs: assemble, oursMs: ours, feedPackageMs: reference } };
}

async function measureTar(ctx: SizeContext): Promise<{ figure: Figure; details: Record<string, unknown> }> {
  const file = await ensureTar(ctx);
  const bytes = (await stat(file)).size;
  const runs: number[] = [];
  let entries = 0;
  for (let run = 1; run <= ctx.runs; run++) {
    const t = performance.now();
    entries = (await listTar(file)).length;
    runs.push(performance.now() - t);
    ctx.log(`tar run ${run}/${ctx.runs}: ${msText(runs.at(-1)!)} for ${mb(bytes)}`);
  }
  const median = [...runs].sort((a, b) => a - b)[runs.length >> 1]!;
  const notes = [`${entries.toLocaleString('en')} entries in ${mb(bytes)} (the corpus and ${mediaFiles(ctx.corpus.messages)} media files): ${mb((bytes / median) * 1000)}/s, from the page cache`];
  return { figure: figure(TAR_LIST, runs, [], { notes }), details: { bytes, entries, ms: runs } };
}

/** The corpus's messages.json and media files as a Skype-style tar, written once per size and reused. */
async function ensureTar(ctx: SizeContext): Promise<string> {
  const dir = join(ctx.sizeDir, 'libraries');
  const file = join(dir, 'export.tar');
  if (existsSync(file)) return file;
  await mkdir(dir, { recursive: true });
  const partial = `${file}.partial`;
  const pack = tarStream.pack();
  const written = pipeline(pack, createWriteStream(partial));
  // messages.json streamed in (hundreds of MB at 1M messages), the media from one buffer.
  await new Promise<void>((resolve, reject) => {
    void (async () => {
      const entry = pack.entry({ name: 'messages.json', size: (await stat(ctx.corpusFile)).size }, (err) => (err ? reject(err) : resolve()));
      for await (const chunk of createReadStream(ctx.corpusFile)) if (!entry.write(chunk)) await once(entry, 'drain');
      entry.end(undefined);
    })().catch(reject);
  });
  const media = Buffer.alloc(MEDIA_BYTES, 0x5a);
  for (let i = 0; i < mediaFiles(ctx.corpus.messages); i++) {
    const name = `media/0-weu-d1-${i.toString(16).padStart(32, '0')}.1.jpg`;
    await new Promise<void>((resolve, reject) => pack.entry({ name, size: media.length }, media, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await written;
  await rename(partial, file);
  return file;
}
