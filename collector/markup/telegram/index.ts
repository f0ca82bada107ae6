/**
 * Telegram Desktop message bodies → safe HTML + plain text.
 *
 * The Telegram adapter (collector/sources/telegram/) emits a message's text as it is when it is
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
 * Files: output.ts (the output and field readers), people.ts (person references), text.ts (text
 * and entities), media.ts (the media line), cards.ts (polls, contacts, places, reactions),
 * service.ts (service messages' sentences).
 *
 * Classes for the site's stylesheet: cc-underline, cc-spoiler, cc-mention, cc-hashtag,
 * cc-bot-command, cc-phone, cc-custom-emoji, cc-code-language, cc-quote, cc-forward, cc-via,
 * cc-reply-missing, cc-sticker, cc-media, cc-media-missing, cc-poll, cc-contact, cc-location, cc-signature,
 * cc-reactions, cc-reaction, cc-reactors, cc-deleted.
 */
import { telegramPersonId } from '../../identity/telegram-ids.js';
import { escapeHtml } from '../html.js';
import { ensureSafeFragment } from '../sanitize.js';
import type { MarkupContext, MarkupConverter } from '../types.js';
import { writeContact, writePlace, writePoll, writeReactions } from './cards.js';
import { writeMedia } from './media.js';
import { clean, count, isObject, Output, str } from './output.js';
import { person, ref } from './people.js';
import { serviceSentence } from './service.js';
import { hasText, writeText } from './text.js';


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

export const telegram: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: TELEGRAM_DELETED_HTML, text: '' };
  const envelope = body.charCodeAt(0) === 0x7b ? parseEnvelope(body) : null;
  const out = new Output();
  if (envelope) writeEnvelope(envelope, context, out);
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

function writeEnvelope(env: Record<string, unknown>, context: MarkupContext, out: Output): void {
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
  // The body says what this export lacked; a reply link the store kept is shown by the site.
  const replyMissing = context.replyLinked ? null : count(env.cc_reply_missing);
  if (replyMissing !== null) {
    out.line();
    out.raw(`<span class="cc-reply-missing">↩ In reply to a message not in this archive (#${replyMissing})</span>`, '');
  }
  const viaBot = str(env.via_bot).trim();
  if (viaBot) {
    out.line();
    out.raw(`<span class="cc-via">via ${escapeHtml(ref(null, viaBot))}</span>`, '');
  }

  writeMedia(env, out, context.files === true);
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
