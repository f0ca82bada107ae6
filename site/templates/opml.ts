import { escapeHtml, stripInvalidChars } from '../render/escape.js';
import { permalinkOf, sitePaths } from '../render/links.js';
import type { PluginState } from '../state.js';
import { TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';
import { publicUrls } from './feeds.js';

/** Plugin instances already warned about feeds without siteUrl (once each, not per rebuild). */
const warned = new WeakSet<PluginState>();

/**
 * `/feeds.opml`: every feed of the site, for importing into a feed reader in one go. Readers take
 * its xmlUrls as they are (newsboat calls a relative one an "unsupported URL"), so they only work
 * with siteUrl: without it the build says so.
 */
export function addOpmlTemplate(eleventyConfig: EleventyConfigLike, state: PluginState): void {
  eleventyConfig.addTemplate(virtualPath('opml'), {
    data: { ...TEMPLATE_DATA, permalink: permalinkOf(sitePaths.opml) },
    render(this: { url?: (path: string) => string }) {
      const { catalog, options } = state.session;
      const urls = publicUrls(state, this);
      if (!urls.absolute && !warned.has(state)) {
        warned.add(state);
        console.warn(
          `[chatchannels] feeds and OPML need siteUrl (--site-url) to be usable by feed readers: without it their links are root-relative (${urls.url(sitePaths.siteFeed)})`,
        );
      }
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
