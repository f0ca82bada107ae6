import { stat } from 'node:fs/promises';
import { isZipFile, openZip, ZipError } from './kit/archive/zip.js';
import { readHead, utf16Advice, utf16Of } from './kit/files.js';
import { FORMATS, loadAdapter } from './modules.js';
import { SourceError, type SourceAdapter } from './types.js';

/**
 * Finds the adapter for a path by sniffing it, loading the adapters one by one in FORMATS order
 * until one recognizes it; a clear error lists what was tried.
 */
export async function detectAdapter(path: string): Promise<SourceAdapter> {
  for (const { format } of FORMATS) {
    const adapter = (await loadAdapter(format))!;
    if (await adapter.detect(path)) return adapter;
  }
  const why = await unreadableBecause(path);
  if (why) throw new SourceError(path, null, `not a recognized chat export: ${why}`);
  throw new SourceError(
    path,
    null,
    `not a recognized chat export (tried: ${FORMATS.map((f) => `${f.format} — ${f.description}`).join('; ')}); ` +
      `name the format with --format if you know it`,
  );
}

/** Why no adapter could even look inside a file: an unsafe or damaged zip, UTF-16 text. Null if nothing says. */
async function unreadableBecause(path: string): Promise<string | null> {
  try {
    if (!(await stat(path)).isFile()) return null;
    if (await isZipFile(path)) {
      try {
        (await openZip(path)).close();
      } catch (err) {
        if (err instanceof ZipError) return err.message;
      }
      return null;
    }
    const order = utf16Of(await readHead(path, 1024));
    return order ? utf16Advice(order) : null;
  } catch {
    return null;
  }
}
