import { formatDuration } from '../duration.js';
import { count, MAX_ITEMS, str } from './output.js';
import { actorOf, nameOf, person } from './people.js';

/** Service messages (`action`, or `information_text`): the sentence Telegram shows for each. */

function periodText(seconds: number): string {
  const units: [number, string][] = [[31_536_000, 'year'], [2_592_000, 'month'], [604_800, 'week'], [86_400, 'day'], [3600, 'hour'], [60, 'minute']];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/** Members as the export lists them (names only): the actor among them is the actor. */
function names(v: unknown, env: Record<string, unknown>): string {
  const actor = nameOf(env.actor);
  const list = Array.isArray(v) ? v.slice(0, MAX_ITEMS).map((m) => (nameOf(m) === actor ? actorOf(env) : person(m))) : [];
  const more = Array.isArray(v) && v.length > MAX_ITEMS ? ` and ${v.length - MAX_ITEMS} more` : '';
  if (list.length <= 1) return (list[0] ?? 'someone') + more;
  return `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}${more}`;
}

/**
 * Telegram's own sentence for a service message without an action ("Ada joined the chat from a
 * folder link"): the actor's name in it becomes the actor.
 */
function informationText(env: Record<string, unknown>): string {
  const text = str(env.information_text);
  const name = str(env.actor).trim();
  return name && text.includes(name) ? text.split(name).join(actorOf(env)) : text;
}

function quoted(v: unknown): string {
  const s = str(v).trim();
  return s ? `«${s}»` : '';
}

/** The sentence Telegram shows for a service message, in its words where it has some. */
export function serviceSentence(env: Record<string, unknown>): string {
  const actorName = nameOf(env.actor);
  const actor = actorOf(env);
  const action = str(env.action);
  const title = quoted(env.title);
  const members = Array.isArray(env.members) ? env.members : [];
  const soleMember = members.length === 1 ? nameOf(members[0]) : null;
  switch (action) {
    case '':
      return informationText(env);
    case 'create_group': {
      const others = members.filter((m) => nameOf(m) !== actorName);
      return `${actor} created the group ${title}${others.length ? ` with ${names(others, env)}` : ''}`.replace(/ +/g, ' ').trim();
    }
    case 'create_channel':
      return `Channel ${title} created`.replace(/ +/g, ' ');
    case 'migrate_to_supergroup':
      return `${actor} upgraded the group to a supergroup`;
    case 'migrate_from_group':
      return `${title ? `The group ${title}` : 'The group'} was upgraded to a supergroup`;
    case 'edit_group_title':
      return `${actor} changed the group name to ${title}`;
    case 'edit_group_photo':
      return `${actor} changed the group photo`;
    case 'delete_group_photo':
      return `${actor} removed the group photo`;
    case 'invite_members':
      return soleMember === actorName ? `${actor} joined the group` : `${actor} added ${names(members, env)}`;
    case 'remove_members':
      return soleMember === actorName ? `${actor} left the group` : `${actor} removed ${names(members, env)}`;
    case 'join_group_by_link':
      return `${actor} joined the group via invite link`;
    case 'join_group_by_request':
      return `${actor} was accepted into the group`;
    case 'pin_message':
      return `${actor} pinned a message`;
    case 'clear_history':
      return 'History was cleared';
    case 'phone_call':
    case 'conference_call':
      return callSentence(env, actor, action === 'conference_call');
    case 'group_call': {
      const seconds = count(env.duration);
      return seconds ? `${actor} started a video chat (${formatDuration(seconds)})` : `${actor} started a video chat`;
    }
    case 'invite_to_group_call':
      return `${actor} invited ${names(members, env)} to the video chat`;
    case 'group_call_scheduled':
      return `${actor} scheduled a video chat${str(env.schedule_date) ? ` for ${str(env.schedule_date)}` : ''}`;
    case 'take_screenshot':
      return `${actor} took a screenshot`;
    case 'score_in_game':
      return `${actor} scored ${count(env.score) ?? 0}`;
    case 'send_payment':
      return `Payment sent${str(env.currency) && count(env.amount) !== null ? `: ${(count(env.amount)! / 100).toFixed(2)} ${str(env.currency)}` : ''}`;
    case 'allow_sending_messages':
      return `Allowed this bot to send messages${str(env.reason_domain) ? ` (logged in on ${str(env.reason_domain)})` : ''}`;
    case 'joined_telegram':
      return `${actor} joined Telegram`;
    case 'requested_phone_number':
      return `${actor} requested a phone number`;
    case 'proximity_reached':
      return `${person(env.from, env.from_id)} is within ${count(env.distance) ?? '?'} m of ${person(env.to, env.to_id)}`;
    case 'set_messages_ttl': {
      const period = count(env.period);
      return period ? `${actor} set messages to auto-delete after ${periodText(period)}` : `${actor} turned off auto-delete`;
    }
    case 'edit_chat_theme':
      return str(env.emoticon) ? `${actor} changed the chat theme to ${str(env.emoticon)}` : `${actor} turned off the chat theme`;
    case 'topic_created':
      return `${actor} created the topic ${title}`.trim();
    case 'topic_edit':
      return str(env.new_title) ? `${actor} renamed the topic to ${quoted(env.new_title)}` : `${actor} changed the topic icon`;
    case 'suggest_profile_photo':
      return `${actor} suggested a profile photo`;
    case 'set_chat_wallpaper':
    case 'set_same_chat_wallpaper':
      return `${actor} set a new chat wallpaper`;
    case 'boost_apply':
      return `${actor} boosted the group${count(env.boosts) ? ` ${count(env.boosts)} times` : ''}`;
    case 'send_premium_gift':
      return `${actor} sent a Telegram Premium gift`;
    default: {
      const what = action.replace(/_/g, ' ');
      return env.actor !== undefined ? `${actor}: ${what}` : what.charAt(0).toUpperCase() + what.slice(1);
    }
  }
}

function callSentence(env: Record<string, unknown>, actor: string, group: boolean): string {
  const call = group ? 'group call' : 'call';
  const seconds = count(env.duration_seconds);
  const reason = str(env.discard_reason);
  if (reason === 'missed' || env.is_missed === true) return `Missed ${call} from ${actor}`;
  if (seconds) return `${actor} called (${call === 'call' ? '' : 'group call, '}${formatDuration(seconds)})`;
  if (reason === 'busy') return `${actor} called (busy)`;
  if (reason === 'hangup') return `Cancelled ${call} from ${actor}`;
  if (reason === 'disconnect') return `${actor} called (disconnected)`;
  return group ? `${actor} started a group call` : `${actor} called`;
}
