/**
 * The line grammar of WhatsApp's "Export chat" text: message headers in every locale form seen,
 * and what follows a header (an author's message or a system line).
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
 * The marks, names, system lines and markers in message text are collector/markup/whatsapp-grammar.ts
 * (the converter reads them too). Pure functions only; index.ts does the reading.
 */
import { cleanName, isCallNotice, isDeletedNotice, isEncryptionNotice, isPoll, mediaMarker, stripLeadingMarks } from '../../markup/whatsapp-grammar.js';
import { civilUtc } from '../kit/zoned-time.js';

export type DateOrder = 'dmy' | 'mdy' | 'ymd';
export const DATE_ORDERS: readonly DateOrder[] = ['dmy', 'mdy', 'ymd'];

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

// ---------------------------------------------------------------------------------------------
// What a header line says

export interface Meaning {
  /** The author's name, or null for a system line. */
  author: string | null;
  /** The line is a system event (no author, or iOS text WhatsApp wrote itself). */
  event: boolean;
  text: string;
  /** iOS wrote the text itself (it began with U+200E). */
  generated: boolean;
}

/**
 * Author or system line. iOS credits its system lines to the group (`Group: ‎Loris left`) and
 * starts them with U+200E, like media and call lines it writes for a person: a generated text
 * that is no media, deletion, call or poll is a system line. The encryption notice is one however
 * it comes (credited to the chat, with or without the mark).
 */
export function meaningOf(rest: string): Meaning {
  const parsed = parseRest(rest);
  if (parsed.type === 'system') return { author: null, event: true, text: parsed.text, generated: false };
  const { name, text, generated } = parsed;
  const event =
    (generated && mediaMarker(text) === null && !isDeletedNotice(text) && !isCallNotice(text) && !isPoll(text)) || isEncryptionNotice(text);
  return { author: name, event, text, generated };
}
