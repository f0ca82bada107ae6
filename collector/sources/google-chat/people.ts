import type { GooglePerson } from '../../markup/google-chat.js';
import { isObject, str } from '../kit/fields.js';

export const PERSON_PREFIX = 'gchat:';

/**
 * People of a Google Chat export. A person is their email address (Takeout's only account id,
 * the same in every export and group); a creator without one (a deleted account, some bots)
 * is their name. Names come from group_info.json, user_info.json and the messages' creators,
 * so that reactors and mentions, which Takeout names by email only, are shown by name.
 */
export class People {
  private readonly names = new Map<string, string>();

  /** The person a `{name, email, user_type}` object names (learning the name), or null. */
  person(user: unknown): GooglePerson | null {
    if (!isObject(user)) return null;
    const name = str(user.name)?.trim().slice(0, 300) ?? '';
    const email = str(user.email)?.trim().toLowerCase().slice(0, 320);
    if (email) {
      if (name) this.names.set(email, name);
      return { id: PERSON_PREFIX + email, name: name || this.names.get(email) || '' };
    }
    return name ? { id: `${PERSON_PREFIX}~${name}`, name } : null;
  }

  /** The person of a bare email (reactors), named when the export named them anywhere so far. */
  byEmail(email: unknown): GooglePerson | null {
    const e = str(email)?.trim().toLowerCase().slice(0, 320);
    return e ? { id: PERSON_PREFIX + e, name: this.names.get(e) ?? '' } : null;
  }
}
