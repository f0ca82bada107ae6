import { escapeHtml, safeHref, stripInvalidXml } from '../html.js';
import { discordPersonId, list, record, str, type Loose, type Names } from './envelope.js';
import { markdown } from './markdown.js';
import { Output } from './output.js';
import { reactionsHtml, type Reaction } from '../reactions.js';

/** What a message shows after its content: stickers, embeds, reactions and the pin marker. */

/** Stickers, embeds, reactions and the pin marker, after the content. */
export function extras(env: Loose, names: Names, out: Output): void {
  for (const sticker of list(env.stickers, 10)) {
    const name = str(sticker).trim();
    if (!name) continue;
    const line = `Sticker: ${stripInvalidXml(name)}`;
    out.html += `<p><span class="cc-sticker">${escapeHtml(line)}</span></p>`;
    out.line();
    out.addText(line);
  }
  for (const embed of list(env.embeds, 10)) {
    const e = record(embed);
    if (e) renderEmbed(e, names, out);
  }
  const reactions: Reaction[] = [];
  for (const reaction of list(env.reactions, 50)) {
    const r = record(reaction);
    if (!r) continue;
    // A count that is not a number is the people named; none left (0 or less) is no reaction.
    const count = typeof r.count === 'number' && Number.isFinite(r.count) ? Math.floor(r.count) : undefined;
    const reactors = list(r.users, 100).flatMap((u) => {
      const user = record(u);
      const id = user ? str(user.id) : '';
      const name = user ? str(user.name) : '';
      return id || name ? [{ id: discordPersonId(id), name: name || id }] : [];
    });
    reactions.push({ emoji: str(r.emoji), count, reactors });
  }
  let meta = reactionsHtml(reactions);
  if (env.pinned === true) meta += `${meta ? ' ' : ''}<span class="cc-pinned">📌 Pinned</span>`;
  if (meta) out.html += `<p>${meta}</p>`;
}

function renderEmbed(e: Loose, names: Names, out: Output): void {
  const author = stripInvalidXml(str(e.author)).trim();
  const title = stripInvalidXml(str(e.title)).trim();
  const description = str(e.description);
  const footer = stripInvalidXml(str(e.footer)).trim();
  const fields = list(e.fields, 25).map(record).filter((f): f is Loose => f !== null && (str(f.name) !== '' || str(f.value) !== ''));
  if (!author && !title && !description.trim() && !fields.length && !footer) return;
  const parts: string[] = [];
  const texts: string[] = [];
  if (author) {
    parts.push(`<span class="cc-embed-author">${escapeHtml(author)}</span>`);
    texts.push(author);
  }
  if (title) {
    const href = safeHref(str(e.url));
    parts.push(href ? `<strong><a href="${escapeHtml(href)}" rel="nofollow noopener">${escapeHtml(title)}</a></strong>` : `<strong>${escapeHtml(title)}</strong>`);
    texts.push(title);
  }
  if (description.trim()) {
    const inner = new Output();
    markdown(description, names, inner);
    parts.push(inner.html);
    texts.push(inner.text);
  }
  for (const field of fields) {
    const name = stripInvalidXml(str(field.name)).trim();
    const inner = new Output();
    markdown(str(field.value), names, inner);
    parts.push(`${name ? `<strong>${escapeHtml(name)}</strong><br>` : ''}${inner.html}`);
    texts.push(name ? `${name}: ${inner.text}` : inner.text);
  }
  if (footer) {
    parts.push(`<span class="cc-embed-footer">${escapeHtml(footer)}</span>`);
    texts.push(footer);
  }
  out.html += `<blockquote class="cc-embed">${parts.join('<br>')}</blockquote>`;
  out.line();
  out.addText(texts.join('\n'));
}
