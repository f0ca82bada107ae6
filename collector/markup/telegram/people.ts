import { TELEGRAM_DELETED, telegramNamedId, telegramPersonId } from '../../identity/telegram-ids.js';
import { personText } from '../../store/person-refs.js';
import { stripInvalidXml } from '../html.js';
import { str } from './output.js';

/**
 * People an envelope names, as person references (collector/store/person-refs.ts) with the id the
 * adapter gives that person's messages (identity/telegram-ids.ts).
 */

/** A name as exports write it: null (and anything not a string) is a deleted account. */
export function nameOf(v: unknown): string {
  const name = str(v).trim();
  return name || 'Deleted Account';
}

/**
 * A person as a reference in plain text (escape it for HTML): a name field and the id field
 * beside it (`actor`, `actor_id`), as the adapter identifies authors. A name alone gets no id: it
 * may be anyone of that name (the adapter's `telegram:name:` ids are for exports without ids).
 */
export function person(name: unknown, id?: unknown): string {
  return ref(telegramPersonId(id) ?? (str(name).trim() ? null : TELEGRAM_DELETED), nameOf(name));
}

/** The same person as `person`, as the parts of a reference (for reaction chips). */
export function reactor(name: unknown, id?: unknown): { id: string; name: string } {
  const known = telegramPersonId(id) ?? (str(name).trim() ? null : TELEGRAM_DELETED);
  return { id: known ? stripInvalidXml(known) : '', name: nameOf(name) };
}

/** The actor of a service message, identified as the adapter identifies its author. */
export function actorOf(env: Record<string, unknown>): string {
  return ref(telegramNamedId(env.actor_id, env.actor), nameOf(env.actor));
}

/** A reference made safe for XML (an id is the export's text too). */
export function ref(id: string | null, name: string): string {
  return personText(id ? stripInvalidXml(id) : '', name);
}
