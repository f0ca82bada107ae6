import { escapeHtml, stripInvalidChars } from '../render/escape.js';
import { permalinkOf, sitePaths } from '../render/links.js';
import type { PluginState } from '../state.js';
import { TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';
import { publicUrls } from './feeds.js';

/** `/feeds.opml`: every feed of the site, for importing into a feed reader in one go. */
export function addOpmlTemplate(eleventyConfig: EleventyConfigLike, state: PluginState): void {
  eleventyConfig.addTemplate(virtualPath('opml'), {
    data: { ...TEMPLATE_DATA, permalink: permalinkOf(sitePaths.opml) },
    render(this: { url?: (path: string) => string }) {
      const { catalog, options } = state.session;
      const urls = publicUrls(state, this);
      const attr = (value: string): string => escapeHtml(stripInvalidChars(value));
      const outline = (title: string, feed: string, page: string): string =>
        `    <outline type="rss" version="ATOM" text="${attr(title)}" title="${attr(title)}" xmlUrl="${attr(urls.url(feed))}" htmlUrl="${attr(urls.url(page))}"/>\n`;
      let xml = '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n';
      xml += `  <head>\n    <title>${attr(options.title)}</title>\n  </head>\n  <body>\n`;
      xml += outline(`${options.title} (all chats)`, sitePaths.siteFeed, sitePaths.index);
      for (const chat of catalog.chats) xml += outline(chat.title, sitePaths.chatFeed(chat.slug), sitePaths.chat(chat.slug));
      return `${xml}  </body>\n</opml>\n`;
    },
  });
}
