import { MessageFlags } from '../model.js';

/**
 * Which message times are plausible, the one rule for writer and readers. The writer flags a time
 * outside these bounds (a Skype SMS row dated 2404, a phone that reset to 1970) and keeps it: the
 * message stays on the page its time gives, since a published URL never changes. Readers then let
 * only plausible messages decide a chat's activity, newest page, latest messages and feed entries,
 * through this flag (not the bounds, which a later version may move).
 */
const EARLIEST = Date.UTC(1980, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/** Whether the writer takes this time (UTC ms) as plausible. */
export function isPlausibleTime(time: number): boolean {
  return time >= EARLIEST && time < LATEST;
}

/** SQL condition on a message row (its `flags` column): its time is plausible. */
export const PLAUSIBLE_SQL = `(flags & ${MessageFlags.implausibleTime}) = 0`;

/** The same condition on a row's flags read into JavaScript. */
export function hasPlausibleTime(flags: number): boolean {
  return (flags & MessageFlags.implausibleTime) === 0;
}
