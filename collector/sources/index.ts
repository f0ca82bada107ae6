import { SourceError, type SourceAdapter } from './types.js';
import { skypeExport } from './skype-export/index.js';
import { skypeMainDb } from './skype-maindb/index.js';
import { slack } from './slack/index.js';
import { discord } from './discord/index.js';
import { whatsapp } from './whatsapp/index.js';
import { telegram } from './telegram/index.js';
import { irc } from './irc/index.js';
import { teams } from './teams/index.js';
import { instagram, messenger } from './meta/index.js';
import { mattermost } from './mattermost/index.js';
import { matrix } from './matrix/index.js';
import { googleChat } from './google-chat/index.js';
import { stat } from 'node:fs/promises';
import { isZipFile, openZip, ZipError } from './kit/archive/zip.js';
import { readHead, utf16Advice, utf16Of } from './kit/files.js';

/**
 * Every source adapter, in the order `--format auto` tries them. Google Chat's messages.json is
 * recognized by its content before skype-export takes any folder with a messages.json.
 */
export const ADAPTERS: readonly SourceAdapter[] = [googleChat, skypeExport, skypeMainDb, slack, discord, whatsapp, telegram, teams, mattermost, matrix, irc, messenger, instagram];

export function adapterByName(name: string): SourceAdapter | undefined {
  return ADAPTERS.find((a) => a.format === name);
}

/** Finds the adapter for a path by sniffing it; a clear error lists what was tried. */
export async function detectAdapter(path: string): Promise<SourceAdapter> {
  for (const adapter of ADAPTERS) {
    if (await adapter.detect(path)) return adapter;
  }
  const why = await unreadableBecause(path);
  if (why) throw new SourceError(path, null, `not a recognized chat export: ${why}`);
  throw new SourceError(
    path,
    null,
    `not a recognized chat export (tried: ${ADAPTERS.map((a) => `${a.format} — ${a.description}`).join('; ')}); ` +
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
