import type { SourceAdapter } from './types.js';

/**
 * Each adapter's module by format, loaded on demand: a reading thread (collector/import/threaded.ts)
 * needs only the one adapter it runs, and importing all of them (index.ts, for detection) is a
 * third of a CPU-second of module loading before its first message. index.ts's ADAPTERS stays
 * the list of formats; a test checks that this map loads the same adapter object for each.
 */
const MODULES: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  'google-chat': () => import('./google-chat/index.js'),
  'skype-export': () => import('./skype-export/index.js'),
  'skype-maindb': () => import('./skype-maindb/index.js'),
  slack: () => import('./slack/index.js'),
  discord: () => import('./discord/index.js'),
  whatsapp: () => import('./whatsapp/index.js'),
  telegram: () => import('./telegram/index.js'),
  teams: () => import('./teams/index.js'),
  mattermost: () => import('./mattermost/index.js'),
  matrix: () => import('./matrix/index.js'),
  irc: () => import('./irc/index.js'),
  messenger: () => import('./meta/index.js'),
  instagram: () => import('./meta/index.js'),
};

/** The adapter of a format, importing only its own module; undefined for an unknown format. */
export async function loadAdapter(format: string): Promise<SourceAdapter | undefined> {
  const load = Object.hasOwn(MODULES, format) ? MODULES[format] : undefined;
  if (!load) return undefined;
  return Object.values(await load()).find((value): value is SourceAdapter => (value as SourceAdapter | null)?.format === format);
}
