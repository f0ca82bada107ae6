import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { permalinkOf, sitePaths } from '../render/links.js';
import { TEMPLATE_DATA, virtualPath, type EleventyConfigLike } from './common.js';

/**
 * The stylesheet and client script (plain files in site/assets/, shipped uncompiled) written to
 * `/assets/`. Written as templates rather than passthrough copies so that they also work in
 * Eleventy's dev server and need no path outside the project's input folder.
 */
export function assetsDir(): string {
  // From site/templates/ (tsx, tests of the sources) or dist/site/templates/ (the package).
  for (const candidate of ['../assets/', '../../../site/assets/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}chatchannels.css`)) return dir;
  }
  throw new Error('chatchannels: cannot find site/assets/ next to the plugin');
}

export function addAssetTemplates(eleventyConfig: EleventyConfigLike): void {
  const dir = assetsDir();
  for (const [name, sitePath] of [
    ['chatchannels.css', sitePaths.css],
    ['chatchannels.js', sitePaths.js],
    ['favicon.svg', sitePaths.favicon],
  ] as const) {
    eleventyConfig.addTemplate(virtualPath(`asset-${name.replace(/\W/g, '-')}`), {
      data: { ...TEMPLATE_DATA, permalink: permalinkOf(sitePath) },
      // Read at render time: edits to the assets show up on the next (watch) build.
      render: () => readFileSync(`${dir}${name}`, 'utf8'),
    });
  }
}
