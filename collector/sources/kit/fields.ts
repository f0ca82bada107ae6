/**
 * Reading fields of parsed JSON from an untrusted export: every value may be missing or of another
 * type than the format documents, so adapters ask through these instead of trusting a cast.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string, else null. */
export function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** A string, else '' (for text that is shown as is). */
export function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A finite number (or a string holding one, as some exporters write ids and sizes), else null. */
export function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** An array, else an empty one. */
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The objects of an array (other entries are dropped: callers count them where it matters). */
export function objects(v: unknown): JsonObject[] {
  return list(v).filter(isObject);
}
