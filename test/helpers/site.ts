import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, relative, sep } from 'node:path';
import { buildSite, type BuildOptions, type BuildResult } from '../../site/build.js';
import { scratchDir } from './temp.js';

/** Builds a site from `db` into a fresh temp folder. */
export async function buildInto(db: string, options: Partial<BuildOptions> = {}): Promise<{ out: string; result: BuildResult }> {
  const out = options.out ?? join(scratchDir('cc-site-'), '_site');
  const result = await buildSite({ quiet: true, ...options, db, out });
  return { out, result };
}

/** Every file under `dir`, as sorted '/'-separated relative paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export function read(out: string, path: string): string {
  return readFileSync(join(out, path), 'utf8');
}

/** Archive pages (`chats/<slug>/YYYY/MM[/DD]/index.html` and out-of-range pages). */
export function archivePages(files: string[]): string[] {
  return files.filter((f) => /^chats\/[^/]+\/(\d{4}\/\d\d\/(\d\d\/)?|out-of-range\/\w+\/)index\.html$/.test(f));
}

/** Message anchors (`id="m…"` on `.cc-msg` elements) in a page, in order. */
export function anchorsIn(html: string): string[] {
  return [...html.matchAll(/<div class="cc-msg[^"]*" id="(m[0-9a-f]+)"/g)].map((m) => m[1]);
}

export interface ParsedFeed {
  bozo: boolean;
  bozo_exception: string | null;
  title: string;
  links: { rel: string; href: string }[];
  entries: { id: string; link: string; title: string; updated: string; published: string | null; author: string | null; content: string }[];
}

/** Parses a feed with Debian's python3-feedparser: an independent check that it is well-formed. */
export function parseFeed(file: string): ParsedFeed {
  const script = `
import feedparser, json, sys
d = feedparser.parse(sys.argv[1])
print(json.dumps({
  "bozo": bool(d.bozo),
  "bozo_exception": str(d.get("bozo_exception")) if d.bozo else None,
  "title": d.feed.get("title", ""),
  "links": [{"rel": l.get("rel"), "href": l.get("href")} for l in d.feed.get("links", [])],
  "entries": [{
    "id": e.get("id"), "link": e.get("link"), "title": e.get("title", ""), "updated": e.get("updated"),
    "published": e.get("published"), "author": e.get("author"),
    "content": (e.get("content") or [{"value": ""}])[0]["value"],
  } for e in d.entries],
}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 << 20 })) as ParsedFeed;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.xml': 'application/atom+xml; charset=utf-8',
  '.opml': 'text/x-opml; charset=utf-8',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * A tiny static server on 127.0.0.1 for browser tests: serves `dir` under `prefix` (like a host
 * would under a pathPrefix), folders as their index.html, everything else as octet-stream.
 */
export async function serveDir(dir: string, prefix = '/'): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end('not found');
      return;
    }
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (!file.startsWith(normalize(dir))) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) {
      if (!path.endsWith('/')) {
        res.writeHead(301, { location: `${path}/` }).end();
        return;
      }
      file = join(file, 'index.html');
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
