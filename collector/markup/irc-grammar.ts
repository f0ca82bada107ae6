/**
 * Who IRC event lines name, read by both the adapter (collector/sources/irc/) and the converter
 * (irc.ts): nicks without their mode prefixes, the person id a nick has in a chat's network, and
 * the nicks in the join, part, quit, kick, nick, topic, mode and netsplit lines of irssi, WeeChat
 * and ZNC (their line grammars are the adapter's: sources/irc/lines.ts).
 */

/** Nick-mode prefixes a client may put before a nick: owner, admin, op, half-op, voice, none. */
const MODE_PREFIX = /^[~&@%+ ]+/;

export function stripNickMode(nick: string): string {
  return nick.replace(MODE_PREFIX, '').trimEnd();
}

/**
 * A person: `irc:<network>/<nick>`, both lower-cased (nicks are case-insensitive), in the chat's
 * network: a chat is `irc:<network>/<window>` (collector/sources/irc/), so its id up to the
 * first `/` is the prefix of its people's ids. Null when the chat id is no IRC chat's.
 */
export function ircPersonId(chat: string, nick: string): string | null {
  const prefix = /^irc:[^/]*\//.exec(chat);
  return prefix ? prefix[0] + stripNickMode(nick).toLowerCase() : null;
}

/** A piece of an event line: text as it is, or a nick (the person named there). */
export type EventPart = { text: string } | { nick: string };

/**
 * What each group of an event pattern holds: a nick, nicks separated by ", ", mode changes
 * (`+ov alice bob`: the arguments of nick modes are nicks), or the user@host mask that clients
 * log beside a joining or leaving nick, which is left out (it often spells the person's name).
 */
type Role = 'nick' | 'list' | 'modes' | 'mask';

/** Every client's event lines that name people (see the grammars above), with their groups' roles. */
const EVENT_PEOPLE: [RegExp, Role[]][] = [
  // irssi
  [/^(\S+)( \[[^\]]*\])? has (?:joined \S+|left \S+(?: \[.*\])?|quit(?: \[.*\])?)$/d, ['nick', 'mask']],
  [/^(\S+) was kicked from \S+ by (\S+)(?: \[.*\])?$/d, ['nick', 'nick']],
  [/^(\S+) changed the topic of \S+ to:(?: .*)?$/d, ['nick']],
  [/^Topic unset by (\S+) on \S+$/d, ['nick']],
  [/^(?:mode|ServerMode)\/\S+ \[(.*)\] by ([^\s,]+)/d, ['modes', 'nick']],
  [/^Netsplit (\S+) <-> (\S+) quits: (.*)$/d, ['nick', 'nick', 'list']],
  [/^Netsplit over, joins: (.*)$/d, ['list']],
  // every client
  [/^(\S+) is now known as (\S+)$/d, ['nick', 'nick']],
  [/^You(?:'re| are) now known as (\S+)$/d, ['nick']],
  // ZNC
  [/^(?:Joins|Parts|Quits): (\S+)( \([^()]*\))(?: \(.*\))?$/d, ['nick', 'mask']],
  [/^(\S+) was kicked by (\S+) \(.*\)$/d, ['nick', 'nick']],
  [/^(\S+) changes topic to '.*'$/d, ['nick']],
  [/^(\S+) sets mode: (.*)$/d, ['nick', 'modes']],
  // WeeChat
  [/^(\S+)( \([^()]*\))? has (?:joined \S+|left \S+(?: \(.*\))?|quit(?: \(.*\))?)$/d, ['nick', 'mask']],
  [/^(\S+) has kicked (\S+)(?: \(.*\))?$/d, ['nick', 'nick']],
  [/^(\S+) has (?:changed|unset) topic for \S+/d, ['nick']],
  [/^Mode \S+ \[(.*)\] by (\S+)$/d, ['modes', 'nick']],
];

/** Channel modes whose argument is a nick (owner, admin, op, half-op, voice). */
const NICK_MODES = 'qaohv';
/** Other modes with an argument: always, or only when set. */
const ARG_MODES = 'beIkfjL';
const SET_ARG_MODES = 'l';

/**
 * An event line as text and the nicks in it, or null when it names nobody this grammar knows
 * (then the line is shown as it is). Topics, reasons and channel names stay text.
 */
export function eventParts(body: string): EventPart[] | null {
  for (const [re, roles] of EVENT_PEOPLE) {
    const m = re.exec(body);
    if (!m) continue;
    const parts: EventPart[] = [];
    let last = 0;
    const text = (to: number) => {
      if (to > last) parts.push({ text: body.slice(last, to) });
    };
    roles.forEach((role, i) => {
      const at = m.indices![i + 1];
      if (!at) return;
      const [start, end] = at;
      text(start);
      const value = body.slice(start, end);
      if (role === 'nick') parts.push({ nick: value });
      else if (role === 'list') listParts(value, parts);
      else if (role === 'modes') modeParts(value, parts);
      last = end;
    });
    text(body.length);
    return parts;
  }
  return null;
}

function listParts(list: string, parts: EventPart[]): void {
  list.split(/(, ?)/).forEach((piece, i) => {
    if (piece) parts.push(i % 2 === 0 ? { nick: piece } : { text: piece });
  });
}

/** `+ov-b alice bob *!*@host`: the nick modes' arguments are people, the rest text. */
function modeParts(modes: string, parts: EventPart[]): void {
  const words = modes.split(' ');
  let arg = 1;
  const nicks = new Set<number>();
  let sign = '+';
  for (const c of words[0]) {
    if (c === '+' || c === '-') sign = c;
    else if (NICK_MODES.includes(c)) nicks.add(arg++);
    else if (ARG_MODES.includes(c) || (SET_ARG_MODES.includes(c) && sign === '+')) arg++;
  }
  words.forEach((word, i) => {
    if (i > 0) parts.push({ text: ' ' });
    parts.push(nicks.has(i) && word ? { nick: word } : { text: word });
  });
}
