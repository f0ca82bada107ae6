import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSearchEngine } from '../site/search/node-engine.js';
import { accepts, otherAddress, portOf, servedUrl } from './helpers/net.js';
import { tempDir } from './helpers/temp.js';

/**
 * `chatchannels serve --watch`: a Skype export replaced by a newer one while the server runs.
 * Checked over HTTP (archive page with the anchor, the chat's feed), in the search files, and on
 * disk: the other chat's pages and the untouched months are not rewritten.
 */
const CLI = fileURLToPath(new URL('../collector/cli.js', import.meta.url));
const GROUP = '19:garden@thread.skype';
const OTHER = '19:kitchen@thread.skype';

interface Msg {
  id: string;
  time: string;
  from: string;
  text: string;
}

function exportJson(chats: Record<string, Msg[]>): string {
  const conversations = Object.entries(chats).map(([id, messages]) => ({
    id,
    displayName: null,
    properties: {},
    threadProperties: { membercount: 2, members: JSON.stringify(['8:ann', '8:bob']), topic: id === GROUP ? 'Garden' : 'Kitchen' },
    // Real exports list the newest message first.
    MessageList: [...messages].reverse().map((m) => ({
      id: m.id,
      displayName: m.from === '8:ann' ? 'Ann' : 'Bob',
      originalarrivaltime: m.time,
      messagetype: 'RichText',
      content: m.text,
      conversationid: id,
      from: m.from,
      properties: null,
      amsreferences: null,
    })),
  }));
  return JSON.stringify({ userId: 'ann', exportDate: '2024-03-01T10:00', conversations });
}

/** Writes the export the way a download finishes: complete, then renamed into place. */
function writeExport(file: string, chats: Record<string, Msg[]>): void {
  writeFileSync(`${file}.part`, exportJson(chats));
  renameSync(`${file}.part`, file);
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, seconds = 60): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

function mtimes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.set(path, statSync(path).mtimeMs);
    }
  };
  walk(dir);
  return out;
}

async function get(url: string): Promise<string | null> {
  const response = await fetch(url);
  return response.ok ? response.text() : null;
}

test('serve --watch: an appended message reaches its archive page, the feed and search; other pages stay untouched', async () => {
  const dir = tempDir('cc-serve-watch-');
  const source = join(dir, 'messages.json');
  const db = join(dir, 'archive.sqlite');
  const out = join(dir, 'site');
  const garden: Msg[] = [
    { id: '1', time: '2024-01-05T09:00:00Z', from: '8:ann', text: 'january roses' },
    { id: '2', time: '2024-02-10T09:00:00Z', from: '8:bob', text: 'february tulips' },
  ];
  const kitchen: Msg[] = [{ id: '10', time: '2024-02-11T09:00:00Z', from: '8:bob', text: 'soup recipe' }];
  writeExport(source, { [GROUP]: garden, [OTHER]: kitchen });

  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--watch', source, '--db', db, '--out', out, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  try {
    const base = await servedUrl(() => log, () => child.exitCode !== null);
    const port = portOf(base);
    const index = await until('the first build', () => get(base));
    assert.match(index, /Garden/);
    assert.ok(log.includes(`http://127.0.0.1:${port}/`), 'serve --watch prints the loopback address it listens on');
    // The build's closing line counts the pages the plugin writes itself, not Eleventy's few templates alone.
    const wrote = Number((await until('the closing line', async () => /Wrote (\d+) files/.exec(log)))[1]);
    const chatFiles = readdirSync(join(out, 'chats'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    assert.ok(wrote > chatFiles, `"Wrote ${wrote} files" for ${chatFiles} files in chats/ alone`);
    if (otherAddress()) assert.equal(await accepts(otherAddress()!, port), false, 'serve --watch listens on loopback only');
    const chatsDir = join(out, 'chats');
    const [gardenSlug] = readdirSync(chatsDir).filter((s) => readdirSync(join(chatsDir, s)).includes('2024') && s.startsWith('garden'));
    assert.ok(gardenSlug, `a garden chat folder in ${readdirSync(chatsDir).join(', ')}`);
    const before = mtimes(out);

    writeExport(source, {
      [GROUP]: [...garden, { id: '3', time: '2024-02-12T10:00:00Z', from: '8:ann', text: 'the wisteria bloomed overnight' }],
      [OTHER]: kitchen,
    });
    const page = await until('the new message on its archive page', async () => {
      const html = await get(`${base}chats/${gardenSlug}/2024/02/`);
      return html?.includes('wisteria') ? html : null;
    });
    const anchor = /<[^>]+id="(m[0-9a-f]{10,})"[^>]*>(?:(?!<\/article>)[\s\S])*?wisteria/.exec(page)?.[1];
    assert.ok(anchor, 'the new message has its anchor on the page');
    const feed = await until('the new message in the chat feed', async () => {
      const xml = await get(`${base}chats/${gardenSlug}/feed.xml`);
      return xml?.includes('wisteria') ? xml : null;
    });
    assert.match(feed, new RegExp(`#${anchor}`), 'the feed entry links to the anchor');
    const found = await until('the new message in search', async () => {
      const engine = openSearchEngine(join(out, 'search', 'data'));
      const result = await engine.search('wisteria');
      return result.count === 1 ? result : null;
    });
    assert.equal(found.count, 1);

    const after = mtimes(out);
    const rewritten = [...before].filter(([file, mtime]) => after.get(file) !== mtime).map(([file]) => file.slice(out.length + 1));
    const untouched = (path: string) => !rewritten.some((file) => file.startsWith(path));
    assert.ok(rewritten.includes(`chats/${gardenSlug}/2024/02/index.html`), 'the changed month was rewritten');
    assert.ok(untouched(`chats/${gardenSlug}/2024/01/`), `January was not rewritten (rewritten: ${rewritten.join(', ')})`);
    for (const slug of readdirSync(chatsDir).filter((s) => s !== gardenSlug)) {
      assert.ok(untouched(`chats/${slug}/`), `the other chat's files were not rewritten (rewritten: ${rewritten.join(', ')})`);
    }
  } catch (err) {
    (err as Error).message += `\n--- serve output ---\n${log}`;
    throw err;
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
  }
});
