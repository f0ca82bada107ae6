/**
 * Graph returns camelCase keys, Microsoft's export tool writes PascalCase, and files people saved
 * by hand may hold either: every object is read with its keys lower-cased. The first of two keys
 * that differ only in case wins; objects without a prototype keep `__proto__` an ordinary key.
 * Nesting past MAX_DEPTH is left as it is (no message field lies that deep), so a hostile
 * 100,000-deep value costs nothing.
 */
const MAX_DEPTH = 24;

export function lowerKeys(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => lowerKeys(v, depth + 1));
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (!Object.hasOwn(out, lower)) out[lower] = lowerKeys(v, depth + 1);
  }
  return out;
}
