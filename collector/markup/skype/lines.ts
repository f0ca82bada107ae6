import { skypePersonId } from '../../identity/skype-ids.js';
import { personText } from '../../store/person-refs.js';
import { formatDuration } from '../duration.js';
import { attr, childElement, childElements, childText, textContent, type Element } from './parse.js';

/** The one-line structures of Skype bodies in words: calls, files, contacts, thread activity. */

/** `8:live:bob` → `live:bob`, `28:concierge` → `concierge`: Skype ids as users know them. */
export function displayId(id: string): string {
  return id.trim().replace(/^\d+:/, '');
}

/**
 * A person in a line of text, as a reference the site resolves (collector/store/person-refs.ts):
 * the id in the form the adapters give authors, and the name the markup showed (or the bare id).
 */
export function person(id: string, name = ''): string {
  const canonical = skypePersonId(id) ?? '';
  return personText(canonical, name.trim() || displayId(id));
}

/** `<ended/>` / `<missed/>` / `<started/>` markers beside a `<partlist>` without a type. */
export function callHint(root: Element): string {
  for (const child of root.children) {
    if (typeof child !== 'string' && (child.name === 'ended' || child.name === 'missed' || child.name === 'started')) return child.name;
  }
  return '';
}

/** "📞 Call ended · 1 min 5 s · Alice, Bob", "📞 Call started", "📞 Missed call". */
export function callLine(partlist: Element, hint: string): string {
  const type = (attr(partlist, 'type') || hint).toLowerCase();
  if (type === 'missed') return '📞 Missed call';
  if (type === 'started') return '📞 Call started';
  const names = new Set<string>();
  let duration = 0;
  for (const part of childElements(partlist, 'part')) {
    const identity = attr(part, 'identity');
    const name = childText(part, 'name');
    if (name || identity.trim()) names.add(person(identity, name));
    const seconds = Number(childText(part, 'duration'));
    if (Number.isFinite(seconds) && seconds > duration) duration = seconds;
  }
  const fields = [type === 'ended' ? '📞 Call ended' : '📞 Call'];
  if (duration > 0) fields.push(formatDuration(duration));
  if (names.size) fields.push([...names].join(', '));
  return fields.join(' · ');
}


export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const units = ['MB', 'GB', 'TB'];
  let value = bytes / (1024 * 1024);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1).replace(/\.0$/, '')} ${units[unit]}`;
}

export function fileLine(name: string, size: number): string {
  return `📎 ${name}${Number.isFinite(size) && size > 0 ? ` (${formatBytes(size)})` : ''}`;
}

/** What a user would call the file: its original name, else a name for its type. */
export function uriObjectName(node: Element): string {
  const name = attr(childElement(node, 'originalname'), 'v').trim() ||
    attr(childElement(node, 'meta'), 'originalname').trim() ||
    childText(node, 'title').replace(/^Title:\s*/, '');
  if (name) return name;
  const type = attr(node, 'type').toLowerCase();
  if (type.startsWith('picture') || type.includes('image')) return 'Photo';
  if (type.startsWith('video')) return 'Video';
  if (type.startsWith('audio')) return 'Voice message';
  if (type.includes('sticker') || type.includes('moji')) return 'Sticker';
  return 'File';
}

/** `<c t="s" s="live:bob" f="Bob Smith"/>` → "👤 Bob Smith (live:bob)". */
export function contactLine(contact: Element): string {
  const id = attr(contact, 's') || attr(contact, 'p') || attr(contact, 'id');
  const name = attr(contact, 'f').trim();
  return `👤 ${name || id.trim() ? person(id, name) : 'Contact'}`;
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Thread activity (`<addmember>`, `<deletemember>`, `<topicupdate>`, …: an element with an
 * `<initiator>`) → one sentence, with display names where the markup has them.
 */
export function activityLine(node: Element): string {
  const names = new Map<string, string>();
  const initiatorId = childText(node, 'initiator');
  const initiatorName = childText(childElement(node, 'detailedinitiatorinfo'), 'friendlyname');
  if (initiatorId && initiatorName) names.set(initiatorId, initiatorName);
  for (const info of childElements(node, 'detailedtargetinfo')) {
    const id = childText(info, 'id');
    const name = childText(info, 'friendlyname');
    if (id && name) names.set(id, name);
  }
  const who = (id: string): string => (id.trim() ? person(id, names.get(id)) : '');
  const actor = initiatorId ? who(initiatorId) : 'Someone';
  const targetNodes = childElements(node, 'target');
  const targets = targetNodes.map((t) => childText(t, 'id') || textContent(t).trim()).filter(Boolean);
  const value = childText(node, 'value');
  switch (node.name) {
    case 'addmember':
      if (!targets.length) return `${actor} added a member`;
      if (targets.length === 1 && targets[0] === initiatorId) return `${actor} joined`;
      if (!initiatorId) return `${joinNames(targets.map(who))} joined`;
      return `${actor} added ${joinNames(targets.map(who))}`;
    case 'deletemember':
      if (!targets.length || (targets.length === 1 && targets[0] === initiatorId)) return `${who(targets[0] ?? initiatorId) || actor} left`;
      return `${actor} removed ${joinNames(targets.map(who))}`;
    case 'topicupdate':
      return value ? `${actor} changed the topic to “${value}”` : `${actor} removed the topic`;
    case 'pictureupdate':
      return `${actor} changed the group picture`;
    case 'historydisclosedupdate':
      return value === 'true' ? `${actor} let new members see the chat history` : `${actor} hid the chat history from new members`;
    case 'joiningenabledupdate':
      return value === 'true' ? `${actor} allowed joining this chat with a link` : `${actor} turned off joining this chat with a link`;
    case 'roleupdate': {
      const changes = targetNodes.map((t) => `${who(childText(t, 'id'))} ${childText(t, 'role') || 'member'}`.trim());
      return `${actor} changed roles: ${changes.join(', ')}`;
    }
    default:
      return `${actor} updated the chat (${node.name}${value ? `: ${value}` : ''})`;
  }
}
