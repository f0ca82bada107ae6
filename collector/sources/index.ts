import type { SourceAdapter } from './types.js';
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
export { detectAdapter } from './detect.js';

/**
 * Every source adapter, in the order `--format auto` tries them (modules.ts's FORMATS, which the
 * importer goes by without loading them all).
 */
export const ADAPTERS: readonly SourceAdapter[] = [googleChat, skypeExport, skypeMainDb, slack, discord, whatsapp, telegram, teams, mattermost, matrix, irc, messenger, instagram];

export function adapterByName(name: string): SourceAdapter | undefined {
  return ADAPTERS.find((a) => a.format === name);
}

