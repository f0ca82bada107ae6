// The project's own Eleventy site (the demo uses it): it adds the chatchannels plugin, nothing else.
// Build the TypeScript first (`npm run build:ts`); the database is $CHATCHANNELS_DB or
// ./chatchannels.sqlite. Then `npx @11ty/eleventy` (or `--serve`) writes ./_site.
import chatChannels from './dist/site/plugin.js';

export default function (eleventyConfig) {
  // The repository's own files (READMEs, sources) are not pages of this site.
  eleventyConfig.setTemplateFormats(['11ty.js']);
  eleventyConfig.addPlugin(chatChannels, {
    db: process.env.CHATCHANNELS_DB || 'chatchannels.sqlite',
  });
}
