/**
 * Skype person and chat ids, canonical across every Skype source (classic main.db, "Export chats"
 * messages.json), so that the same person is one person and the same conversation one chat
 * whichever source, account or era saw it.
 *
 * People: `8:<skypename>` (`live:bob` → `8:live:bob`), phone numbers `4:+…`; ids that already carry
 * a numeric type prefix (`8:`, `28:` bots, `2:`, `4:`…) stay as they are.
 *
 * Chats (canonicalSkypeChatId):
 * - legacy peer-to-peer group chats keep their main.db name, `#alice/$bob;897aefba432c` or
 *   `#alice/$;hash`; a later export names the same chat `19:<base64 of that name>@p2p.thread.skype`,
 *   which decodes back to it;
 * - cloud groups `19:…@thread.skype` (and any other `19:` / `48:` id) stay as they are;
 * - one-to-one dialogs are named by both sides, sorted: `8:alice|8:bob`. main.db knows the
 *   partner (`Conversations.identity`) and the owner (`Accounts.skypename`); an export knows the
 *   conversation id `8:<partner>` and its `userId`. Either way both accounts get the same id.
 *
 * Nothing here throws: odd input comes back trimmed, or as it was.
 */

const TYPE_PREFIX = /^(\d+):/;
const P2P_THREAD = /^19:([A-Za-z0-9+/_-]+={0,2})@p2p\.thread\.skype$/i;
const LEGACY_NAME = /^#[^\s/]*\/\$[^\s;]*;[^\s]+$/;

/** A person's canonical id, or null for an empty or non-string value. */
export function skypePersonId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  let id = value.trim();
  // Cloud APIs name people by URL: …/users/ME/contacts/8:bob
  const contacts = id.lastIndexOf('/contacts/');
  if (contacts >= 0) id = id.slice(contacts + '/contacts/'.length).trim();
  if (!id) return null;
  if (TYPE_PREFIX.test(id)) return id;
  if (/^\+\d/.test(id)) return `4:${id}`;
  return `8:${id}`;
}

/** Whether a canonical id names a person (a dialog partner) rather than a thread or feed. */
export function isSkypePersonId(id: string): boolean {
  const prefix = TYPE_PREFIX.exec(id);
  if (!prefix) return false;
  return prefix[1] !== '19' && prefix[1] !== '48' && id.length > prefix[0].length;
}

/**
 * The legacy chat name inside a `19:<base64>@p2p.thread.skype` id, or null when the id is not
 * one or does not decode to a `#…/$…;…` name.
 */
export function decodeP2pThreadId(id: string): string | null {
  const match = P2P_THREAD.exec(id);
  if (!match) return null;
  let decoded: string;
  try {
    const bytes = Buffer.from(match[1].replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return LEGACY_NAME.test(decoded) ? decoded : null;
}

/** The `19:<base64>@p2p.thread.skype` form of a legacy chat name (what exports call it). */
export function encodeP2pThreadId(legacyName: string): string {
  return `19:${Buffer.from(legacyName, 'utf8').toString('base64')}@p2p.thread.skype`;
}

/** The canonical id of a dialog between two people: both ids, sorted, joined by `|`. */
export function skypeDialogId(a: string, b: string): string {
  return a <= b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * The canonical native id of a Skype conversation, the same from every source and account.
 * `ownerId` is the account the source belongs to (main.db `Accounts.skypename`, an export's
 * `userId`); without it a dialog keeps its partner's id.
 */
export function canonicalSkypeChatId(conversationId: string, ownerId?: string | null): string {
  if (typeof conversationId !== 'string') {
    // Not a string (untyped JSON): numbers are ids written without quotes; anything else is none.
    const value: unknown = conversationId;
    return typeof value === 'number' || typeof value === 'bigint' ? canonicalSkypeChatId(String(value), ownerId) : '';
  }
  const id = conversationId.trim();
  if (!id) return conversationId;
  if (id.startsWith('#')) return id;
  if (id.startsWith('19:')) return decodeP2pThreadId(id) ?? id;
  if (id.startsWith('48:')) return id;

  const bar = id.indexOf('|');
  if (bar >= 0) {
    // Already a pair (or something that looks like one): normalize its order.
    const parts = id.split('|');
    if (parts.length !== 2) return id;
    const a = skypePersonId(parts[0]);
    const b = skypePersonId(parts[1]);
    return a && b ? skypeDialogId(a, b) : id;
  }

  const partner = skypePersonId(id);
  if (!partner || !isSkypePersonId(partner)) return id;
  const owner = typeof ownerId === 'string' ? skypePersonId(ownerId) : null;
  if (!owner || !isSkypePersonId(owner)) return partner;
  return skypeDialogId(owner, partner);
}
