/**
 * Telegram Desktop message bodies → safe HTML + plain text.
 *
 * The Telegram adapter (collector/sources/telegram.ts) emits a message's text as it is when it is
 * plain text and nothing else, or else a JSON envelope: the message's own fields as the export
 * wrote them (bookkeeping — ids, dates, sizes — left out, except the ids of the people it names:
 * `actor_id`, `forwarded_from_id`…), with `text` holding the text as a string
 * or a list of parts (strings and entity objects `{"type", "text", "href"|"language"|"user_id"|
 * "document_id"}`, plain parts shortened to strings), and two fields of the adapter's own:
 * `cc_reply_missing` (the id of a replied-to message that is not in the archive) and
 * `cc_file_missing` (the photo or file the export names is not in its folder). A body starting with
 * `{` is always an envelope (the adapter wraps text that starts with `{`).
 *
 * What is drawn, in Telegram's order: "Forwarded from", the reply note, "via @bot", the media line
 * (sticker emoji, or a placeholder for a file the export left out), the text with its entities,
 * polls, contacts, locations and venues, games, invoices, the channel signature, reactions. A
 * service message (`action`, or `information_text`) becomes the sentence Telegram shows for it.
 *
 * Every person shown — actors, members, callers, mentions with a user id, who a message was
 * forwarded or saved from, the bot it was sent via, a channel post's signature, a contact, reactors
 * — is a person reference (collector/store/person-refs.ts) with the id the adapter gives that
 * person's messages (identity/telegram-ids.ts), or no id where the export names them only.
 *
 * Every tag is written here from escaped text; links only get http, https and mailto URLs
 * (safeHref); ensureSafeFragment() checks the result. Lists a hostile envelope can grow (parts,
 * answers, reactions, members) are capped.
 *
 * Classes for the site's stylesheet: cc-underline, cc-spoiler, cc-mention, cc-hashtag,
 * cc-bot-command, cc-phone, cc-custom-emoji, cc-code-language, cc-quote, cc-forward, cc-via,
 * cc-reply-missing, cc-sticker, cc-media, cc-media-missing, cc-poll, cc-contact, cc-location, cc-signature,
 * cc-reactions, cc-reaction, cc-reactors, cc-deleted.
 */
import { TELEGRAM_DELETED, telegramNamedId, telegramPersonId } from '../../identity/telegram-ids.js';
import { personText } from '../../store/person-refs.js';
import { escapeHtml, safeHref, stripInvalidXml } from '../html.js';
import { ensureSafeFragment } from '../sanitize.js';
import type { MarkupConverter, RenderedBody } from '../types.js';
import { own } from '../../own.js';

export const TELEGRAM_DELETED_HTML = '<span class="cc-deleted">This message was deleted.</span>';

/** One formatted part of a message's text, as Telegram Desktop exports it. */
export interface TelegramEntity {
  type: string;
  text: string;
  /** text_link */
  href?: string;
  /** pre */
  language?: string;
  /** mention_name */
  user_id?: number | string;
  /** custom_emoji */
  document_id?: string;
}

export type TelegramText = string | (string | TelegramEntity)[];

/** Parts, answers, reactions or names drawn at most from one envelope (real messages have few). */
const MAX_PARTS = 2000;
const MAX_ITEMS = 100;

export const telegram: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: TELEGRAM_DELETED_HTML, text: '' };
  const envelope = body.charCodeAt(0) === 0x7b ? parseEnvelope(body) : null;
  const out = new Output();
  if (envelope) writeEnvelope(envelope, out);
  else out.plain(clean(body));
  return { html: ensureSafeFragment(out.html), text: out.text.trim() };
};

function parseEnvelope(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field, made safe for XML; '' for anything else. */
function str(v: unknown): string {
  return typeof v === 'string' ? stripInvalidXml(v) : '';
}

/**
 * Message text made safe for XML. Vertical tab and form feed (Telegram Desktop writes them as
 * `\x0B`, `\x0C`) separate lines: they become line breaks instead of vanishing.
 */
function clean(s: string): string {
  return stripInvalidXml(s.indexOf('\v') === -1 && s.indexOf('\f') === -1 ? s : s.replace(/[\v\f]/g, '\n'));
}

/** A name as exports write it: null (and anything not a string) is a deleted account. */
function nameOf(v: unknown): string {
  const name = str(v).trim();
  return name || 'Deleted Account';
}

/**
 * A person as a reference in plain text (escape it for HTML): a name field and the id field
 * beside it (`actor`, `actor_id`), as the adapter identifies authors. A name alone gets no id: it
 * may be anyone of that name (the adapter's `telegram:name:` ids are for exports without ids).
 */
function person(name: unknown, id?: unknown): string {
  return ref(telegramPersonId(id) ?? (str(name).trim() ? null : TELEGRAM_DELETED), nameOf(name));
}

/** The actor of a service message, identified as the adapter identifies its author. */
function actorOf(env: Record<string, unknown>): string {
  return ref(telegramNamedId(env.actor_id, env.actor), nameOf(env.actor));
}

/** A reference made safe for XML (an id is the export's text too). */
function ref(id: string | null, name: string): string {
  return personText(id ? stripInvalidXml(id) : '', name);
}

function count(v: unknown): number | null {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** HTML and text written side by side; `line()` starts a new line unless after a block. */
class Output {
  html = '';
  text = '';

  /** Plain text: escaped, line breaks kept. */
  plain(s: string): void {
    if (!s) return;
    this.text += s;
    // A block element already ends its line: the newline that follows it in the text is not a blank line.
    if (endsWithBlock(this.html)) s = s.replace(/^\r?\n/, '');
    const escaped = escapeHtml(s);
    this.html += escaped.indexOf('\n') === -1 && escaped.indexOf('\r') === -1 ? escaped : escaped.replace(/\r\n?|\n/g, '<br>');
  }

  /** A block element (pre, blockquote, list): on a line of its own, without a blank line before it. */
  block(html: string, text: string): void {
    if (this.html.endsWith('<br>')) this.html = this.html.slice(0, -4);
    this.html += html;
    this.text += `${this.text && !this.text.endsWith('\n') ? '\n' : ''}${text}\n`;
  }

  raw(html: string, text: string): void {
    this.html += html;
    this.text += text;
  }

  /** Begins a new line of its own: a `<br>` unless at the start or right after a block element. */
  line(): void {
    if (this.html && !endsWithBlock(this.html) && !this.html.endsWith('<br>')) this.html += '<br>';
    if (this.text && !this.text.endsWith('\n')) this.text += '\n';
  }
}

function endsWithBlock(html: string): boolean {
  return /<\/(?:pre|blockquote|ul|ol|p)>$/.test(html);
}

// ---------------------------------------------------------------------------------------------
// Text with entities

function writeText(value: unknown, out: Output): void {
  if (typeof value === 'string') {
    out.plain(clean(value));
    return;
  }
  if (!Array.isArray(value)) return;
  const parts = value.length > MAX_PARTS ? value.slice(0, MAX_PARTS) : value;
  for (const part of parts) {
    if (typeof part === 'string') out.plain(clean(part));
    else if (isObject(part)) writeEntity(part, out);
  }
}

function writeEntity(part: Record<string, unknown>, out: Output): void {
  const text = typeof part.text === 'string' ? clean(part.text) : '';
  if (!text) return;
  const html = escapeHtml(text);
  const lines = html.replace(/\r\n?|\n/g, '<br>');
  switch (str(part.type)) {
    case 'bold':
      return out.raw(`<b>${lines}</b>`, text);
    case 'italic':
      return out.raw(`<i>${lines}</i>`, text);
    case 'underline':
      return out.raw(`<span class="cc-underline">${lines}</span>`, text);
    case 'strikethrough':
      return out.raw(`<s>${lines}</s>`, text);
    case 'spoiler':
      return out.raw(`<span class="cc-spoiler">${lines}</span>`, text);
    case 'code':
      return out.raw(`<code>${lines}</code>`, text);
    case 'pre': {
      const language = str(part.language).trim();
      if (language) {
        out.line();
        out.raw(`<span class="cc-code-language">${escapeHtml(language)}</span>`, '');
      }
      return out.block(`<pre><code>${html}</code></pre>`, text);
    }
    case 'blockquote':
    case 'expandable_blockquote':
      return out.block(`<blockquote class="cc-quote">${lines}</blockquote>`, text);
    case 'link': {
      // Telegram links bare domains too (`example.com/x`): they open as http.
      const href = safeHref(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `http://${text}`);
      return out.raw(href ? link(href, lines) : lines, text);
    }
    case 'text_link': {
      const href = safeHref(str(part.href));
      return out.raw(href ? link(href, lines) : lines, text);
    }
    case 'email': {
      const href = /^[^\s@<>"]+@[^\s@<>"]+$/.test(text) ? safeHref(`mailto:${text}`) : null;
      return out.raw(href ? link(href, lines) : lines, text);
    }
    case 'mention':
      return out.raw(`<span class="cc-mention">${lines}</span>`, text);
    case 'mention_name':
    case 'text_mention': {
      // A mention of someone without a username: the entity knows who.
      const mention = ref(telegramPersonId(part.user_id), text.replace(/\s+/g, ' ').trim());
      return out.raw(`<span class="cc-mention">${escapeHtml(mention)}</span>`, mention);
    }
    case 'hashtag':
    case 'cashtag':
      return out.raw(`<span class="cc-hashtag">${lines}</span>`, text);
    case 'bot_command':
      return out.raw(`<span class="cc-bot-command">${lines}</span>`, text);
    case 'phone':
      return out.raw(`<span class="cc-phone">${lines}</span>`, text);
    case 'custom_emoji':
      // The text is the emoji Telegram shows where the custom one cannot be drawn.
      return out.raw(`<span class="cc-custom-emoji">${lines}</span>`, text);
    default: // plain, bank_card, unknown
      return out.plain(text);
  }
}

function link(href: string, labelHtml: string): string {
  return `<a href="${escapeHtml(href)}" rel="nofollow noopener">${labelHtml}</a>`;
}

// ---------------------------------------------------------------------------------------------
// The envelope

function writeEnvelope(env: Record<string, unknown>, out: Output): void {
  if (typeof env.action === 'string' || typeof env.information_text === 'string') {
    const sentence = serviceSentence(env);
    if (sentence) out.raw(escapeHtml(sentence), sentence);
    if (hasText(env.text)) {
      out.line();
      writeText(env.text, out);
    }
    return;
  }

  if ('forwarded_from' in env) {
    const name = str(env.forwarded_from).trim();
    const from = env.forwarded_from === null ? 'a hidden or deleted account' : name || telegramPersonId(env.forwarded_from_id) ? person(name || null, env.forwarded_from_id) : '';
    out.line();
    out.raw(`<span class="cc-forward">Forwarded from <b>${escapeHtml(from || 'unknown')}</b></span>`, `Forwarded from ${from}`);
  }
  if ('saved_from' in env) {
    const from = person(env.saved_from, env.saved_from_id);
    out.line();
    out.raw(`<span class="cc-forward">Saved from <b>${escapeHtml(from)}</b></span>`, `Saved from ${from}`);
  }
  const replyMissing = count(env.cc_reply_missing);
  if (replyMissing !== null) {
    out.line();
    out.raw(`<span class="cc-reply-missing">↩ In reply to a message not in this archive (#${replyMissing})</span>`, '');
  }
  const viaBot = str(env.via_bot).trim();
  if (viaBot) {
    out.line();
    out.raw(`<span class="cc-via">via ${escapeHtml(ref(null, viaBot))}</span>`, '');
  }

  writeMedia(env, out);
  if (hasText(env.text)) {
    out.line();
    writeText(env.text, out);
  }
  if (isObject(env.poll)) writePoll(env.poll, out);
  if (isObject(env.contact_information)) writeContact(env.contact_information, out);
  writePlace(env, out);
  const game = str(env.game_title);
  if (game) {
    out.line();
    const description = str(env.game_description);
    out.raw(`🎮 <b>${escapeHtml(game)}</b>${description ? ` ${escapeHtml(description)}` : ''}`, `${game} ${description}`.trim());
  }
  if (isObject(env.invoice_information)) {
    const invoice = env.invoice_information;
    const title = str(invoice.title);
    const description = str(invoice.description);
    out.line();
    out.raw(`🧾 <b>${escapeHtml(title || 'Invoice')}</b>${description ? ` ${escapeHtml(description)}` : ''}`, `${title} ${description}`.trim());
  }
  const signature = str(env.author).trim();
  if (signature) {
    out.line();
    out.raw(`<span class="cc-signature">— ${escapeHtml(ref(null, signature))}</span>`, '');
  }
  if (Array.isArray(env.reactions)) writeReactions(env.reactions, out);
}

function hasText(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (Array.isArray(value) && value.length > 0);
}

const MEDIA_LABELS: Record<string, [icon: string, label: string]> = {
  photo: ['🖼', 'Photo'],
  sticker: ['', 'Sticker'],
  animation: ['🎞', 'GIF'],
  video_file: ['🎬', 'Video'],
  video_message: ['📹', 'Video message'],
  voice_message: ['🎤', 'Voice message'],
  audio_file: ['🎵', 'Audio'],
  file: ['📎', 'File'],
};

/** The Telegram Desktop texts that stand in for a file the export does not contain. */
const NOT_INCLUDED = /\((?:File|Photo) not included\b/;
const TOO_LARGE = /\((?:File|Photo) exceeds maximum size\b/;
const UNAVAILABLE = /\((?:File|Photo) unavailable\b/;

/** Why the file of this message is not in the archive, or null when it is (or there is none). */
function missingReason(env: Record<string, unknown>): string | null {
  const value = typeof env.photo === 'string' ? env.photo : typeof env.file === 'string' ? env.file : null;
  if (value === null) return null;
  if (NOT_INCLUDED.test(value)) return 'not included in the export';
  if (TOO_LARGE.test(value)) return 'too large, not included in the export';
  if (UNAVAILABLE.test(value)) return 'was unavailable when the export was made';
  if (env.cc_file_missing === true) return 'missing from the export folder';
  return null;
}

function writeMedia(env: Record<string, unknown>, out: Output): void {
  const mediaType = str(env.media_type);
  const reason = missingReason(env);
  if (mediaType === 'sticker') {
    const emoji = str(env.sticker_emoji).trim();
    const label = `${emoji ? `${emoji} ` : ''}Sticker${reason ? ` — ${reason}` : ''}`;
    out.line();
    out.raw(`<span class="cc-sticker">${escapeHtml(label)}</span>`, label);
    return;
  }
  const [icon, kind] = own(MEDIA_LABELS, mediaType) ?? (typeof env.photo === 'string' ? MEDIA_LABELS.photo : typeof env.file === 'string' ? MEDIA_LABELS.file : ['', '']);
  if (!kind) return;
  let details = '';
  if (mediaType === 'audio_file') details = [str(env.performer), str(env.title)].filter(Boolean).join(' — ');
  const seconds = count(env.duration_seconds);
  const duration = seconds !== null && seconds > 0 ? formatDuration(seconds) : '';
  if (!reason) {
    // The file is in the archive (the site shows it): only what the file itself does not say.
    const note = [details, duration].filter(Boolean).join(', ');
    if (note && mediaType !== 'animation') {
      out.line();
      out.raw(`<span class="cc-media">${escapeHtml(`${icon} ${kind}: ${note}`)}</span>`, '');
    }
    return;
  }
  const name = str(env.file_name).trim();
  const label = `${kind}${name ? ` “${name}”` : ''}${details ? ` (${details})` : ''}${duration ? `, ${duration}` : ''} — ${reason}`;
  out.line();
  out.raw(`<span class="cc-media-missing">${escapeHtml(icon ? `${icon} ${label}` : label)}</span>`, label);
}

function writePoll(poll: Record<string, unknown>, out: Output): void {
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

function writeContact(contact: Record<string, unknown>, out: Output): void {
  const name = `${str(contact.first_name)} ${str(contact.last_name)}`.trim();
  const phone = str(contact.phone_number).trim();
  const id = telegramPersonId(contact.user_id);
  const label = [name || id ? ref(id, name || 'Contact') : 'Contact', phone].filter(Boolean).join(' · ');
  out.line();
  out.raw(`<span class="cc-contact">👤 ${escapeHtml(label)}</span>`, label);
}

function writePlace(env: Record<string, unknown>, out: Output): void {
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

function writeReactions(reactions: unknown[], out: Output): void {
  let chips = '';
  for (const reaction of reactions.slice(0, MAX_ITEMS)) {
    if (!isObject(reaction)) continue;
    const type = str(reaction.type);
    const emoji = type === 'custom_emoji' ? 'custom emoji' : type === 'paid' ? '⭐' : str(reaction.emoji).trim();
    if (!emoji) continue;
    const n = count(reaction.count) ?? 1;
    const recent = Array.isArray(reaction.recent) ? reaction.recent.slice(0, MAX_ITEMS) : [];
    const names = recent.filter(isObject).map((r) => person(r.from, r.from_id));
    const who = names.length ? ` <span class="cc-reactors">(${escapeHtml(names.join(', '))})</span>` : '';
    chips += `${chips ? ' ' : ''}<span class="cc-reaction">${escapeHtml(emoji)} ${n}${who}</span>`;
  }
  // Reactions are shown, not searched: the text stays the message's own words.
  if (chips) {
    if (out.html && !endsWithBlock(out.html)) out.html += '<br>';
    out.html += `<span class="cc-reactions">${chips}</span>`;
  }
}

// ---------------------------------------------------------------------------------------------
// Service messages

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m) return `${m} min${s ? ` ${s} s` : ''}`;
  return `${s} s`;
}

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
function serviceSentence(env: Record<string, unknown>): string {
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
