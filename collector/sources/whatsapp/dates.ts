/**
 * Dates and times of an export: the day/month order its dates are read in (from the survey, else
 * this machine's locale), and the time zone its wall times are in.
 */
import type { ReadOptions } from '../types.js';
import { checkTimeZone, machineTimeZone } from '../kit/zoned-time.js';
import { DATE_ORDERS, type DateOrder } from './lines.js';

/**
 * The zone a read with these options converts times in (canonical IANA name): for the import
 * summary. Throws a RangeError naming an unknown zone.
 */
export function whatsappTimeZone(options: ReadOptions = {}): string {
  return checkTimeZone(options.whatsapp?.timeZone ?? machineTimeZone());
}

/** The day/month order of the machine's locale (for dates no line decides). */
export function machineDateOrder(): DateOrder {
  const parts = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(Date.UTC(2001, 10, 22, 12));
  const order = parts.filter((p) => p.type === 'day' || p.type === 'month' || p.type === 'year').map((p) => p.type[0]).join('');
  return order === 'mdy' || order === 'ymd' ? order : 'dmy';
}

export const ORDER_NAMES: Record<DateOrder, string> = { dmy: 'day/month/year', mdy: 'month/day/year', ymd: 'year/month/day' };

/** Per date order: dates it cannot read, and how often the dates it reads go back a day or more. */
export interface OrderStats {
  invalid: number;
  backwards: number;
  lastDay: number;
}


/**
 * The day/month order to read the file in, and a warning when the data did not decide it:
 * every date must be valid in it (a first field over 12 means day first, a second one month
 * first), then the order whose dates go back in time least often (05/01, 06/01, 01/02 read month
 * first would jump back from June to January), then the machine locale's order.
 * Year-first with a 2-digit year (Korean phones) is taken only when the data asks for it.
 */
export function chooseDateOrder(stats: Record<DateOrder, OrderStats>, sample: string): { order: DateOrder; warning: string | null } {
  const valid = DATE_ORDERS.filter((o) => stats[o].invalid === 0);
  if (valid.length === 0) {
    const order = [...DATE_ORDERS].sort((a, b) => stats[a].invalid - stats[b].invalid)[0];
    return {
      order,
      warning: `the dates fit no single day/month order (e.g. "${sample}"); read as ${ORDER_NAMES[order]}, which fits most; ` +
        `lines with impossible dates are kept as message text`,
    };
  }
  const fewest = Math.min(...valid.map((o) => stats[o].backwards));
  const forward = valid.filter((o) => stats[o].backwards === fewest);
  if (forward.length === 1) return { order: forward[0], warning: null };
  if (!(forward.includes('dmy') && forward.includes('mdy'))) return { order: forward.includes('dmy') ? 'dmy' : 'mdy', warning: null };
  const order = machineDateOrder() === 'mdy' ? 'mdy' : 'dmy';
  return {
    order,
    warning: `the dates do not tell day from month (no field over 12, e.g. "${sample}"); ` +
      `read as ${ORDER_NAMES[order]}, this machine's locale default; use --date-order to choose`,
  };
}
