/**
 * The line grammar of WhatsApp's "Export chat" text: message headers in every locale form seen,
 * what follows a header (an author's message or a system line), and the markers WhatsApp writes
 * into message text (attachments, omitted media, deleted messages, polls, calls).
 *
 *   Android   12/31/20, 11:59 PM - Name: text        31.12.20, 23:59 - Name: text
 *             2020-12-31 23:59 - Name: text           31/12/2020, 11:59 p. m. - Name: text
 *   iOS       [31.12.20, 23:59:59] Name: text         [12/31/20, 11:59:59 PM] Name: text
 *   System    12/31/20, 11:59 PM - Loris added John   [31.12.20, 23:59:59] Group: ‎Loris left
 *
 * Lines may start with U+200E/U+200F (and other bidi) marks, a U+202F or U+00A0 may stand before
 * AM/PM, Android wraps phone-number names in U+202A…U+202C, and iOS starts text WhatsApp wrote
 * itself (system lines, media) with U+200E. Dates are in the phone's locale order, which one line
 * cannot tell (3/4/21): resolveDate() takes the order the adapter inferred from the whole file.
 * Pure functions only; collector/sources/whatsapp.ts does the reading.
 */
import { civilUtc } from '../kit/zoned-time.js';

export type DateOrder = 'dmy' | 'mdy' | 'ymd';
export const DATE_ORDERS: readonly DateOrder[] = ['dmy', 'mdy', 'ymd'];

/** Invisible marks stripped from line starts and names: bidi marks, embeddings, isolates, BOM. */
const MARK_CLASS = '\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF';
const LEADING_MARKS = new RegExp(`^[${MARK_CLASS}]+`);
const ANY_MARKS = new RegExp(`[${MARK_CLASS}]`, 'g');
/** Spaces seen between a header's parts: plain, no-break (U+00A0), narrow no-break (U+202F). */
const SP = '[ \\u00A0\\u202F]';
/** 12-hour markers written before the time (and sometimes after): Chinese, Japanese, Korean. */
const CJK_MERIDIEM = '上午|下午|午前|午後|오전|오후';

const HEADER = new RegExp(
  '^(\\[)?' +
    // date: 1–4 digits, a separator repeated, optional space after it (Hungarian, Korean forms)
    '(\\d{1,4})([./-]) ?(\\d{1,2})\\3 ?(\\d{1,4})\\.?' +
    `,?${SP}+(?:klo ${SP}*)?` + // Finnish writes "klo" before the time
    `(?:(${CJK_MERIDIEM})${SP}?)?` +
    '(\\d{1,2})([:.])(\\d{2})(?:\\8(\\d{2}))?' +
    // AM, am, a.m., A.M., a. m., p. m. (Spanish), with any space before
    `(?:${SP}*([AaPp])\\.?${SP}?[Mm]\\.?|${SP}?(${CJK_MERIDIEM}))?` +
    `(?:\\]|${SP}[-–])(?:${SP}|$)(.*)$`,
);

/** A line that starts a message, taken apart. */
export interface Header {
  /** The layout of the header (brackets, separators, seconds, 12 h): one per file as a rule. */
  form: string;
  /** The date as written (`31.12.20`), for messages. */
  date: string;
  /** The three date fields as written, in order. */
  fields: [string, string, string];
  hour: number;
  minute: number;
  second: number;
  /** 'am' / 'pm' on a 12-hour clock, null on a 24-hour one. */
  meridiem: 'am' | 'pm' | null;
  /** Everything after the header: `Name: text` or a system line. */
  rest: string;
}

/** Removes the invisible marks WhatsApp puts at line starts. */
export function stripLeadingMarks(line: string): string {
  const c = line.charCodeAt(0);
  // Fast path: a line starting with '[' or a digit (every header) or a letter has none.
  if (c < 0x200e) return line;
  return line.replace(LEADING_MARKS, '');
}

/** A header line taken apart, or null when the line is not one (a continuation line). */
export function parseHeader(line: string): Header | null {
  const c = line.charCodeAt(0);
  if (c !== 0x5b && !(c >= 0x30 && c <= 0x39)) return null; // '[' or a digit
  const m = HEADER.exec(line);
  if (!m) return null;
  const [, bracket, a, sep, b, cField, cjkBefore, h, timeSep, mi, s, latin, cjkAfter, rest] = m;
  let meridiem: 'am' | 'pm' | null = null;
  const cjk = cjkBefore ?? cjkAfter;
  if (latin) meridiem = latin === 'a' || latin === 'A' ? 'am' : 'pm';
  else if (cjk) meridiem = cjk === '上午' || cjk === '午前' || cjk === '오전' ? 'am' : 'pm';
  const form = `${bracket ? '[' : ''}${sep}${a.length === 4 ? 'Y' : ''}${timeSep}${s ? 's' : ''}${meridiem ? (cjkBefore ? 'P' : 'p') : ''}`;
  return {
    form,
    date: `${a}${sep}${b}${sep}${cField}`,
    fields: [a, b, cField],
    hour: Number(h),
    minute: Number(mi),
    second: s ? Number(s) : 0,
    meridiem,
    rest,
  };
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The date the header's fields name in this order, or null if they name none (a 13th month…). */
export function resolveDate(fields: readonly [string, string, string], order: DateOrder): CivilDate | null {
  const [a, b, c] = fields;
  const [y, m, d] = order === 'dmy' ? [c, b, a] : order === 'mdy' ? [c, a, b] : [a, b, c];
  if ((y.length !== 2 && y.length !== 4) || m.length > 2 || d.length > 2) return null;
  const year = y.length === 2 ? 2000 + Number(y) : Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a date (to compare dates cheaply). */
export function dayNumber(date: CivilDate): number {
  return Math.floor(civilUtc(date.year, date.month, date.day) / 86_400_000);
}

/** The wall time (as UTC ms, see zoned-time.ts) of a header on a date, or NaN for an impossible time. */
export function wallTime(header: Header, date: CivilDate): number {
  let hour = header.hour;
  if (header.meridiem) {
    // 12 AM is midnight, 12 PM noon; some locales write 0:30 AM.
    if (hour > 12) return NaN;
    if (hour === 12) hour = 0;
    if (header.meridiem === 'pm') hour += 12;
  }
  if (hour > 23 || header.minute > 59 || header.second > 59) return NaN;
  return civilUtc(date.year, date.month, date.day, hour, header.minute, header.second);
}

// ---------------------------------------------------------------------------------------------
// After the header

export type HeaderRest =
  | { type: 'message'; name: string; text: string; generated: boolean }
  | { type: 'system'; text: string };

/**
 * Quote characters. A "name" with an unclosed quote is a system line quoting something with a
 * colon (`Ann changed the subject to “Plans: 2021”`, in any language); `Robert "Bob" Smith` is a name.
 */
const QUOTES = /["“”„«»]/g;

function hasUnclosedQuote(name: string): boolean {
  const quotes = name.match(QUOTES);
  return quotes !== null && quotes.length % 2 === 1;
}

/**
 * An author's message (`Name: text`) or a system line. `generated` says that the text began with
 * U+200E: iOS marks text WhatsApp wrote itself (system lines credited to the group, media).
 */
export function parseRest(rest: string): HeaderRest {
  const colon = rest.indexOf(': ');
  const end = colon >= 0 ? colon : rest.endsWith(':') ? rest.length - 1 : -1;
  if (end > 0) {
    const name = cleanName(rest.slice(0, end));
    if (name && name.length <= 128 && !hasUnclosedQuote(name)) {
      const raw = rest.slice(end + 2);
      const text = stripLeadingMarks(raw);
      return { type: 'message', name, text, generated: raw.charCodeAt(0) === 0x200e };
    }
  }
  return { type: 'system', text: stripLeadingMarks(rest) };
}

/** A name without invisible marks, with ordinary spaces, in NFC: the same person however it was written. */
export function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(name)) return name.trim();
  // NFC too: a Mac writes "é" as e + U+0301 in file names, a phone as one character.
  return name.replace(ANY_MARKS, '').replace(/[\u00A0\u202F]/g, ' ').trim().normalize('NFC');
}

export interface SystemLine {
  /** Who did it, as named in the line; null when unnamed or "You" (the exporting phone's owner). */
  actor: string | null;
  /** The line is about a group (created, added, left, subject…): the chat is a group. */
  group: boolean;
  /** The group's subject when the line sets it. */
  subject: string | null;
}

const APOS = "['’]";
const OPEN_Q = '["“„«]';
const CLOSE_Q = '["”“»]';
/**
 * English system lines: group 1 is who acted; group 2 the subject (`subject`), or the people acted
 * on (`targets`: "Bob", "Bob, Carol and Dan"). The `d` flag gives their positions (systemLinePeople).
 */
const SYSTEM_LINES: readonly { re: RegExp; group: boolean; subject?: boolean; targets?: boolean }[] = [
  { re: new RegExp(`^(.+?) created group ${OPEN_Q}(.*)${CLOSE_Q}$`, 'd'), group: true, subject: true },
  { re: new RegExp(`^(.+?) changed the subject (?:from ${OPEN_Q}.*${CLOSE_Q} )?to ${OPEN_Q}(.*)${CLOSE_Q}$`, 'd'), group: true, subject: true },
  { re: new RegExp(`^(.+?) changed (?:this group${APOS}s|the group) (?:icon|description|settings|name)`, 'd'), group: true },
  { re: new RegExp(`^(.+?) (?:deleted|removed) this group${APOS}s (?:icon|description)`, 'd'), group: true },
  { re: new RegExp(`^(.+?) joined using this group${APOS}s invite link$`, 'd'), group: true },
  { re: /^(.+?) created this group$/d, group: true },
  { re: /^(.+?) (?:added|removed) (.+)$/d, group: true, targets: true },
  { re: /^(.+?) left$/d, group: true },
  { re: /^(.+?) changed (?:their|your) phone number/d, group: false },
  { re: /^(.+?) changed to (\S.*)$/d, group: false, targets: true },
];
const GROUP_NOTICES = /^Messages (?:and calls )?to this group are now (?:secured|end-to-end encrypted)/;

/** What an English system line says about who did it and about the chat; others are unnamed. */
export function parseSystemLine(text: string): SystemLine {
  if (GROUP_NOTICES.test(text)) return { actor: null, group: true, subject: null };
  for (const { re, group, subject } of SYSTEM_LINES) {
    const m = re.exec(text);
    if (!m) continue;
    const actor = cleanName(m[1]);
    return { actor: namesSomeone(actor) ? actor : null, group, subject: subject ? m[2] : null };
  }
  return { actor: null, group: false, subject: null };
}

/** The person a name in an export stands for: authors, and the people system lines name. */
export function whatsappPersonId(name: string): string {
  return `whatsapp:${name}`;
}

/** A person named in a system line: where (in the line's text) and the name, cleaned. */
export interface NamedSpan {
  start: number;
  end: number;
  name: string;
}

/** "You" (the exporting phone's owner) names nobody the archive knows. */
function namesSomeone(name: string): boolean {
  return name !== '' && name.length <= 128 && !/^you$/i.test(name);
}

/**
 * The people an English system line names, in order: who acted ("Loris added …") and who was
 * acted on ("… added John, Emily and Ben", "+1 555 changed to +1 556"). Other lines: none.
 */
export function systemLinePeople(text: string): NamedSpan[] {
  if (GROUP_NOTICES.test(text)) return [];
  for (const { re, targets } of SYSTEM_LINES) {
    const m = re.exec(text);
    if (!m) continue;
    const spans: NamedSpan[] = [];
    const add = (start: number, end: number) => {
      const name = cleanName(text.slice(start, end));
      if (namesSomeone(name)) spans.push({ start, end, name });
    };
    add(m.indices![1][0], m.indices![1][1]);
    if (targets) {
      const [from, to] = m.indices![2];
      let start = from;
      for (const sep of text.slice(from, to).matchAll(/, | and /g)) {
        add(start, from + sep.index!);
        start = from + sep.index! + sep[0].length;
      }
      add(start, to);
    }
    return spans;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Markers in message text

export interface MediaMarker {
  /** The file's name, when the marker names one. */
  name: string | null;
  /** The export left the file out ("<Media omitted>", "image omitted"). */
  omitted: boolean;
  /** The text besides the marker (an Android caption), or ''. */
  caption: string;
  /** The marker names a file only if the archive has it (an unknown "(… attached)" wording). */
  needsFile: boolean;
}

const ATTACHED = /^< ?attached: ?([^<>\n]+?) ?>$/;
const FILE_ATTACHED = /^(.+?\.[A-Za-z0-9]{1,10}) \(([^()]{2,40})\)$/;
const ATTACHED_WORDS = new Set([
  'file attached', 'Datei angehängt', 'archivo adjunto', 'fichier joint', 'file allegato', 'arquivo anexado',
  'ficheiro anexado', 'bestand bijgevoegd', 'dosya ekli', 'plik załączony',
]);
const OMITTED = new RegExp(
  '^(?:<(?:Media omitted|Medien ausgeschlossen|Multimedia omitido|Médias omis|Media omessi|Mídia oculta|Arquivo de mídia oculto|Media weggelaten)>' +
    '|(?:image|video|audio|sticker|GIF|document|Contact card|video note) omitted|.+ document omitted)$',
);

/** The media marker a message's text is or starts with, or null. */
export function mediaMarker(text: string): MediaMarker | null {
  const nl = text.indexOf('\n');
  const first = stripLeadingMarks(nl < 0 ? text : text.slice(0, nl)).trimEnd();
  const caption = nl < 0 ? '' : text.slice(nl + 1);
  let m = ATTACHED.exec(first);
  if (m) return { name: m[1], omitted: false, caption, needsFile: false };
  m = FILE_ATTACHED.exec(first);
  if (m) return { name: m[1], omitted: false, caption, needsFile: !ATTACHED_WORDS.has(m[2]) };
  if (OMITTED.test(first)) return { name: null, omitted: true, caption, needsFile: false };
  return null;
}

const DELETED = /^(?:This message was deleted|You deleted this message)\.?$/;

/** The text WhatsApp leaves in place of a deleted message. */
export function isDeletedNotice(text: string): boolean {
  return DELETED.test(text);
}

// Android: "text <This message was edited>"; iOS marks it with U+200E.
const EDITED = /\s*\u200e?<This message was edited>$/;

/** Whether WhatsApp marked the text as edited (the body is the text after the edit). */
export function isEditedText(text: string): boolean {
  return EDITED.test(text);
}

const CALL = /^(?:Missed )?(?:group )?(?:voice|video) call\b/i;

/** iOS call lines ("‎Missed voice call", "‎Video call, 12 min"), credited to the caller. */
export function isCallNotice(text: string): boolean {
  return CALL.test(text);
}

/** A poll: `POLL:`, the question, then `OPTION: text (n votes)` lines. */
export function isPoll(text: string): boolean {
  return /^POLL:\s*\n/.test(text) && /\n[\u200E\u200F]*OPTION: /.test(text);
}

export interface Poll {
  question: string;
  options: { text: string; votes: number | null }[];
}

/** A poll's question and options, or null when the text is no poll. */
export function parsePoll(text: string): Poll | null {
  if (!isPoll(text)) return null;
  const lines = text.split('\n').map(stripLeadingMarks);
  const question: string[] = [];
  const options: Poll['options'] = [];
  for (const line of lines.slice(1)) {
    const option = /^OPTION: (.*?)(?: \((\d+) votes?\))?$/.exec(line);
    if (option) options.push({ text: option[1], votes: option[2] === undefined ? null : Number(option[2]) });
    else if (options.length === 0) question.push(line);
    else options[options.length - 1].text += `\n${line}`;
  }
  return { question: question.join('\n').trim(), options };
}
