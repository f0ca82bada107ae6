import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { serveSite } from '../site/serve.js';
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
