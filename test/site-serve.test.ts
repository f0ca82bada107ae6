import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { PUBLISHED_MEDIA_TYPES } from '../site/data/media-name.js';
import { serveSite } from '../site/serve.js';
import { launchBrowser } from './helpers/browser.js';
import { CLI } from './helpers/db-state.js';
import { mediaHash, writeFixture } from './helpers/fixture-db.js';
import { accepts, otherAddress, portOf, servedUrl } from './helpers/net.js';
import { listFiles } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { tinyPng } from './helpers/png.js';
import { hasTool, machineLimit, skipUnless } from './helpers/requires.js';

/** A GET whose path goes out exactly as given (fetch would resolve `..`). */
function rawGet(port: string, path: string): Promise<{ status: number; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = httpGet({ host: '127.0.0.1', port, path }, (response) => {
      response.resume();
      response.once('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'] }));
    });
    request.once('error', reject);
  });
}

const NO_OTHER_ADDRESS = otherAddress() === null && machineLimit('it has no non-loopback address');

test('serveSite listens on loopback only unless told otherwise, and says where', { skip: NO_OTHER_ADDRESS }, async () => {
  const dir = scratchDir('cc-site-serve-host-');
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, [{ nativeId: '19:first@thread.skype', title: 'First chat', messages: [{ author: '8:live:ann', time: Date.UTC(2024, 0, 1), body: 'hello' }] }]);
  const server = await serveSite({ db, out: join(dir, '_site'), port: 0, quiet: true });
  const { port } = server.address;
  try {
    assert.notEqual(port, 0);
    assert.equal(server.url, `http://127.0.0.1:${port}/`);
    assert.deepEqual({ ...server.address, loopback: server.loopback }, { host: '127.0.0.1', port, loopback: true });
    assert.equal(await accepts('127.0.0.1', port), true);
    assert.equal(await accepts(otherAddress()!, port), false, `private chats reachable at ${otherAddress()}:${port}`);
  } finally {
    await server.close();
  }
  const open = await serveSite({ db, out: join(dir, '_site'), port: 0, host: '0.0.0.0', quiet: true });
  try {
    assert.equal(open.loopback, false);
    assert.equal(await accepts(otherAddress()!, open.address.port), true, 'an explicit --host 0.0.0.0 is honoured');
  } finally {
    await open.close();
  }
});

test('serveSite fails, and lets go of the output, when it cannot listen: a port in use, an address not on this machine', async () => {
  const dir = scratchDir('cc-site-serve-refused-');
  const db = join(dir, 'chats.sqlite');
  const out = join(dir, '_site');
  writeFixture(db, [{ nativeId: '19:first@thread.skype', title: 'First chat', messages: [{ author: '8:live:ann', time: Date.UTC(2024, 0, 1), body: 'hello' }] }]);
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as { port: number };
  try {
    // It used to wait forever here: the dev server never listened, and its watchers kept the process up.
    await assert.rejects(serveSite({ db, out, port, quiet: true }), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): an address no machine here has.
  await assert.rejects(serveSite({ db, out, port: 0, host: '192.0.2.1', quiet: true }), /cannot listen on 192\.0\.2\.1:0: .*EADDRNOTAVAIL/);
  const server = await serveSite({ db, out, port: 0, quiet: true });
  await server.close();
});

test('serveSite close() during a rebuild returns once it is done, and no rebuild starts after it', async () => {
  const dir = scratchDir('cc-site-serve-close-');
  const db = join(dir, 'chats.sqlite');
  const out = join(dir, '_site');
  const run = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({ nativeId: `${prefix}${i}`, author: '8:live:ann', authorName: 'Ann', time: Date.UTC(2021, 0, 1) + i * 3_600_000, body: `${prefix} ${i}` }));
  writeFixture(db, [{ nativeId: '19:a@thread.skype', title: 'A', messages: run('x', 3000) }]);
  const late: number[] = [];
  // An import, then close() at moments from before Eleventy sees the change to after its rebuild.
  // A build that ended after its server's close() would be seen during the next rounds' serving.
  for (let round = 0; round < 8; round++) {
    let closed = false;
    const server = await serveSite({ db, out, port: 0, quiet: true, search: false, onBuild: () => void (closed && late.push(round)) });
    writeFixture(db, [{ nativeId: '19:a@thread.skype', title: 'A', messages: run(`r${round}-`, 100) }]);
    await new Promise((resolve) => setTimeout(resolve, round * 25));
    await server.close();
    closed = true;
  }
  assert.deepEqual(late, [], 'rounds whose rebuild ended after close()');
});

// Media an export could hold that a browser would run as HTML or SVG in the site's origin.
const PWN = Buffer.from(`<!doctype html><script>document.title='pwned'</script><p>pwned</p>`);
const PWN_SVG = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><script>document.title='pwned'</script></svg>`);
const HOSTILE_MEDIA = [
  { name: 'README', bytes: Buffer.concat([PWN, Buffer.from('1')]) },
  { name: 'page.htm_', bytes: Buffer.concat([PWN, Buffer.from('2')]) },
  { name: 'name.', bytes: Buffer.concat([PWN, Buffer.from('3')]) },
  { name: 'x.svg', type: 'image/svg+xml', bytes: PWN_SVG },
  { name: 'x.html', type: 'text/html', bytes: Buffer.concat([PWN, Buffer.from('4')]) },
  { name: 'x.php5', bytes: Buffer.concat([PWN, Buffer.from('5')]) },
  { name: 'notes', type: 'text/plain', bytes: Buffer.concat([PWN, Buffer.from('6')]) },
  { name: 'photo.png', type: 'image/png', bytes: tinyPng(3, 3) },
];
const ACTIVE_TYPE = /html|xml|svg|javascript|ecmascript/i;

test('serve: every media file, whatever its name, is served with an inert type and nosniff; none runs in Chromium', async (t) => {
  const dir = scratchDir('cc-site-serve-media-');
  const db = join(dir, 'chats.sqlite');
  const out = join(dir, '_site');
  const attachments = HOSTILE_MEDIA.map((m) => ({ name: m.name, type: m.type, hash: mediaHash(m.bytes) }));
  writeFixture(db, [{ nativeId: '19:media@thread.skype', title: 'Media', messages: [{ author: '8:live:ann', time: Date.UTC(2024, 0, 1), body: 'files', attachments }] }], HOSTILE_MEDIA);
  const server = await serveSite({ db, out, port: 0, quiet: true, pathPrefix: '/archive/' });
  // Media under their raw names, as an older version wrote them into this output folder: the
  // server must not trust names either.
  const stale = [`media/${mediaHash(PWN)}/README`, `media/${mediaHash(PWN)}/old.html`, `media/${mediaHash(PWN_SVG)}/old.svg`];
  for (const file of stale) {
    mkdirSync(join(out, file, '..'), { recursive: true });
    writeFileSync(join(out, file), file.endsWith('.svg') ? PWN_SVG : PWN);
  }
  try {
    const published = listFiles(out).filter((f) => f.startsWith('media/') && !f.startsWith('media/thumbs/') && !stale.includes(f));
    assert.equal(published.length, HOSTILE_MEDIA.length, published.join(', '));
    const media = [...published, ...stale];
    for (const file of media) {
      const response = await fetch(new URL(file.split('/').map(encodeURIComponent).join('/'), server.url));
      await response.arrayBuffer();
      assert.equal(response.status, 200, file);
      const type = response.headers.get('content-type') ?? '(none)';
      assert.doesNotMatch(type, ACTIVE_TYPE, `${file} served as ${type}`);
      assert.ok(Object.values(PUBLISHED_MEDIA_TYPES).includes(type.split(';')[0]), `${file} served as ${type}`);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', file);
    }
    // Paths a client sends unresolved reach the same files.
    for (const path of [`chats/../${stale[0]}`, `chats/%2e%2e/${stale[1]}`]) {
      const response = await rawGet(new URL(server.url).port, `/archive/${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.type, 'application/octet-stream', path);
    }
    const page = await fetch(server.url);
    await page.arrayBuffer();
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff', 'pages too');
    t.diagnostic(`${media.length} media files checked over HTTP`);

    if (skipUnless(t, hasTool('chromium'), 'needs the Debian package chromium')) return;
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ acceptDownloads: false });
      const ran: string[] = [];
      for (const file of media) {
        const url = new URL(file.split('/').map(encodeURIComponent).join('/'), server.url).href;
        // A fresh tab each time: a download leaves the tab on the document it was showing.
        const tab = await context.newPage();
        // A download aborts the navigation; a document shows. Either way no script may run.
        await tab.goto(url, { waitUntil: 'load' }).catch(() => undefined);
        await tab.waitForTimeout(50);
        for (const frame of tab.frames()) if ((await frame.title().catch(() => '')) === 'pwned') ran.push(file);
        await tab.close();
      }
      assert.deepEqual(ran, []);
      // The check can see a script run: the same content as a page of the site does.
      const tab = await context.newPage();
      await tab.goto(server.url, { waitUntil: 'load' });
      await tab.setContent(PWN.toString());
      assert.equal(await tab.title(), 'pwned');
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
});

test('serveSite serves the site and rebuilds it when the database changes', async () => {
  const dir = scratchDir('cc-site-serve-');
  const db = join(dir, 'chats.sqlite');
  const hello = { author: '8:live:ann', authorName: 'Ann', time: Date.UTC(2024, 0, 1), body: 'hello' };
  writeFixture(db, [{ nativeId: '19:first@thread.skype', title: 'First chat', messages: [hello] }]);
  const server = await serveSite({ db, out: join(dir, '_site'), port: 0, quiet: true });
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
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  try {
    const url = await servedUrl(() => output, () => child.exitCode !== null);
    const port = portOf(url);
    const page = async (): Promise<string> => {
      try {
        return await (await fetch(url)).text();
      } catch {
        return '';
      }
    };
    let html = '';
    for (let i = 0; i < 150 && !html.includes('First chat'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      html = await page();
    }
    assert.match(html, /First chat/, output);
    assert.ok(output.includes(`http://127.0.0.1:${port}/`), `serve prints the address it listens on:\n${output}`);
    assert.doesNotMatch(output, /warning/i);
    if (otherAddress()) assert.equal(await accepts(otherAddress()!, port), false, 'serve listens on loopback only');
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

test('chatchannels serve --host 0.0.0.0 warns that every chat is on the network, and prints where it listens', async () => {
  const dir = scratchDir('cc-site-serve-open-');
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, [{ nativeId: '19:first@thread.skype', title: 'First chat', messages: [{ author: '8:live:ann', time: Date.UTC(2024, 0, 1), body: 'hello' }] }]);
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0', '--host', '0.0.0.0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  try {
    const port = portOf(await servedUrl(() => stdout + stderr, () => child.exitCode !== null));
    for (let i = 0; i < 150 && !/warning/.test(stderr); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.match(stderr, /warning: .*0\.0\.0\.0.*network/i, `stdout:\n${stdout}\nstderr:\n${stderr}`);
    assert.ok(stdout.includes(`0.0.0.0:${port}`), `serve prints the address it listens on:\n${stdout}`);
    if (otherAddress()) assert.equal(await accepts(otherAddress()!, port), true);
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('close', resolve));
  }
});

test('serve refuses a request for "//" (which no URL can be made of) with 400, and goes on serving: any open page could send it to 127.0.0.1', async () => {
  const dir = scratchDir('cc-site-serve-bad-url-');
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, [{ nativeId: '19:first@thread.skype', title: 'First chat', messages: [{ author: '8:live:ann', authorName: 'Ann', time: Date.UTC(2024, 0, 1), body: 'hello' }] }]);
  const server = await serveSite({ db, out: join(dir, '_site'), port: 0, quiet: true });
  try {
    const port = new URL(server.url).port;
    for (const path of ['//', '//?x', '///']) assert.equal((await rawGet(port, path)).status, 400, path);
    assert.equal((await rawGet(port, '//example.com/')).status, 200, 'a host-relative URL with a host is a path on this server, as the dev server reads it');
    assert.equal((await rawGet(port, '/')).status, 200, 'still serving');
  } finally {
    await server.close();
  }
});
