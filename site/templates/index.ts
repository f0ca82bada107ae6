import { snippet, text } from '../render/escape.js';
import { renderSiteActivity } from '../render/activity/section.js';
import { renderPage } from '../render/layout.js';
import { Links, permalinkOf, sitePaths } from '../render/links.js';
import { isoTime } from '../render/time.js';
import type { PluginState } from '../state.js';
import { activityRange, chatKindLabel, memberList, plural, TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';

/** `/`: every published chat with its members, size, activity and latest message. */
export function addIndexTemplate(eleventyConfig: EleventyConfigLike, state: PluginState): void {
  eleventyConfig.addTemplate(virtualPath('index'), {
    data: { ...TEMPLATE_DATA, permalink: permalinkOf(sitePaths.index) },
    render: () => renderIndex(state),
  });
}

function renderIndex(state: PluginState): string {
  const session = state.session;
  const { catalog, options, time } = session;
  const links = new Links(sitePaths.index);
  let content = `<h1>${text(options.title)}</h1>`;
  content += `<p class="cc-lede">${plural(session, catalog.chats.length, 'chat', 'chats')}, ${plural(session, catalog.messageCount, 'message', 'messages')}</p>`;
  if (catalog.chats.length === 0) {
    content += '<p class="cc-empty">Nothing is published yet.</p>';
  } else {
    content += renderSiteActivity(session, links);
    content += '<ul class="cc-chat-list">';
    for (const chat of catalog.chats) {
      const home = links.to(sitePaths.chat(chat.slug));
      content += `<li class="cc-chat-card"><h2><a href="${home}">${text(chat.title)}</a></h2>`;
      content += `<p class="cc-meta">${plural(session, chat.count, 'message', 'messages')} · ${activityRange(session, chat)} · ${chatKindLabel(chat.kind)}</p>`;
      const members = memberList(chat);
      if (members) content += `<p class="cc-members"><span class="cc-visually-hidden">Members: </span>${members}</p>`;
      const latest = chat.latest;
      if (latest) {
        const href = links.to(`${sitePaths.archive(chat.slug, latest.path)}#${latest.anchor}`);
        const who = latest.author?.name ? `<bdi class="cc-latest-author">${text(latest.author.name)}</bdi>: ` : '';
        content +=
          `<p class="cc-latest"><a href="${href}">${who}${text(snippet(latest.text, 160)) || '<i>(no text)</i>'}</a> ` +
          `<time datetime="${isoTime(latest.time)}">${text(time.dateTime(latest.time))}</time></p>`;
      }
      content += '</li>';
    }
    content += '</ul>';
  }
  return renderPage(options, links, {
    kind: 'index',
    titleParts: [],
    crumbs: [{ label: options.title, path: null }],
    content,
  });
}
