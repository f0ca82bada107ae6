import type { Catalog } from '../data/catalog.js';
import { text } from './escape.js';
import { sitePaths } from './links.js';

/**
 * A link in stored markup to a Discord channel (`https://discord.com/channels/<server>/<id>`, as
 * the Discord converter writes for "started a thread" and people paste) that is a chat of this
 * site goes to that chat's page instead; a link showing its own URL is named by the chat (a
 * thread by its own name, not its server's and channel's). Resolved at build time, like people:
 * the thread's export may be imported after the message that started it.
 */
const DISCORD_CHANNEL = /<a href="https:\/\/discord\.com\/channels\/(?:\d{1,20}|@me)\/(\d{1,20})" rel="nofollow noopener">([^<]*)<\/a>/g;

export function localChatLinks(html: string, catalog: Catalog, href: (sitePath: string) => string): string {
  if (html.indexOf('https://discord.com/channels/') < 0) return html;
  return html.replace(DISCORD_CHANNEL, (link, id: string, label: string) => {
    const chat = catalog.chatByNativeId(`discord:${id}`);
    if (!chat) return link;
    const name = label.startsWith('https://discord.com/channels/') ? text(shortTitle(chat.title)) : label;
    return `<a href="${text(href(sitePaths.chat(chat.slug)))}">${name}</a>`;
  });
}

/** `Guild / #general › release plans` → `release plans`; `Guild / #general` → `#general`. */
function shortTitle(title: string): string {
  const thread = title.lastIndexOf(' › ');
  if (thread >= 0) return title.slice(thread + 3);
  const channel = title.indexOf(' / ');
  return channel >= 0 ? title.slice(channel + 3) : title;
}
