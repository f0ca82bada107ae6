/**
 * One day file (`<folder>/YYYY-MM-DD.json`): its messages in ts order, each with its position for
 * warnings. A file that cannot be read as a JSON list of messages is skipped with a warning.
 */
import { isObject, type JsonObject } from '../kit/fields.js';
import { parseJson, salvageJson, UnreadableItem } from '../kit/json-file.js';
import { formatLimit, MAX_JSON_FILE_BYTES } from '../kit/limits.js';
import type { Warnings } from '../kit/warnings.js';
import type { DayFile } from './input.js';
import { tsMicros, tsText } from './time.js';

export interface DayMessage {
  raw: JsonObject;
  /** Position in the day file, for warnings. */
  index: number;
  ts: string;
  /** ts as microseconds since the epoch: the sort key. */
  order: number;
}

/** A day file's messages in ts order; [] with a warning when the file cannot be read as one. */
export async function readDay(day: DayFile, warnings: Warnings): Promise<DayMessage[]> {
  if (day.size > MAX_JSON_FILE_BYTES) {
    warnings.add(day.where, `a day file of ${day.size} bytes, over the limit of ${formatLimit(MAX_JSON_FILE_BYTES)} read into memory: skipped`);
    return [];
  }
  const bytes = await day.read(); // a damaged zip or unreadable file stops the import
  let value: unknown;
  try {
    value = parseJson(bytes);
  } catch (err) {
    // One message that cannot be read, the rest sound: that message is skipped below.
    value = salvageJson(bytes);
    if (value === null) {
      warnings.add(day.where, `${(err as Error).message}: the day file is skipped`);
      return [];
    }
  }
  if (!Array.isArray(value)) {
    warnings.add(day.where, 'not a JSON list of messages: the day file is skipped');
    return [];
  }
  const out: DayMessage[] = [];
  value.forEach((raw: unknown, index) => {
    if (raw instanceof UnreadableItem) {
      warnings.add(`${day.where} [${index}]`, raw.warning);
      return;
    }
    if (!isObject(raw)) {
      warnings.add(`${day.where} [${index}]`, 'not a message object: skipped');
      return;
    }
    const ts = tsText(raw.ts);
    const order = ts === null ? NaN : tsMicros(ts);
    if (ts === null || !Number.isFinite(order)) {
      const given = raw.ts === undefined ? 'none' : JSON.stringify(raw.ts).slice(0, 40);
      warnings.add(`${day.where} [${index}]`, `a message without a valid ts (${given}): skipped`);
      return;
    }
    out.push({ raw, index, ts, order });
  });
  // Sorted by ts, ties in file order (Array.prototype.sort is stable).
  out.sort((a, b) => a.order - b.order);
  return out;
}
