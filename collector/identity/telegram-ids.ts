/**
 * Telegram person ids, one form for the adapter's authors and the converter's person references
 * (collector/store/person-refs.ts), so that a person named in a service line is the author of
 * their own messages.
 *
 * `from_id` / `actor_id` "user123" → `telegram:user123`, "channel5" → `telegram:channel5`; a bare
 * number (old exports) is a user. Without an id: `"from": null` is a deleted account
 * (`telegram:deleted`), a name alone `telegram:name:<name>`.
 */
export const TELEGRAM_DELETED = 'telegram:deleted';

/** An id field as a person id, or null when it holds none. */
export function telegramPersonId(v: unknown): string | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return `telegram:user${v}`;
  if (typeof v !== 'string') return null;
  const id = v.trim();
  if (!id || id.length > 200) return null;
  return /^\d+$/.test(id) ? `telegram:user${id}` : `telegram:${id}`;
}

/**
 * The person a name field and its id field (`actor` / `actor_id`, `from` / `from_id`) name, or
 * null when neither says: the id, else a deleted account for `null`, else the name.
 */
export function telegramNamedId(id: unknown, name: unknown): string | null {
  const byId = telegramPersonId(id);
  if (byId) return byId;
  if (name === null) return TELEGRAM_DELETED;
  if (typeof name === 'string' && name.trim()) return `telegram:name:${name.trim().slice(0, 200)}`;
  return null;
}
