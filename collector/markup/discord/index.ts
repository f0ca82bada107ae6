/**
 * Discord message bodies → safe HTML + plain text.
 *
 * Bodies come from collector/sources/discord/ (DiscordChatExporter JSON). A body is either the
 * message's content — Discord markdown, as the export wrote it — or, when the message has more to
 * show than its text (a system event, embeds, stickers, reactions, a pin, mentions, a forward, the
 * slash command a bot answered), a JSON envelope `{"content": …}` carrying those parts
 * (DiscordEnvelope). The adapter wraps every content that starts with `{`, so a body that starts
 * with `{` and parses to an object with a string `content` is an envelope, never text.
 *
 * Markdown as the Discord client shows it: **bold**, *italic* / _italic_, __underline__,
 * ~~strike~~, ||spoiler||, `code` and ``code``, ``` fenced blocks (a language on the first line),
 * `> ` quote lines and `>>> ` (the rest of the message quoted), `# `/`## `/`### ` headings, `-# `
 * subtext, `- ` lists, [masked](https://links), <https://autolinks> and bare URLs, `<@id>`
 * `<@!id>` `<@&id>` `<#id>` mentions (names from the envelope), `</command:id>`, `<:name:id>` and
 * `<a:name:id>` custom emoji (as `:name:`: the allow-list has no images), `<t:unix:style>`
 * timestamps (UTC), and `\` escapes of punctuation.
 *
 * How: fenced blocks are cut out first; the text between them is read line by line for the block
 * rules; each run of ordinary lines goes to an inline scanner. The HTML is built only from
 * escapeHtml()'d text, fixed tags and safeHref()'d links, then checked by ensureSafeFragment().
 * Work stays linear on hostile input: a closing delimiter is found with indexOf and the answer is
 * remembered per delimiter (parsing moves left to right, so no stretch is searched twice), nesting
 * is capped, and every regex rule is anchored and length-bounded. Bodies with none of the
 * characters markdown needs (most messages) are escaped and linked without the scanner.
 *
 * Files: envelope.ts (the envelope, its names), output.ts, markdown.ts (blocks), fence.ts (code
 * blocks), inline.ts (inline rules), timestamps.ts, system.ts (system messages), extras.ts
 * (stickers, embeds, reactions).
 *
 * People are person references (collector/store/person-refs.ts) with the id the adapter gives
 * authors, `discord:<user id>`: a system message's subject, the user who ran a slash command,
 * `<@id>` mentions and the `@name`s of users the message mentions, and in a system message's
 * sentence ("Added Bob to the group.") the names of the users it mentions. A `<@id>` the envelope
 * has no name for stays Discord's `@unknown-user`, which names nobody.
 *
 * Classes for the site's stylesheet: cc-mention, cc-spoiler, cc-underline, cc-heading-large /
 * -medium / -small, cc-subtext, cc-embed (+ cc-embed-author, cc-embed-footer), cc-forward,
 * cc-sticker, cc-reactions, cc-reaction, cc-pinned, cc-interaction, cc-event, cc-call.
 */
import { escapeHtml, stripInvalidXml } from '../html.js';
import { ensureSafeFragment } from '../sanitize.js';
import type { MarkupConverter, RenderedBody } from '../types.js';
import { NO_NAMES, namesOf, parseEnvelope, person, record, str } from './envelope.js';
import { extras } from './extras.js';
import { markdown } from './markdown.js';
import { Output } from './output.js';
import { systemLine } from './system.js';

export type { DiscordEmbed, DiscordEnvelope, DiscordReaction } from './envelope.js';
export { formatTimestamp } from './timestamps.js';

export const DISCORD_DELETED_HTML = '<span class="cc-deleted">This message has been deleted.</span>';

export const discord: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: DISCORD_DELETED_HTML, text: '' };
  const envelope = body.charCodeAt(0) === 0x7b ? parseEnvelope(body) : null;
  const out = new Output();
  if (!envelope) {
    markdown(body, NO_NAMES, out);
  } else if (context.kind === 'event' || context.kind === 'call') {
    const names = namesOf(envelope);
    systemLine(envelope, context.kind, names, out);
    extras(envelope, names, out);
  } else {
    const names = namesOf(envelope);
    const interaction = record(envelope.interaction);
    if (interaction && str(interaction.name)) {
      const user = stripInvalidXml(str(interaction.user)).trim();
      const who = user ? person(str(interaction.userId), user) : '';
      const line = `${who ? `${who} used` : 'Used'} /${stripInvalidXml(str(interaction.name)).trim()}`;
      out.html += `<p><span class="cc-interaction">${escapeHtml(line)}</span></p>`;
      out.line();
      out.addText(line);
    }
    markdown(str(envelope.content), names, out);
    const forwarded = record(envelope.forwarded);
    if (forwarded && str(forwarded.content)) {
      const inner = new Output();
      markdown(str(forwarded.content), names, inner);
      out.html += `<blockquote class="cc-forward"><span class="cc-forward-label">Forwarded</span><br>${inner.html}</blockquote>`;
      out.line();
      out.addText(inner.text);
    }
    extras(envelope, names, out);
  }
  return { html: ensureSafeFragment(out.html), text: out.text };
};

/** Renders Discord markdown alone (no envelope), for tests and other callers. */
export function renderDiscordMarkdown(source: string): RenderedBody {
  const out = new Output();
  markdown(source, NO_NAMES, out);
  return { html: ensureSafeFragment(out.html), text: out.text };
}
