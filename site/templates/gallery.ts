import { writeGallery } from '../render/gallery.js';
import type { PluginState } from '../state.js';
import { TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';

interface GalleryData {
  eleventy: { directories: { output: string } };
}

/**
 * `/chats/<slug>/media/` (and its year pages): each chat's media gallery (render/gallery.ts).
 * Written by the plugin itself, like archive pages (`permalink: false`), because their number
 * depends on the chat; an incremental build rewrites the galleries of the chats it writes.
 */
export function addGalleryTemplate(eleventyConfig: EleventyConfigLike, state: PluginState): void {
  eleventyConfig.addTemplate(virtualPath('gallery'), {
    data: { ...TEMPLATE_DATA, permalink: false },
    render: async (data: GalleryData) => {
      const session = state.session;
      for (const chat of session.catalog.render.chats) await writeGallery(session, data.eleventy.directories.output, chat);
      return '';
    },
  });
}
