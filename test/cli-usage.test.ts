import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { cli, cliAsync } from './helpers/db-state.js';
import { servedUrl } from './helpers/net.js';
import { tempDir } from './helpers/temp.js';

/** The CLI's traps for a new user (usage, not function): each says what to type instead. */

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V', 'version']) {
    const run = cli([flag], tempDir());
    assert.equal(run.code, 0, run.err);
    assert.equal(run.out, `chatchannels ${pkg.version}\n`);
  }
});

test('a mistyped option or command says what was probably meant, with exit 2', () => {
  const dir = tempDir();
  const option = cli(['build', '--ot', 'x'], dir);
  assert.equal(option.code, 2);
  assert.match(option.err, /unknown option --ot \(did you mean --out\?\)/);
  assert.doesNotMatch(option.err, /To specify a positional argument/, "not Node's raw message");
  const command = cli(['biuld'], dir);
  assert.equal(command.code, 2);
  assert.match(command.err, /unknown command "biuld" \(did you mean "build"\?\)/);
});

test("import reads wall-clock sources with --source-time-zone (build's --time-zone is the display zone); the old name still works, with a note", () => {
  const dir = tempDir();
  const chat = resolve('test/fixtures/whatsapp/WhatsApp Chat with Bob.txt');
  const now = cli(['import', chat, '--db', join(dir, 'a.sqlite'), '--source-time-zone', 'Europe/Berlin'], dir);
  assert.equal(now.code, 0, now.err);
  assert.match(now.out, /read as Europe\/Berlin time \(--source-time-zone to change\)/);
  const old = cli(['import', chat, '--db', join(dir, 'b.sqlite'), '--time-zone', 'Europe/Berlin'], dir);
  assert.equal(old.code, 0, old.err);
  assert.match(old.err, /--time-zone is now --source-time-zone/);
  assert.match(cli(['import', '--help'], dir).out, /--source-time-zone TZ/);
});

test('serve on a port in use fails and says so, instead of moving to the next port; --port 0 takes any free port', async () => {
  const dir = tempDir();
  const db = join(dir, 'demo.sqlite');
  assert.equal(cli(['import', resolve('demo/skype-export'), '--db', db], dir).code, 0);
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  const port = (blocker.address() as { port: number }).port;
  try {
    const taken = await cliAsync(['serve', '--db', db, '--out', join(dir, 'site'), '--port', String(port)], dir).done;
    assert.equal(taken.code, 1, taken.out + taken.err);
    assert.match(taken.err, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use: choose another with --port N, or --port 0`));
    // With --watch too: the source watcher does not keep it running.
    const watching = await cliAsync(['serve', '--watch', resolve('demo/skype-export'), '--db', join(dir, 'w.sqlite'), '--out', join(dir, 'site-w'), '--port', String(port)], dir).done;
    assert.equal(watching.code, 1, watching.out + watching.err);
    assert.match(watching.err, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
  } finally {
    blocker.close();
  }
  assert.match(cli(['serve', '--help'], dir).out, /--port N .*\n.*0: any free port/, 'serve --help tells of --port 0');
  const any = cliAsync(['serve', '--db', db, '--out', join(dir, 'site0'), '--port', '0'], dir);
  let exited = false;
  void any.done.then(() => (exited = true));
  try {
    const url = await servedUrl(any.output, () => exited);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.notEqual(new URL(url).port, '0');
    assert.equal((await fetch(url)).status, 200);
  } finally {
    any.kill('SIGTERM');
    await any.done;
  }
});

test('serve resuming from the last build says how it starts once: no "rebuilt 0 archive page(s)" after "0 chat(s) changed"', async () => {
  const dir = tempDir();
  const db = join(dir, 'demo.sqlite');
  assert.equal(cli(['import', resolve('demo/skype-export'), '--db', db], dir).code, 0);
  const serveOnce = async (): Promise<string> => {
    const run = cliAsync(['serve', '--db', db, '--out', join(dir, 'site'), '--port', '0'], dir);
    let exited = false;
    void run.done.then(() => (exited = true));
    try {
      // The address is printed once the first build is complete (and logged).
      await servedUrl(run.output, () => exited);
    } finally {
      run.kill('SIGTERM');
    }
    const { out, err } = await run.done;
    return out + err;
  };
  assert.match(await serveOnce(), /building in full: no record of a complete build/);
  const again = await serveOnce();
  assert.match(again, /resumed from the last build: 0 chat\(s\) changed since/);
  assert.doesNotMatch(again, /rebuilt 0 archive page/);
});
