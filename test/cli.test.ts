import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './helpers/temp.js';

const CLI = resolve('dist/collector/cli.js');

function cc(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A two-chat Skype export in the real shape: newest first, members as a JSON string. */
function writeExport(dir: string, extra: object[] = []): string {
  const file = join(dir, 'messages.json');
  const m = (id: string, from: string, time: string, content: string, type = 'RichText') => ({
    id, displayName: null, originalarrivaltime: time, messagetype: type, version: Number(id), content,
    conversationid: '19:cli@thread.skype', from, properties: null, amsreferences: null,
  });
  writeFileSync(file, JSON.stringify({
    userId: '8:live:alice', exportDate: '2024-01-02T10:00',
    conversations: [
      {
        id: '19:cli@thread.skype', displayName: 'Pizza club', version: 1, properties: {},
        threadProperties: { membercount: 2, members: '["8:live:alice","8:live:bob"]', topic: 'Pizza club' },
        MessageList: [
          ...extra,
          m('1704189600000', '8:live:bob', '2024-01-02T10:00:00.000Z', 'margherita &amp; funghi on friday'),
          m('1704103200000', 'live:alice', '2024-01-01T10:00:00.1Z', 'who is in for pizza?'),
        ],
      },
    ],
  }));
  return file;
}

test('--help works for the tool and every command; bad usage exits 2', () => {
  const dir = tempDir();
  const top = cc(['--help'], dir);
  assert.equal(top.code, 0);
  for (const command of ['import', 'chats', 'build', 'serve', 'watch', 'search']) {
    assert.match(top.out, new RegExp(`\\b${command}\\b`));
    const help = cc([command, '--help'], dir);
    assert.equal(help.code, 0, `${command} --help`);
    assert.match(help.out, /^usage: chatchannels /);
  }
  assert.equal(cc([], dir).code, 2);
  assert.equal(cc(['frobnicate'], dir).code, 2);
  const bad = cc(['import', '--no-such-option', 'x'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /no-such-option/);
  assert.equal(cc(['import'], dir).code, 2);
  assert.equal(cc(['import', 'x', '--format', 'nonsense'], dir).code, 2);
  const zone = cc(['import', 'x', '--time-zone', 'Mars/Olympus_Mons'], dir);
  assert.equal(zone.code, 2);
  assert.match(zone.err, /--time-zone: "Mars\/Olympus_Mons" is not an IANA time zone/);
  assert.equal(cc(['import', 'x', '--date-order', 'ddmm'], dir).code, 2);
  assert.equal(cc(['serve', 'x'], dir).code !== 0, true, 'serve takes paths only with --watch');
});

test('import, chats, re-import and search, end to end', () => {
  const dir = tempDir();
  const file = writeExport(dir);
  const first = cc(['import', file], dir);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /1 chat\(s\); messages: 2 new, 0 updated, 0 unchanged/);
  const again = cc(['import', file], dir);
  assert.match(again.out, /0 new, 0 updated, 2 unchanged/, 're-import is idempotent');

  const chats = cc(['chats'], dir);
  assert.equal(chats.code, 0, chats.err);
  assert.match(chats.out, /19:cli@thread\.skype\s+cli-[a-z2-7]{7}\s+\u2068Pizza club\u2069\s+2\s+2024-01-01 10:00\s+2024-01-02 10:00/);
  const json = JSON.parse(cc(['chats', '--json'], dir).out.trim());
  assert.equal(json.messages, 2);

  const found = cc(['search', 'funghi', '--json'], dir);
  assert.equal(found.code, 0, found.err);
  const hit = JSON.parse(found.out.trim());
  assert.match(hit.snippet, /\[funghi\]/);
  assert.match(hit.path, /^chats\/cli-[a-z2-7]{7}\/2024\/01\/#m[0-9a-f]{10}$/);
  assert.equal(cc(['search', 'a:b"c*', '(x'], dir).code, 0, 'FTS syntax in a query is taken literally');
});

test('an edit in a newer export updates the message instead of adding one', () => {
  const dir = tempDir();
  const file = writeExport(dir);
  cc(['import', file], dir);
  const edited = JSON.parse(readFileSync(file, 'utf8'));
  const msg = edited.conversations[0].MessageList[0];
  msg.content = 'margherita &amp; funghi on saturday';
  msg.properties = { edittime: '1704190000000' };
  writeFileSync(file, JSON.stringify(edited));
  const r = cc(['import', file], dir);
  assert.match(r.out, /0 new, 1 updated, 1 unchanged/);
});

test('a missing file, a non-export and a truncated export fail with exit 1, naming the file, and change nothing', () => {
  const dir = tempDir();
  const missing = cc(['import', 'nope.json'], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.json: no such file/);

  const png = join(dir, 'photo.png');
  writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  const notExport = cc(['import', png], dir);
  assert.equal(notExport.code, 1);
  assert.match(notExport.err, /photo\.png: not a recognized chat export/);

  const good = writeExport(dir);
  cc(['import', good], dir);
  const truncated = join(dir, 'truncated.json');
  const text = readFileSync(good, 'utf8');
  writeFileSync(truncated, text.slice(0, Math.floor(text.length * 0.7)));
  const t = cc(['import', truncated, '--format', 'skype-export'], dir);
  assert.equal(t.code, 1);
  assert.match(t.err, /truncated\.json: .*byte/);
  assert.match(cc(['chats'], dir).out, /\u2068Pizza club\u2069\s+2\s/, 'the failed import left the database as it was');
});

// ---------------------------------------------------------------------------------------------
// Clear errors for databases that cannot be written or are not there

/** Runs the CLI as a user the file modes apply to: root ignores them, so as "nobody" under root. */
function ccAsUser(args: string[], cwd: string) {
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1', HOME: cwd }, ...asNobody });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A folder holding an imported chatchannels.sqlite (never searched: its search index is still empty). */
function importedDb(): { dir: string; db: string; out: string } {
  const dir = tempDir();
  const r = cc(['import', writeExport(dir)], dir);
  assert.equal(r.code, 0, r.err);
  rmSync(join(dir, 'messages.json'));
  const out = join(tempDir(), 'site');
  chmodSync(join(out, '..'), 0o777);
  return { dir, db: join(dir, 'chatchannels.sqlite'), out };
}

function assertReadingWorks(dir: string, out: string): void {
  const chats = ccAsUser(['chats'], dir);
  assert.equal(chats.code, 0, chats.err);
  assert.match(chats.out, /\u2068Pizza club\u2069\s+2\s/);
  const search = ccAsUser(['search', 'pizza'], dir);
  assert.equal(search.code, 0, search.err);
  // Never searched before, so its index is empty: it says what it could not search.
  assert.match(search.err, /warning: read-only (folder|file): cannot write chatchannels\.sqlite: the 2 message\(s\) imported since its last search are not searched/);
  const build = ccAsUser(['build', '--out', out], dir);
  assert.equal(build.code, 0, build.err);
  assert.ok(existsSync(join(out, 'index.html')), 'the site was built');
}

test('a database in a read-only folder: chats, search and build read it; import and watch say the folder is read-only', () => {
  const { dir, db, out } = importedDb();
  chmodSync(db, 0o666); // writable itself: only the folder is not
  chmodSync(dir, 0o555);
  try {
    assertReadingWorks(dir, out);
    const src = tempDir();
    chmodSync(src, 0o755);
    for (const args of [['import', writeExport(src)], ['watch']]) {
      const r = ccAsUser(args, dir);
      assert.equal(r.code, 1, `${args[0]}: ${r.err}`);
      assert.match(r.err, /read-only folder: cannot write chatchannels\.sqlite/, args[0]);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['chatchannels.sqlite', 'chatchannels.sqlite.changed'], 'nothing was written beside it');
  } finally {
    chmodSync(dir, 0o755); // so that the folder can be removed
  }
});

test('a read-only database file in a writable folder: chats, search and build read it; import and watch say the file is read-only', () => {
  const { dir, db, out } = importedDb();
  chmodSync(dir, 0o777);
  chmodSync(db, 0o444);
  const before = readFileSync(db);
  assertReadingWorks(dir, out);
  const src = tempDir();
  chmodSync(src, 0o755);
  const file = writeExport(src);
  for (const args of [['import', file], ['watch']]) {
    const r = ccAsUser(args, dir);
    assert.equal(r.code, 1, `${args[0]}: ${r.err}`);
    assert.match(r.err, /read-only file: cannot write chatchannels\.sqlite/, args[0]);
  }
  assert.ok(readFileSync(db).equals(before), 'the database is unchanged');
});

test('search, chats and build without a database say so, exit 1 and create none', () => {
  const dir = tempDir();
  for (const args of [['search', 'pizza'], ['chats'], ['build', '--out', join(dir, 'site')], ['search', 'x', '--db', 'other.sqlite']]) {
    const r = cc(args, dir);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
    const name = args.includes('other.sqlite') ? 'other\\.sqlite' : 'chatchannels\\.sqlite';
    assert.match(r.err, new RegExp(`no database at \\S*${name} \\(run chatchannels import first\\)`), args.join(' '));
  }
  assert.deepEqual(readdirSync(dir), [], 'no database was created');
});

test('a failed first import leaves no database behind; a build of a database without chats fails', () => {
  const dir = tempDir();
  const png = join(dir, 'photo.png');
  writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
  const truncated = join(dir, 'truncated.json');
  const text = readFileSync(writeExport(dir), 'utf8');
  writeFileSync(truncated, text.slice(0, Math.floor(text.length * 0.7)));
  for (const args of [['import', png], ['import', truncated, '--format', 'skype-export'], ['import', 'missing.json']]) {
    const r = cc(args, dir);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('chatchannels')), [], `${args[1]}: no database left behind`);
    const build = cc(['build', '--out', join(dir, 'site')], dir);
    assert.equal(build.code, 1);
    assert.match(build.err, /no database at \S*chatchannels\.sqlite/);
  }

  const empty = join(dir, 'empty.json');
  writeFileSync(empty, JSON.stringify({ userId: '8:live:alice', exportDate: '2024-01-02T10:00', conversations: [] }));
  const r = cc(['import', empty], dir);
  assert.equal(r.code, 0, r.err);
  const build = cc(['build', '--out', join(dir, 'site')], dir);
  assert.equal(build.code, 1, build.out);
  assert.match(build.err, /chatchannels\.sqlite holds no chats/);
  assert.ok(!existsSync(join(dir, 'site', 'index.html')), 'no empty site was published');
});
