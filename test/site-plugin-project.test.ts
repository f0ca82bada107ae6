import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import chatChannels, { defaultLayout, ELEVENTY_COMPATIBILITY } from '../site/plugin.js';
import { cli } from './helpers/db-state.js';
import { archivePages, listFiles } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';

/**
 * The plugin as a user meets it: a fresh `npm init` project (CommonJS, no "type": "module"),
 * `chatchannels` in its node_modules, the README's config snippet, and Eleventy's own command.
 */
const REPO = resolve('.');
const ELEVENTY = join(REPO, 'node_modules/@11ty/eleventy/cmd.cjs');

/** The first ```js block after the README's "As an Eleventy plugin" heading, and the file it names. */
function readmeSnippet(): { name: string; text: string } {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### As an Eleventy plugin'));
  const match = /```js\n(\/\/ (\S+)[\s\S]*?)```/.exec(section);
  assert.ok(match, 'README has a js snippet for the plugin, its first line naming the config file');
  return { name: match[2], text: match[1] };
}

function project(config: { name: string; text: string }, db: string): string {
  const dir = scratchDir('cc-project-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-archive', version: '1.0.0', private: true }, null, 2));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules/chatchannels'), 'dir');
  writeFileSync(join(dir, config.name), config.text);
  writeFileSync(join(dir, 'chatchannels.sqlite'), readFileSync(db));
  return dir;
}

function eleventy(dir: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [ELEVENTY, '--quiet'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the plugin in a fresh Eleventy project', () => {
  let db: string;
  before(() => {
    const dir = scratchDir('cc-project-db-');
    db = join(dir, 'demo.sqlite');
    const imported = cli(['import', join(REPO, 'demo/skype-export'), '--db', db], dir);
    assert.equal(imported.code, 0, imported.err);
  });

  test("the README's snippet builds the archive in a CommonJS project", () => {
    const dir = project(readmeSnippet(), db);
    const run = eleventy(dir);
    assert.equal(run.status, 0, run.output);
    const files = listFiles(join(dir, '_site'));
    assert.ok(files.includes('index.html') && files.includes('feeds.opml'), files.slice(0, 10).join(', '));
    assert.ok(archivePages(files).length > 0, 'archive pages written');
  });

  test('a custom layout that wraps defaultLayout keeps the theme and adds its own parts', () => {
    const text =
      `import chatChannels, { defaultLayout } from 'chatchannels';\n` +
      `export default function (eleventyConfig) {\n` +
      `  eleventyConfig.addPlugin(chatChannels, {\n` +
      `    db: 'chatchannels.sqlite',\n` +
      `    layout: (page) => defaultLayout({ ...page, header: '<p class="my-banner">Family archive</p>' + page.header }),\n` +
      `  });\n}\n`;
    const dir = project({ name: 'eleventy.config.mjs', text }, db);
    const run = eleventy(dir);
    assert.equal(run.status, 0, run.output);
    const out = join(dir, '_site');
    const page = archivePages(listFiles(out))[0];
    const html = readFileSync(join(out, page), 'utf8');
    assert.match(html, /<p class="my-banner">Family archive<\/p><header class="cc-header">/);
    assert.match(html, /<body class="cc cc-page-archive"/);
    assert.match(html, /<main id="cc-main" class="cc-main"/);
    assert.match(html, /assets\/chatchannels\.css/);
  });

  test("a project page under /chats/ fails the build before anything is written, naming the page (the plugin writes that folder itself)", () => {
    const dir = project(readmeSnippet(), db);
    const slug = (JSON.parse(cli(['chats', '--db', db, '--json'], dir).out.split('\n')[0]!) as { slug: string }).slug;
    writeFileSync(join(dir, 'mine.md'), `---\npermalink: /chats/${slug}/index.html\n---\nMy own landing page\n`);
    const run = eleventy(dir);
    assert.notEqual(run.status, 0, run.output);
    assert.match(run.output, new RegExp(`mine\\.md would write /chats/${slug}/, in /chats/, which chatchannels writes itself`));
    const out = join(dir, '_site');
    assert.deepEqual(existsSync(out) ? listFiles(out).filter((f) => f.startsWith('chats/')) : [], []);
  });

  test("a layout of one's own gets the theme's body classes as a part", () => {
    let seen = '';
    const layout = (page: Parameters<typeof defaultLayout>[0]): string => {
      seen = page.bodyClass;
      return defaultLayout(page);
    };
    const html = layout({
      kind: 'chat', lang: 'en', title: 't', head: '', bodyAttributes: '', bodyClass: 'cc cc-page-chat',
      header: '', breadcrumbs: '', content: '<p>x</p>', footer: '', root: '../../', path: 'chats/x/',
    });
    assert.equal(seen, 'cc cc-page-chat');
    assert.match(html, /<body class="cc cc-page-chat">/);
  });

  test("the supported Eleventy range is package.json's 11ty.compatibility, passed to versionCheck", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { '11ty'?: { compatibility?: string } };
    assert.equal(typeof pkg['11ty']?.compatibility, 'string');
    assert.equal(ELEVENTY_COMPATIBILITY, pkg['11ty']!.compatibility);
    const ranges: string[] = [];
    const config = {
      versionCheck: (range: string) => ranges.push(range),
      addTemplate() {}, addGlobalData() {}, addTemplateFormats() {}, on() {}, emit() {},
    };
    chatChannels(config as unknown as Parameters<typeof chatChannels>[0], { db });
    assert.deepEqual(ranges, [pkg['11ty']!.compatibility]);
  });
});
