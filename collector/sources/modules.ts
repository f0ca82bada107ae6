import type { SourceAdapter } from './types.js';

/**
 * Each adapter's module by format, loaded on demand: an import loads only the adapters it tries
 * (detection, in FORMATS order, stops at the first that recognizes the file) and a reading thread
 * (collector/import/threaded.ts) only the one it runs. Importing all of them is a third of a
 * CPU-second of module loading before the first message. index.ts's ADAPTERS holds the same
 * adapters eagerly; a test checks that both agree, in order and descriptions.
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

export interface FormatInfo {
  format: string;
  description: string;
}

/**
 * Every format, in the order `--format auto` tries them, with what it reads (help and error
 * texts, without loading any adapter). Google Chat's messages.json is recognized by its content
 * before skype-export takes any folder with a messages.json.
 */
export const FORMATS: readonly FormatInfo[] = [
  { format: 'google-chat', description: 'Google Chat from Google Takeout: the zip, the Google Chat folder, one group folder or one messages.json' },
  { format: 'skype-export', description: 'Skype "Export chats and files": the .tar download, its unpacked folder, or messages.json' },
  { format: 'skype-maindb', description: 'Skype classic (≤ 7) main.db SQLite database, read without modifying it' },
  { format: 'slack', description: 'Slack workspace export: the .zip download or its unpacked folder' },
  { format: 'discord', description: 'DiscordChatExporter JSON: a channel or thread export (.json), or a folder of them' },
  { format: 'whatsapp', description: 'WhatsApp "Export chat": the .txt, or the .zip with media' },
  { format: 'telegram', description: 'Telegram Desktop export in JSON: result.json (one chat or all data) or its folder' },
  { format: 'teams', description: 'Microsoft Teams JSON: the Teams export tool\'s folder or files, or saved Graph API message pages' },
  { format: 'mattermost', description: 'Mattermost bulk export: the .zip (import.jsonl with data/), its folder, or the .jsonl' },
  { format: 'matrix', description: 'Matrix: Element\'s "Export chat" JSON (or its zip with attachments), or saved events, /messages pages or /sync responses' },
  { format: 'irc', description: 'IRC logs of irssi, WeeChat or ZNC: a log file, or a folder of them (followed as they grow)' },
  { format: 'messenger', description: 'Facebook Messenger "Download your information" (JSON) or end-to-end encrypted chats: the .zip, its folder, or a message_N.json' },
  { format: 'instagram', description: 'Instagram "Download your information" messages (JSON): the .zip, its folder, or a message_N.json' },
];

/** A format's description (what its adapter reads), from FORMATS. */
export function describeFormat(format: string): string {
  const info = FORMATS.find((f) => f.format === format);
  if (!info) throw new Error(`unknown format "${format}"`);
  return info.description;
}

/** The adapter of a format, importing only its own module; undefined for an unknown format. */
export async function loadAdapter(format: string): Promise<SourceAdapter | undefined> {
  const load = Object.hasOwn(MODULES, format) ? MODULES[format] : undefined;
  if (!load) return undefined;
  return Object.values(await load()).find((value): value is SourceAdapter => (value as SourceAdapter | null)?.format === format);
}
