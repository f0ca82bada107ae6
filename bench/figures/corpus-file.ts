import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveCorpusOptions, writeSkypeExport, type CorpusOptions, type ResolvedCorpusOptions } from '../corpus.js';

/**
 * The size's Skype export, `<sizeDir>/messages.json`, generated once and reused while its
 * `messages.meta.json` says it was made with the same options (and the file still has its size).
 */
export interface CorpusFile {
  file: string;
  bytes: number;
  options: ResolvedCorpusOptions;
  reused: boolean;
  generateMs: number;
}

/** Bump when the generator's output changes for the same options, to regenerate stale files. */
const META_VERSION = 1;

interface Meta extends ResolvedCorpusOptions {
  version: number;
  bytes: number;
}

export async function ensureCorpus(sizeDir: string, options: CorpusOptions): Promise<CorpusFile> {
  const resolved = resolveCorpusOptions(options);
  const file = join(sizeDir, 'messages.json');
  const metaFile = join(sizeDir, 'messages.meta.json');
  await mkdir(sizeDir, { recursive: true });
  const meta = existsSync(metaFile) ? (JSON.parse(await readFile(metaFile, 'utf8')) as Meta) : null;
  const size = (await stat(file).catch(() => null))?.size;
  if (meta && meta.version === META_VERSION && size === meta.bytes && sameOptions(meta, resolved)) {
    return { file, bytes: size, options: resolved, reused: true, generateMs: 0 };
  }
  const started = performance.now();
  const partial = `${file}.partial`;
  const written = await writeSkypeExport(partial, resolved);
  await rename(partial, file);
  const fresh: Meta = { version: META_VERSION, ...resolved, bytes: written.bytes };
  await writeFile(metaFile, `${JSON.stringify(fresh, null, 2)}\n`);
  return { file, bytes: written.bytes, options: resolved, reused: false, generateMs: performance.now() - started };
}

function sameOptions(a: ResolvedCorpusOptions, b: ResolvedCorpusOptions): boolean {
  return a.messages === b.messages && a.chats === b.chats && a.authors === b.authors && a.seed === b.seed;
}
