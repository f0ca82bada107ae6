import { permalinkOf, robotsText, sitePaths } from '../render/links.js';
import type { PluginState } from '../state.js';
import { TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';
import { publicUrls } from './feeds.js';

/**
 * `/robots.txt` when `noindex` is set (pages also carry `<meta name="robots">`, which is what
 * counts when the site lives under a pathPrefix: crawlers only read robots.txt at a host's root).
 */
export function addRobotsTemplate(eleventyConfig: EleventyConfigLike, state: PluginState): void {
  if (!state.options.noindex) return;
  eleventyConfig.addTemplate(virtualPath('robots'), {
    data: { ...TEMPLATE_DATA, permalink: permalinkOf(sitePaths.robots) },
    render(this: { url?: (path: string) => string }) {
      return robotsText(publicUrls(state, this).rootRelative(''));
    },
  });
}
