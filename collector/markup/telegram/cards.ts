import { escapeHtml } from '../html.js';
import { telegramPersonId } from '../../identity/telegram-ids.js';
import { count, isObject, link, MAX_ITEMS, Output, str } from './output.js';
import { reactor, ref } from './people.js';
import { reactionsBlock } from '../reactions.js';
import { writeText } from './text.js';

/** What a message shows besides its text: a poll, a contact, a place, its reactions. */

export function writePoll(poll: Record<string, unknown>, out: Output): void {
  const question = new Output();
  writeText(poll.question, question);
  out.line();
  out.raw(`<span class="cc-poll">📊 <b>${question.html || 'Poll'}</b></span>`, question.text || 'Poll');
  const answers = Array.isArray(poll.answers) ? poll.answers.slice(0, MAX_ITEMS) : [];
  let items = '';
  for (const answer of answers) {
    if (!isObject(answer)) continue;
    const text = new Output();
    writeText(answer.text, text);
    const voters = count(answer.voters);
    const votes = voters === null ? '' : ` — ${voters} ${voters === 1 ? 'vote' : 'votes'}`;
    const chosen = answer.chosen === true ? ' ✓' : '';
    items += `<li>${text.html}${escapeHtml(votes + chosen)}</li>`;
    out.text += `\n${text.text}`;
  }
  if (items) out.html += `<ul>${items}</ul>`;
  const total = count(poll.total_voters);
  const status = [total === null ? '' : `${total} ${total === 1 ? 'voter' : 'voters'}`, poll.closed === true ? 'closed' : ''].filter(Boolean).join(' · ');
  if (status) {
    out.line();
    out.raw(`<span class="cc-poll">${escapeHtml(status)}</span>`, '');
  }
}

export function writeContact(contact: Record<string, unknown>, out: Output): void {
  const name = `${str(contact.first_name)} ${str(contact.last_name)}`.trim();
  const phone = str(contact.phone_number).trim();
  const id = telegramPersonId(contact.user_id);
  const label = [name || id ? ref(id, name || 'Contact') : 'Contact', phone].filter(Boolean).join(' · ');
  out.line();
  out.raw(`<span class="cc-contact">👤 ${escapeHtml(label)}</span>`, label);
}

export function writePlace(env: Record<string, unknown>, out: Output): void {
  const place = str(env.place_name).trim();
  const address = str(env.address).trim();
  const location = isObject(env.location_information) ? env.location_information : null;
  const lat = location && typeof location.latitude === 'number' && Math.abs(location.latitude) <= 90 ? location.latitude : null;
  const lon = location && typeof location.longitude === 'number' && Math.abs(location.longitude) <= 180 ? location.longitude : null;
  if (!place && !address && lat === null && !('location_information' in env)) return;
  const live = count(env.live_location_period_seconds);
  const label = [place || (live ? 'Live location' : 'Location'), address].filter(Boolean).join(', ');
  let html = escapeHtml(label);
  if (lat !== null && lon !== null) {
    const href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;
    html = `${html} ${link(href, escapeHtml(`${lat.toFixed(5)}, ${lon.toFixed(5)}`))}`;
  }
  out.line();
  out.raw(`<span class="cc-location">📍 ${html}</span>`, label);
}

/** Reactions with how many and the few recent reactors newer exports list (`recent`). */
export function writeReactions(reactions: unknown[], out: Output): void {
  out.html += reactionsBlock(
    reactions.slice(0, MAX_ITEMS).filter(isObject).map((reaction) => {
      const type = str(reaction.type);
      const recent = Array.isArray(reaction.recent) ? reaction.recent.slice(0, MAX_ITEMS) : [];
      return {
        emoji: type === 'custom_emoji' ? 'custom emoji' : type === 'paid' ? '⭐' : str(reaction.emoji),
        count: count(reaction.count) ?? undefined,
        reactors: recent.filter(isObject).map((r) => reactor(r.from, r.from_id)),
      };
    }),
  );
}
