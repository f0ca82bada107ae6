import type { ChatSummary } from '../data/catalog.js';
import { chatFeedDescription, renderAtom, siteFeedDescription } from '../render/atom.js';
import { normalizePrefix, permalinkOf, PublicUrls, sitePaths } from '../render/links.js';
import type { PluginState } from '../state.js';
import { TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';

/** The `url` filter Eleventy gives 11ty.js templates as `this.url`: it knows the pathPrefix. */
interface TemplateThis {
  url?: (path: string) => string;
}

export function publicUrls(state: PluginState, self: TemplateThis | undefined): PublicUrls {
  const prefix = normalizePrefix(typeof self?.url === 'function' ? self.url('/') : '/');
  return new PublicUrls(state.options.siteUrl, prefix);
}

/**
 * `/chats/<slug>/feed.xml` for every published chat and `/feed.xml` for all of them: the newest
 * `feedSize` messages (messages with implausible times are left out: a message dated 2404 would
 * top every feed forever).
 */
export function addFeedTemplates(eleventyConfig: EleventyConfigLike, state: PluginState): void {
  eleventyConfig.addTemplate(virtualPath('chat-feed'), {
    data: {
      ...TEMPLATE_DATA,
      pagination: { data: 'chatchannels.render.chats', size: 1, alias: 'ccChat' },
      permalink: (data: { ccChat: ChatSummary }) => permalinkOf(sitePaths.chatFeed(data.ccChat.slug)),
    },
    render(this: TemplateThis, data: { ccChat: ChatSummary }) {
      const session = state.session;
      const chat = data.ccChat;
      const rows = session.reader.latestAcross([chat.id], session.options.feedSize);
      return renderAtom(session, publicUrls(state, this), chatFeedDescription(chat), rows);
    },
  });

  eleventyConfig.addTemplate(virtualPath('site-feed'), {
    data: { ...TEMPLATE_DATA, permalink: permalinkOf(sitePaths.siteFeed) },
    render(this: TemplateThis) {
      const session = state.session;
      const ids = session.catalog.chats.map((c) => c.id);
      const rows = session.reader.latestAcross(ids, session.options.feedSize);
      return renderAtom(session, publicUrls(state, this), siteFeedDescription(session.options.title), rows);
    },
  });
}
