/**
 * Google Takeout writes Google Chat's `created_date`, `updated_date` and `deleted_date` as prose in
 * the account's language, not as a timestamp. The shapes read here are the ones seen in real
 * exports:
 *
 *   Monday, January 2, 2023 at 3:04:05 PM UTC       (en-US; newer exports put U+202F before PM)
 *   Monday, 2 January 2023 at 15:04:05 UTC          (en-GB and other English locales)
 *   2015. február 15., vasárnap 21:54:36 UTC        (hu)
 *   2023年1月2日月曜日 15:04:05 UTC                   (ja)
 *   2023年1月2日星期一 UTC 15:04:05                   (zh)
 *
 * and, by the same rules, a day and a month name in another European language (`2. Januar 2023 um
 * 15:04:05 UTC`). The zone is UTC in every export seen; `GMT`, offsets (`GMT+1`, `UTC-05:30`) and
 * common abbreviations (`PST`, `CET`) are read too. Anything else is NaN: the caller warns, naming
 * the message, rather than guessing a date.
 */

const MONTHS = new Map<string, number>();
const NAMES = [
  'january february march april may june july august september october november december', // en
  'januar februar märz april mai juni juli august september oktober november dezember', // de
  'janvier février mars avril mai juin juillet août septembre octobre novembre décembre', // fr
  'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre', // es
  'gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre', // it
  'januari februari maart april mei juni juli augustus september oktober november december', // nl
  'janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro', // pt
  'január február március április május június július augusztus szeptember október november december', // hu
];
for (const line of NAMES) line.split(' ').forEach((name, i) => MONTHS.set(name, i + 1));

/** Hours east of UTC of the zone abbreviations North American and European accounts show. */
const ZONES: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, UT: 0, WET: 0, BST: 1, CET: 1, CEST: 2, EET: 2, EEST: 3, MSK: 3, JST: 9, KST: 9,
  AEST: 10, AEDT: 11, NZST: 12, NZDT: 13, HST: -10, AKST: -9, AKDT: -8, PST: -8, PDT: -7, MST: -7, MDT: -6,
  CST: -6, CDT: -5, EST: -5, EDT: -4, AST: -4, NST: -3.5,
};

const ZONE = String.raw`([A-Z]{1,5})(?:\s*([+\-−])(\d{1,2})(?::?(\d\d))?)?`;
const TIME = String.raw`(\d{1,2})[:.](\d\d)(?:[:.](\d\d))?(?:\s*([AaPp])\.?\s?[Mm]\.?)?`;
/** Time then zone at the end (every shape but zh), or zone then time (zh). */
const TIME_ZONE = new RegExp(String.raw`\s*(?:${TIME}\s+${ZONE}|${ZONE}\s+${TIME})$`);
const CJK_DATE = /^(\d{4})年(\d{1,2})月(\d{1,2})日/;
const YEAR_FIRST = /^(\d{4})\.\s*(\p{L}+)\s+(\d{1,2})\./u;
const MONTH_FIRST = /(\p{L}+)\.?\s+(\d{1,2}),?\s+(\d{4})/u;
const DAY_FIRST = /(\d{1,2})\.?\s+(?:de\s+)?(\p{L}+)\.?\s+(?:de\s+)?(\d{4})/u;

/** UTC ms of a Takeout date string, or NaN when it is not one of the shapes above. */
export function parseTakeoutDate(value: unknown): number {
  if (typeof value !== 'string' || value.length > 200) return NaN;
  const s = value.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/\s+/g, ' ').trim();
  const tz = TIME_ZONE.exec(s);
  if (!tz) return NaN;
  // Groups 1–8: time then zone; 9–16: zone then time.
  const [h, mi, se, ap, zone, sign, zh, zm] = tz[1] !== undefined ? tz.slice(1, 9) : [...tz.slice(13, 17), ...tz.slice(9, 13)];
  const date = dateOf(s.slice(0, tz.index));
  const offset = offsetOf(zone, sign, zh, zm);
  if (!date || offset === null) return NaN;
  let hour = Number(h);
  if (ap) {
    if (hour < 1 || hour > 12) return NaN;
    hour = (hour % 12) + (/p/i.test(ap) ? 12 : 0);
  }
  const [minute, second] = [Number(mi), Number(se ?? 0)];
  const [year, month, day] = date;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(time).getUTCDate() !== day) return NaN; // 31 February
  return time - offset * 3_600_000;
}

/** [year, month, day] of the date part, in whichever of the shapes it is. */
function dateOf(part: string): [number, number, number] | null {
  const cjk = CJK_DATE.exec(part);
  if (cjk) return [Number(cjk[1]), Number(cjk[2]), Number(cjk[3])];
  const hu = YEAR_FIRST.exec(part);
  if (hu) return named(hu[1], hu[2], hu[3]);
  const mdy = MONTH_FIRST.exec(part);
  if (mdy && MONTHS.has(mdy[1].toLowerCase())) return named(mdy[3], mdy[1], mdy[2]);
  const dmy = DAY_FIRST.exec(part);
  return dmy ? named(dmy[3], dmy[2], dmy[1]) : null;
}

function named(year: string, month: string, day: string): [number, number, number] | null {
  const m = MONTHS.get(month.toLowerCase());
  return m ? [Number(year), m, Number(day)] : null;
}

/** Hours east of UTC, or null for a zone not known. */
function offsetOf(zone: string, sign: string | undefined, hours: string | undefined, minutes: string | undefined): number | null {
  if (!Object.hasOwn(ZONES, zone)) return null;
  if (sign === undefined) return ZONES[zone];
  if (ZONES[zone] !== 0 || Number(hours) > 14 || Number(minutes ?? 0) > 59) return null; // only UTC+n, GMT-n
  return (sign === '+' ? 1 : -1) * (Number(hours) + Number(minutes ?? 0) / 60);
}
