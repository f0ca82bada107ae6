/** Slack's `:emoji:` shortcodes (gemoji's GitHub names, which Slack shares) → emoji. */
import { nameToEmoji } from 'gemoji';

/** Slack names that GitHub's gemoji lacks or spells differently. */
const SLACK_ONLY: Record<string, string> = {
  simple_smile: '🙂',
  thumbsup_all: '👍',
  slightly_smiling_face: '🙂',
  white_frowning_face: '☹️',
  squirrel: '🐿️',
};
/** A Map (names come from message text: `constructor` must find nothing). */
const EMOJI: ReadonlyMap<string, string> = new Map([...Object.entries(nameToEmoji), ...Object.entries(SLACK_ONLY)]);
const SKIN_TONES = ['', '', '\u{1F3FB}', '\u{1F3FC}', '\u{1F3FD}', '\u{1F3FE}', '\u{1F3FF}'];

/** The emoji for a shortcode (`+1`, `+1::skin-tone-3`), or undefined for unknown and custom ones. */
export function emojiOf(name: string): string | undefined {
  const toned = name.indexOf('::skin-tone-');
  const base = toned === -1 ? name : name.slice(0, toned);
  const tone = toned === -1 ? '' : name.slice(toned + '::skin-tone-'.length);
  const emoji = EMOJI.get(base) ?? EMOJI.get(base.toLowerCase());
  if (!emoji) return undefined;
  const modifier = tone && /^[2-6]$/.test(tone) ? SKIN_TONES[Number(tone)] : '';
  // The tone follows the base character, before any variation selector.
  return modifier ? emoji.replace(/\uFE0F$/, '') + modifier : emoji;
}
