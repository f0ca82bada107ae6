import type { ChatSummary } from '../data/catalog.js';
import type { BuildSession } from '../data/session.js';
import { chatFeedDescription, renderAtom, siteFeedDescription } from '../render/atom.js';
import { normalizePrefix, permalinkOf, PublicUrls, sitePaths } from '../render/links.js';
import type { PluginState } from '../state.js';
import { TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';

/** The `url` filter Eleventy gives 11ty.js templates as `this.url`: it knows the pathPrefix. */
export interface TemplateThis {
  url?: (path: string) => string;
}

export function publicUrls(state: PluginState, self: TemplateThis | undefined): PublicUrls {
  const prefix = normalizePrefix(typeof self?.url === 'function' ? self.url('/') : '/');
  return new PublicUrls(state.options.siteUrl, prefix);
}

/**
 * `/chats/<slug>/feed.xml` for every published chat and `/feed.xml` for all of them: the newest
 * `feedSize` messages (messages with implausible times are left out: a message dated 2404 would
 * top every feed forever). A chat's feed is written by the plugin with its landing page
 * (templates/chat.ts: writeChatPages); the site's feed is an Eleventy template.
 */
export function renderChatFeed(session: BuildSession, chat: ChatSummary, urls: PublicUrls): string {
  const rows = session.reader.latestAcross([chat.id], session.options.feedSize);
  return renderAtom(session, urls, chatFeedDescription(chat), rows);
}

export function addFeedTemplates(eleventyConfig: EleventyConfigLike, state: PluginState): void {
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
