/**
 * `table[key]` for a lookup table indexed by text from an input: only the table's own entries, so
 * `constructor`, `__proto__` or `toString` from a hostile file never find Object.prototype's.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
