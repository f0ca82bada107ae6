import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/**
 * A minimal static file server on 127.0.0.1 (random port) for browser measurements: no compression
 * and no caching headers, so what the browser receives is exactly the files' bytes. Extra routes
 * (e.g. a measurement page) are served from memory.
 */
export interface StaticServer {
  /** e.g. `http://127.0.0.1:41234` */
  origin: string;
  close(): Promise<void>;
}

export interface ExtraRoute {
  contentType: string;
  body: string | Buffer;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ServeOptions {
  extraRoutes?: Record<string, ExtraRoute>;
  /** Called for every file sent, with its URL path and size: a server-side count of downloads. */
  onFileServed?: (urlPath: string, bytes: number) => void;
}

export async function serveStatic(rootDir: string, options: ServeOptions = {}): Promise<StaticServer> {
  const extraRoutes = options.extraRoutes ?? {};
  const root = normalize(rootDir + sep);
  const server = createServer((request, response) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      return notFound(response); // malformed escapes
    }
    const extra = Object.hasOwn(extraRoutes, path) ? extraRoutes[path] : undefined;
    if (extra) {
      response.writeHead(200, { 'content-type': extra.contentType });
      response.end(extra.body);
      return;
    }
    void sendFile(root, path, response, options.onFileServed);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}

async function sendFile(root: string, urlPath: string, response: ServerResponse, onFileServed?: (urlPath: string, bytes: number) => void): Promise<void> {
  let file = normalize(join(root, urlPath));
  if (!file.startsWith(root)) return notFound(response);
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return notFound(response);
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
  });
  onFileServed?.(urlPath, info.size);
  createReadStream(file).pipe(response);
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { 'content-type': 'text/plain' });
  response.end('not found');
}
