import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveSite } from '../site/serve.js';
import { CLI } from './helpers/db-state.js';
import { writeFixture } from './helpers/fixture-db.js';
import { scratchDir } from './helpers/site.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('serveSite serves the site and rebuilds it when the database changes', async () => {
  const dir = scratchDir('cc-site-serve-');
  const db = join(dir, 'chats.sqlite');
  const hello = { author: '8:live:ann', authorName: 'Ann', time: Date.UTC(2024, 0, 1), body: 'hello' };
  writeFixture(db, [{ nativeId: '19:first@thread.skype', title: 'First chat', messages: [hello] }]);
  const server = await serveSite({ db, out: join(dir, '_site'), port: await freePort(), quiet: true });
  try {
    const index = await (await fetch(server.url)).text();
    assert.match(index, /First chat/);
    writeFixture(db, [{ nativeId: '19:second@thread.skype', title: 'Second chat', messages: [{ ...hello, body: 'hi again' }] }]);
    let html = '';
    for (let i = 0; i < 50 && !html.includes('Second chat'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      html = await (await fetch(server.url)).text();
    }
    assert.match(html, /Second chat/);
  } finally {
    await server.close();
  }
});

test('chatchannels serve rebuilds even when the working folder’s .gitignore lists the database’s folder', async () => {
  // Eleventy's watcher skips gitignored paths; keeping databases out of git is what users should do.
  const dir = scratchDir('cc-site-serve-gitignore-');
  writeFileSync(join(dir, '.gitignore'), 'data/\n_site/\n');
  mkdirSync(join(dir, 'data'));
  const db = join('data', 'chats.sqlite');
  const hello = { author: '8:live:ann', authorName: 'Ann', time: Date.UTC(2024, 0, 1), body: 'hello' };
  writeFixture(join(dir, db), [{ nativeId: '19:first@thread.skype', title: 'First chat', messages: [hello] }]);
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', String(port)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const page = async (): Promise<string> => {
    try {
      return await (await fetch(`http://localhost:${port}/`)).text();
    } catch {
      return '';
    }
  };
  try {
    let html = '';
    for (let i = 0; i < 150 && !html.includes('First chat'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      html = await page();
    }
    assert.match(html, /First chat/, output);
    writeFixture(join(dir, db), [{ nativeId: '19:second@thread.skype', title: 'Second chat', messages: [{ ...hello, body: 'hi again' }] }]);
    for (let i = 0; i < 100 && !html.includes('Second chat'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      html = await page();
    }
    assert.match(html, /Second chat/, `no rebuild; serve said:\n${output}`);
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('close', resolve));
  }
});
