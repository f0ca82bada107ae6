/**
 * Skype emoticon ids (`<ss type="…">`) → the Unicode emoji a reader recognizes. Skype drew its own
 * animated images; the archive shows the closest standard emoji instead of hot-linking Skype's
 * (long dead) image URLs. Ids not listed here render as the text inside the `<ss>` tag, e.g. `:)`.
 *
 * A Map, not an object literal: ids come from the message body, and `{}`['constructor'] would
 * otherwise "find" an emoticon.
 */
export const SKYPE_EMOTICONS: ReadonlyMap<string, string> = new Map([
  // faces
  ['smile', '🙂'],
  ['happy', '😀'],
  ['sad', '🙁'],
  ['laugh', '😃'],
  ['lol', '😂'],
  ['cwl', '😂'],
  ['rofl', '🤣'],
  ['wink', '😉'],
  ['cool', '😎'],
  ['surprised', '😮'],
  ['shock', '😱'],
  ['cry', '😢'],
  ['sweat', '😓'],
  ['whew', '😅'],
  ['speechless', '😐'],
  ['dull', '😑'],
  ['kiss', '😘'],
  ['tongueout', '😛'],
  ['blush', '😊'],
  ['giggle', '🤭'],
  ['wonder', '🤔'],
  ['think', '🤔'],
  ['confused', '😕'],
  ['sleepy', '😴'],
  ['yawn', '🥱'],
  ['tired', '😩'],
  ['inlove', '😍'],
  ['eg', '😈'],
  ['devil', '😈'],
  ['angel', '😇'],
  ['wasntme', '😇'],
  ['puke', '🤮'],
  ['sick', '🤒'],
  ['angry', '😠'],
  ['anger', '😡'],
  ['worry', '😟'],
  ['mmm', '😋'],
  ['nerd', '🤓'],
  ['lipssealed', '🤐'],
  ['envy', '😒'],
  ['smirk', '😏'],
  ['doh', '😖'],
  ['emo', '😔'],
  ['drunk', '🥴'],
  ['facepalm', '🤦'],
  ['ghost', '👻'],
  ['skull', '💀'],
  // gestures and people
  ['like', '👍'],
  ['yes', '👍'],
  ['no', '👎'],
  ['hi', '👋'],
  ['wave', '👋'],
  ['clap', '👏'],
  ['bow', '🙇'],
  ['hug', '🤗'],
  ['bear', '🤗'],
  ['handshake', '🤝'],
  ['punch', '👊'],
  ['fistbump', '👊'],
  ['muscle', '💪'],
  ['highfive', '🙌'],
  ['fingerscrossed', '🤞'],
  ['ok', '👌'],
  ['victory', '✌️'],
  ['rock', '🤘'],
  ['headbang', '🤘'],
  ['wait', '✋'],
  ['party', '🥳'],
  ['dance', '💃'],
  ['ninja', '🥷'],
  ['makeup', '💄'],
  ['finger', '🖕'],
  // hearts and things
  ['heart', '❤️'],
  ['brokenheart', '💔'],
  ['flower', '🌸'],
  ['star', '⭐'],
  ['sun', '☀️'],
  ['rain', '🌧️'],
  ['snowflake', '❄️'],
  ['fire', '🔥'],
  ['time', '⏰'],
  ['mail', '✉️'],
  ['call', '📞'],
  ['phone', '📱'],
  ['music', '🎵'],
  ['movie', '🎬'],
  ['camera', '📷'],
  ['computer', '💻'],
  ['games', '🎮'],
  ['idea', '💡'],
  ['bomb', '💣'],
  ['gift', '🎁'],
  ['cash', '💰'],
  ['xmastree', '🎄'],
  ['santa', '🎅'],
  ['pumpkin', '🎃'],
  ['fireworks', '🎆'],
  // food and drink
  ['cake', '🎂'],
  ['coffee', '☕'],
  ['tea', '🍵'],
  ['beer', '🍺'],
  ['drink', '🍹'],
  ['champagne', '🍾'],
  ['cheers', '🥂'],
  ['pizza', '🍕'],
  ['burger', '🍔'],
  // animals
  ['cat', '🐱'],
  ['dog', '🐶'],
  ['monkey', '🐵'],
  ['bug', '🐛'],
  ['bunny', '🐰'],
]);

/** The emoji for a Skype emoticon id, or undefined. Ids are matched case-insensitively. */
export function emoticonFor(id: string): string | undefined {
  return SKYPE_EMOTICONS.get(id) ?? SKYPE_EMOTICONS.get(id.toLowerCase());
}

/**
 * `<flag country="gb">` → 🇬🇧: two regional indicator symbols, which every emoji font pairs into a
 * flag. Anything but two ASCII letters gives undefined (the caller keeps the text inside the tag).
 */
export function flagFor(country: string): string | undefined {
  if (!/^[A-Za-z]{2}$/.test(country)) return undefined;
  const upper = country.toUpperCase();
  return String.fromCodePoint(0x1f1e6 + upper.charCodeAt(0) - 65, 0x1f1e6 + upper.charCodeAt(1) - 65);
}
