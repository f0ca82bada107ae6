/**
 * The line grammars of the IRC clients whose logs the adapter (index.ts) reads, one parser per
 * client ("dialect"). A parser sees one line (no line end) and says what it is; it knows nothing
 * of files, dates or time zones.
 *
 * irssi (autolog, default theme; `log_timestamp` "%H:%M " or with seconds or brackets):
 *   --- Log opened Tue Jun 02 10:00:00 2016        --- Day changed Wed Jun 03 2016
 *   10:00 <@nick> text        10:00  * nick action       10:00 -nick:#chan- notice
 *   10:00 -nick(user@host)- notice to us
 *   10:00 -!- nick [user@host] has joined #chan     … has left #chan [reason]   … has quit [reason]
 *   10:00 -!- nick was kicked from #chan by op [reason]     -!- nick is now known as other
 *   10:00 -!- nick changed the topic of #chan to: topic     -!- mode/#chan [+o nick] by op
 * WeeChat (logger: `date<TAB>prefix<TAB>message`; local time before 4.8, UTC with a `Z` since):
 *   2016-06-02 10:00:00	@nick	text           2016-06-02 10:00:00	 *	nick action
 *   …	-->	nick (user@host) has joined #chan       …	<--	nick (user@host) has quit (reason)
 *   …	--	nick is now known as other             …	--	Mode #chan [+o nick] by op
 *   …	--	Notice(nick) -> #chan: text            2025-09-02 21:11:39.812345Z	nick	text
 * ZNC (log module: `[%H:%M:%S] `, the date only in the file name):
 *   [10:00:00] <nick> text    [10:00:00] * nick action    [10:00:00] -nick- notice
 *   [10:00:00] *** Joins: nick (user@host)    *** Parts: nick (user@host) (reason)
 *   [10:00:00] *** Quits: nick (user@host) (reason)    *** nick was kicked by op (reason)
 *   [10:00:00] *** nick is now known as other    *** op changes topic to 'topic'
 *   [10:00:00] *** op sets mode: +o nick
 *
 * Bodies are kept as the client wrote them (mIRC formatting codes included): for messages the
 * text, for actions the text after the nick, for events the line after its marker (`-!- `,
 * `*** `, WeeChat's message column). Keys hash the body, so it must not depend on this code's
 * wording. Mode changes are `quiet` events, shown dimly.
 */

import { stripNickMode } from '../../markup/irc-grammar.js';
import { own } from '../../own.js';

export type Dialect = 'irssi' | 'weechat' | 'znc';

export interface CivilDate {
  year: number;
  month: number; // 1–12
  day: number;
}

/** A time of day, and for WeeChat the full date (and the offset when the line states one). */
export interface LineClock {
  hour: number;
  minute: number;
  second: number;
  ms: number;
  date?: CivilDate;
  /** Minutes east of UTC when the line says (WeeChat 4.8+ `Z`, a `%z` format): no zone needed. */
  offsetMinutes?: number;
}

export type LineKind = 'text' | 'emote' | 'notice' | 'event';

export type ParsedLine =
  | { type: 'message'; clock: LineClock; kind: LineKind; nick: string; body: string; quiet?: boolean }
  /** irssi's `Log opened` (date and time) and `Day changed` (date; next day when unreadable). */
  | { type: 'date'; date: CivilDate | null; dayChange: boolean }
  /** Known lines that carry nothing to import (names lists, client chatter, log open/close). */
  | { type: 'skip' }
  /** Not this dialect's grammar; `why` goes into the warning. */
  | { type: 'unknown'; why: string };

const SKIP: ParsedLine = { type: 'skip' };

// ---------------------------------------------------------------------------------------------
// Sniffing

const IRSSI_HEADER = /^--- Log (?:opened|closed) /;
const WEECHAT_LINE = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[^\t]*\t/;
const ZNC_LINE = /^\[\d\d:\d\d(?::\d\d)?\] (?:<[^>]+>|\* |\*\*\* |-\S+- )/;
const IRSSI_LINE = /^\[?\d\d:\d\d(?::\d\d)?\]? (?:<[^>]*>|-!- | {0,2}\* )/;

/** The dialect of a file from its first lines (text of its head), or null if none fits. */
export function sniffDialect(head: string): Dialect | null {
  const lines = head.split('\n', 200);
  for (const raw of lines) {
    const line = raw.replace(/^\uFEFF/, '').replace(/\r$/, '');
    if (IRSSI_HEADER.test(line) || line.startsWith('--- Day changed ')) return 'irssi';
    if (WEECHAT_LINE.test(line)) return 'weechat';
    if (ZNC_LINE.test(line)) return 'znc';
    if (IRSSI_LINE.test(line)) return 'irssi';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** `HH:MM`, `HH:MM:SS`, optionally in brackets, then one space: irssi's and ZNC's line stamp. */
const CLOCK = /^\[?(\d\d):(\d\d)(?::(\d\d))?\]? /;

function clockOf(match: RegExpExecArray): LineClock | null {
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  const second = match[3] === undefined ? 0 : Number(match[3]);
  if (hour > 23 || minute > 59 || second > 60) return null;
  return { hour, minute, second: Math.min(second, 59), ms: 0 };
}

function message(clock: LineClock, kind: LineKind, nick: string, body: string, quiet = false): ParsedLine {
  const name = nick === '' ? '*' : stripNickMode(nick);
  if (!name) return { type: 'unknown', why: 'no nick' };
  return quiet ? { type: 'message', clock, kind, nick: name, body, quiet } : { type: 'message', clock, kind, nick: name, body };
}

// ---------------------------------------------------------------------------------------------
// irssi

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  // German and French abbreviations (irssi formats dates with the locale's strftime)
  mär: 3, mrz: 3, mai: 5, okt: 10, dez: 12, janv: 1, févr: 2, fevr: 2, mars: 3, avr: 4, juin: 6,
  juil: 7, août: 8, aout: 8, sept: 9, déc: 12,
};

/**
 * The date in an irssi header's strftime text (`Tue Jun 02 10:00:00 2016`, `Wed Jun 03 2016`,
 * or numeric forms such as `2016-06-03`), or null.
 */
export function parseHeaderDate(text: string): CivilDate | null {
  const iso = /(\d{4})-(\d\d)-(\d\d)/.exec(text);
  if (iso) return validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const year = /(?:^|\s)(\d{4})(?:\s|$)/.exec(text);
  if (!year) return null;
  let month = 0;
  let day = 0;
  for (const word of text.toLowerCase().split(/\s+/)) {
    const name = word.replace(/\.$/, '');
    if (!month && own(MONTHS, name) !== undefined) month = MONTHS[name];
    else if (!day && /^\d{1,2}$/.test(name)) day = Number(name);
  }
  return month && day ? validDate(Number(year[1]), month, day) : null;
}

function validDate(year: number, month: number, day: number): CivilDate | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days ? { year, month, day } : null;
}

/** [pattern, group holding the nick the event is credited to, quiet] */
type EventPatterns = [RegExp, number, boolean][];

/** The `HH:MM[:SS] ` stamp that starts irssi and ZNC lines and what follows it, or what the line is without one. */
function stamped(line: string): { clock: LineClock; rest: string } | ParsedLine {
  const stamp = CLOCK.exec(line);
  if (!stamp) return line.trim() === '' ? SKIP : { type: 'unknown', why: 'no time stamp' };
  const clock = clockOf(stamp);
  if (!clock) return { type: 'unknown', why: 'impossible time of day' };
  return { clock, rest: line.slice(stamp[0].length) };
}

/** `<nick> text` after a stamp, or null. */
function spoken(clock: LineClock, rest: string): ParsedLine | null {
  if (!rest.startsWith('<')) return null;
  const close = rest.indexOf('>');
  return close > 0 ? message(clock, 'text', rest.slice(1, close), rest.slice(close + 1).replace(/^ /, '')) : null;
}

/** The first of `patterns` an event line matches, as an event message, or null. */
function event(clock: LineClock, text: string, patterns: EventPatterns): ParsedLine | null {
  for (const [pattern, group, quiet] of patterns) {
    const m = pattern.exec(text);
    if (m) return message(clock, 'event', m[group], text, quiet);
  }
  return null;
}

const IRSSI_EVENTS: EventPatterns = [
  [/^(\S+) \[[^\]]*\] has joined \S+$/, 1, false],
  [/^(\S+) \[[^\]]*\] has left \S+(?: \[.*\])?$/, 1, false],
  [/^(\S+) \[[^\]]*\] has quit(?: \[.*\])?$/, 1, false],
  [/^\S+ was kicked from \S+ by (\S+)(?: \[.*\])?$/, 1, false],
  [/^(\S+) is now known as \S+$/, 1, false],
  [/^You're now known as (\S+)$/, 1, false],
  [/^(\S+) changed the topic of \S+ to:(?: .*)?$/, 1, false],
  [/^Topic unset by (\S+) on \S+$/, 1, false],
  [/^(?:mode|ServerMode)\/\S+ \[.*\] by ([^\s,]+)/, 1, true],
  // Netsplits are credited to the server that split off, or to no one (`*`) when it is over.
  [/^Netsplit (\S+) <-> \S+ quits: /, 1, false],
  [/^Netsplit over, joins: ()/, 1, false],
];

/** irssi chatter in channel logs: join statistics, names lists, the topic shown on joining. */
const IRSSI_NOISE = /^(?:Irssi: |Topic for \S+:|Topic set by |Channel \S+ created |Home page for \S+:)/;

export function parseIrssi(line: string): ParsedLine {
  if (line.startsWith('--- ')) {
    if (line.startsWith('--- Log opened ')) return { type: 'date', date: parseHeaderDate(line.slice(15)), dayChange: false };
    if (line.startsWith('--- Day changed ')) return { type: 'date', date: parseHeaderDate(line.slice(16)), dayChange: true };
    if (line.startsWith('--- Log closed ')) return SKIP;
  }
  const head = stamped(line);
  if (!('rest' in head)) return head;
  const { clock, rest } = head;
  const said = spoken(clock, rest);
  if (said) return said;
  if (rest.startsWith('-!- ')) {
    const text = rest.slice(4);
    return event(clock, text, IRSSI_EVENTS) ?? (IRSSI_NOISE.test(text) ? SKIP : { type: 'unknown', why: 'unrecognized -!- line' });
  }
  const action = /^ ?\* (\S+)(?: (.*))?$/.exec(rest);
  if (action && !rest.startsWith('**')) return message(clock, 'emote', action[1], action[2] ?? '');
  // -nick:#chan- text (channel notice), -nick(user@host)- text (to us), -nick(user@host):#chan- text
  const notice = /^-([^\s(:]+)(?:\([^)]*\))?(?::\S+?)?- (.*)$/.exec(rest);
  if (notice && notice[1] !== '!') return message(clock, 'notice', notice[1], notice[2]);
  // The names list printed on joining: `[Users #chan]`, then `[@op] [+voice] [ nick]…`.
  if (/^\[Users \S+\]\s*$/.test(rest) || /^(?:\[[~&@%+ ]?[^\]\s]+ *\] *)+$/.test(rest)) return SKIP;
  if (rest.trim() === '') return SKIP;
  return { type: 'unknown', why: 'unrecognized line' };
}

// ---------------------------------------------------------------------------------------------
// ZNC

const ZNC_EVENTS: EventPatterns = [
  [/^Joins: (\S+) \(.*\)$/, 1, false],
  [/^Parts: (\S+) \(.*\)$/, 1, false],
  [/^Quits: (\S+) \(.*\)$/, 1, false],
  [/^\S+ was kicked by (\S+) \(.*\)$/, 1, false],
  [/^(\S+) is now known as \S+$/, 1, false],
  [/^(\S+) changes topic to '.*'$/, 1, false],
  [/^(\S+) sets mode: .*$/, 1, true],
];

/** ZNC's status-window lines (connections, broadcasts): nothing of a conversation. */
const ZNC_NOISE = /^(?:Connected to IRC \(|Disconnected from IRC \(|Broadcast: )/;

export function parseZnc(line: string): ParsedLine {
  const head = stamped(line);
  if (!('rest' in head)) return head;
  const { clock, rest } = head;
  const said = spoken(clock, rest);
  if (said) return said;
  if (rest.startsWith('*** ')) return event(clock, rest.slice(4), ZNC_EVENTS) ?? { type: 'unknown', why: 'unrecognized *** line' };
  const action = /^\* (\S+)(?: (.*))?$/.exec(rest);
  if (action) return message(clock, 'emote', action[1], action[2] ?? '');
  const notice = /^-(\S+)- (.*)$/.exec(rest);
  if (notice) return message(clock, 'notice', notice[1], notice[2]);
  if (ZNC_NOISE.test(rest) || rest.trim() === '') return SKIP;
  return { type: 'unknown', why: 'unrecognized line' };
}

// ---------------------------------------------------------------------------------------------
// WeeChat

/** `2016-06-02 10:00:00`, `2016-06-02T10:00:00.123456Z`, `2016-06-02 10:00:00 +0200`, then a tab. */
const WEECHAT_STAMP = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))? ?(Z|[+-]\d\d:?\d\d)?\t/;

const WEECHAT_EVENTS: EventPatterns = [
  [/^(\S+) is now known as \S+$/, 1, false],
  [/^You are now known as (\S+)$/, 1, false],
  [/^(\S+) has changed topic for \S+ (?:from ".*" )?to ".*"$/, 1, false],
  [/^(\S+) has unset topic for \S+/, 1, false],
  [/^Mode \S+ \[.*\] by (\S+)$/, 1, true],
];

/** WeeChat's informational network lines: the topic and names shown on joining, channel modes. */
const WEECHAT_NOISE = /^(?:Topic for \S+ is |Topic set by |Channel \S+: \d+ nicks?|Channel created on |Mode \S+ \[[^\]]*\]$|irc: |Nicks \S+: )/;

export function parseWeechat(line: string): ParsedLine {
  const stamp = WEECHAT_STAMP.exec(line);
  if (!stamp) return line.trim() === '' ? SKIP : { type: 'unknown', why: 'no WeeChat time stamp' };
  const date = validDate(Number(stamp[1]), Number(stamp[2]), Number(stamp[3]));
  const hour = Number(stamp[4]);
  const minute = Number(stamp[5]);
  const second = Number(stamp[6]);
  if (!date || hour > 23 || minute > 59 || second > 60) return { type: 'unknown', why: 'impossible date or time' };
  const clock: LineClock = { hour, minute, second: Math.min(second, 59), ms: stamp[7] ? Number(stamp[7].slice(0, 3).padEnd(3, '0')) : 0, date };
  if (stamp[8]) clock.offsetMinutes = stamp[8] === 'Z' ? 0 : offsetMinutes(stamp[8]);

  const rest = line.slice(stamp[0].length);
  const tab = rest.indexOf('\t');
  // `****  Beginning of log  ****` has no prefix column.
  if (tab < 0) return /^\s*\*{4}/.test(rest) || rest.trim() === '' ? SKIP : { type: 'unknown', why: 'no prefix column' };
  const prefix = rest.slice(0, tab).trim();
  const text = rest.slice(tab + 1);

  switch (prefix) {
    case '-->':
    case '<--': {
      // joins; parts, quits and kicks: the first word is who did it
      const who = /^(\S+) /.exec(text);
      return who ? message(clock, 'event', who[1], text) : { type: 'unknown', why: `unrecognized ${prefix} line` };
    }
    case '--': {
      const happened = event(clock, text, WEECHAT_EVENTS);
      if (happened) return happened;
      const notice = /^Notice(?:Op|Voice)?\(([^)\s]+)\)(?: -> \S+)?: (.*)$/.exec(text);
      if (notice) return message(clock, 'notice', notice[1], notice[2]);
      if (WEECHAT_NOISE.test(text)) return SKIP;
      return { type: 'unknown', why: 'unrecognized -- line' };
    }
    case '*': {
      const action = /^(\S+)(?: (.*))?$/.exec(text);
      return action ? message(clock, 'emote', action[1], action[2] ?? '') : { type: 'unknown', why: 'action without nick' };
    }
    case '=!=': // WeeChat's own error messages
      return SKIP;
    case '':
      return text.trim() === '' ? SKIP : { type: 'unknown', why: 'empty prefix' };
    default:
      if (/^\*{4}/.test(prefix)) return SKIP;
      return message(clock, 'text', prefix, text);
  }
}

function offsetMinutes(text: string): number {
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

export const LINE_PARSERS: Record<Dialect, (line: string) => ParsedLine> = {
  irssi: parseIrssi,
  weechat: parseWeechat,
  znc: parseZnc,
};
