import { writeArchive } from '../render/archive-threads.js';
import type { PluginState } from '../state.js';
import { writeChatPages } from './chat.js';
import { publicUrls, type TemplateThis } from './feeds.js';
import { TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';

interface ArchiveData {
  eleventy: { directories: { output: string } };
}

/**
 * `/chats/<slug>/YYYY/MM/` (or `/YYYY/MM/DD/`): the permanent home of every message, each with
 * `id="<anchor>"`. Each page queries only its own time range of the chat.
 *
 * One template writes every archive page itself (`permalink: false`: Eleventy writes nothing)
 * rather than one paginated entry per page: Eleventy keeps each page's rendered content until the
 * build ends, and archive pages are nearly all of a site's bytes — a million messages would not fit
 * the memory budget (docs/design.md) — and its per-page bookkeeping cost more than rendering. Part of
 * the pages is written by a worker thread on the second core, started as soon as the catalog exists
 * (render/archive-threads.ts). Project transforms do not run on them; the `layout` option does.
 * Before its share of archive pages, this thread writes the chats' landing pages and feeds
 * (templates/chat.ts: writeChatPages), the same way.
 */
export function addArchiveTemplate(eleventyConfig: EleventyConfigLike, state: PluginState): void {
  eleventyConfig.addTemplate(virtualPath('archive'), {
    data: { ...TEMPLATE_DATA, permalink: false },
    async render(this: TemplateThis, data: ArchiveData) {
      const output = data.eleventy.directories.output;
      const urls = publicUrls(state, this);
      // This thread's landing pages and feeds first, while the worker writes archive pages.
      await writeArchive(state.session, output, () => writeChatPages(state.session, output, urls));
      return '';
    },
  });
}
