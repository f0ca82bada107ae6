import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './helpers/temp.js';
import { machineLimit } from './helpers/requires.js';

const CLI = resolve('dist/collector/cli.js');

function cc(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: '1', ...env }, timeout: 120_000 });
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

test('search, chats, build and serve without a database say so, exit 1 and create none', () => {
  const dir = tempDir();
  const serve = ['serve', '--port', '0', '--out', join(dir, 'site')];
  for (const args of [['search', 'pizza'], ['chats'], ['build', '--out', join(dir, 'site')], ['search', 'x', '--db', 'other.sqlite'], serve]) {
    const r = cc(args, dir);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.err}`);
    assert.doesNotMatch(r.err, /\[11ty\]|at \S+ \(file:/, `${args[0]}: one line, no stack trace`);
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

/** A database with one imported Skype export (in its own folder), and a working folder beside it. */
function importedSetup(): { dir: string; work: string; db: string; exportDir: string } {
  const dir = tempDir();
  const exportDir = join(dir, 'export');
  const work = join(dir, 'work');
  const data = join(dir, 'data');
  for (const d of [exportDir, work, data]) mkdirSync(d);
  const db = join(data, 'chats.sqlite');
  const imported = cc(['import', writeExport(exportDir), '--db', db], work);
  assert.equal(imported.code, 0, imported.err);
  return { dir, work, db, exportDir };
}

test('build and serve refuse an --out that would mix the site into other files (exit 2), unless --force', () => {
  const { dir, work, db, exportDir } = importedSetup();
  const folderExport = join(dir, 'folder-export');
  mkdirSync(folderExport);
  copyFileSync(join(exportDir, 'messages.json'), join(folderExport, 'messages.json'));
  assert.equal(cc(['import', folderExport, '--db', db], work).code, 0, 'an export imported as a folder');
  const home = join(dir, 'home');
  mkdirSync(home);
  writeFileSync(join(work, 'notes.txt'), 'not a folder');
  const cases: [string, RegExp][] = [
    [join(work, 'notes.txt'), /is a file, not a folder/],
    ['/', /is the root of the file system/],
    ['.', /is the working folder/],
    [work, /is the working folder/],
    [dir, /contains the working folder/],
    [home, /is your home folder/],
    [join(dir, 'data'), /is the database's folder/],
    [exportDir, /is the folder of the export/],
    [folderExport, /is the folder of the export/],
    [join(folderExport, 'site'), /is inside the export folder/],
  ];
  for (const command of ['build', 'serve']) {
    for (const [out, why] of cases) {
      const r = cc([command, '--db', db, '--out', out, '--port', '0'].slice(0, command === 'build' ? 5 : 7), work, { HOME: home });
      assert.equal(r.code, 2, `${command} --out ${out}: exit ${r.code} ${r.err}`);
      assert.match(r.err, why, `${command} --out ${out}`);
      assert.ok(r.err.includes(out), `the message names ${out}: ${r.err}`);
    }
  }
  assert.deepEqual(readdirSync(work).sort(), ['notes.txt'], 'nothing was written into the working folder');
  assert.ok(!existsSync(join(folderExport, 'site')));
  // A database's folder that holds only the database (and a site of its own) is a choice: --force.
  const forced = cc(['build', '--db', db, '--out', join(dir, 'data'), '--force'], work, { HOME: home });
  assert.equal(forced.code, 0, forced.err);
  assert.ok(existsSync(join(dir, 'data', 'index.html')));
  // The default: _site inside the working folder, beside the database.
  const normal = cc(['build', '--db', db], work, { HOME: home });
  assert.equal(normal.code, 0, normal.err);
});

test('a build says what it removed: files an earlier build wrote that it no longer publishes', () => {
  const { work, db } = importedSetup();
  const other = join(work, 'other.sqlite');
  const otherExport = join(work, 'other');
  mkdirSync(otherExport);
  const file = writeExport(otherExport);
  writeFileSync(file, readFileSync(file, 'utf8').replaceAll('19:cli@thread.skype', '19:other@thread.skype'));
  assert.equal(cc(['import', file, '--db', other], work).code, 0);
  const first = cc(['build', '--db', db, '--out', 'site'], work);
  assert.equal(first.code, 0, first.err);
  assert.doesNotMatch(first.out, /removed/);
  const second = cc(['build', '--db', other, '--out', 'site'], work);
  assert.equal(second.code, 0, second.err);
  assert.match(second.out, /removed [1-9]\d* file\(s\) no longer published/);
  assert.ok(!readdirSync(join(work, 'site', 'chats')).some((slug) => slug.startsWith('cli-')), 'the first database\'s chat is gone');
});

test('a full disk during a build names the file it could not write (exit 1)', (t) => {
  const { work, db } = importedSetup();
  // A site bigger than the disk: a database with a large attachment-free chat.
  const disk = join(work, 'disk');
  mkdirSync(disk);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    t.skip(machineLimit(`cannot mount a tmpfs to fill (${(mounted.stderr || mounted.error?.message || '').trim()})`));
    return;
  }
  try {
    const r = cc(['build', '--db', db, '--out', join(disk, 'site')], work);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, new RegExp(`no space left on device writing ${disk}/site/\\S+`));
    assert.doesNotMatch(r.err, /Having trouble/);
  } finally {
    spawnSync('umount', [disk]);
  }
});

test('every command run from a deleted working folder fails with a clear error (exit 1)', () => {
  const { work, db } = importedSetup();
  const gone = join(work, 'gone');
  mkdirSync(gone);
  // The child starts inside the folder, which is removed before it runs (a spawn needs it to exist).
  const run = (args: string[]) => {
    const script = `process.chdir(${JSON.stringify(gone)}); require('fs').rmdirSync(${JSON.stringify(gone)}); process.argv.splice(1, 0, ${JSON.stringify(CLI)}); import(${JSON.stringify(CLI)});`;
    const r = spawnSync(process.execPath, ['-e', script, '--', ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, CI: '1' }, timeout: 60_000 });
    if (existsSync(gone)) rmdirSync(gone);
    mkdirSync(gone);
    return { code: r.status, signal: r.signal, err: r.stderr };
  };
  for (const args of [['build'], ['build', '--db', db, '--out', join(work, 'abs-site')], ['chats'], ['import', 'x.json'], ['serve', '--port', '0'], ['watch', 'x.json'], ['search', 'pizza']]) {
    const r = run(args);
    assert.equal(r.signal, null, `${args.join(' ')} did not finish`);
    assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code} ${r.err}`);
    assert.match(r.err, /the working folder no longer exists/, args.join(' '));
  }
});
