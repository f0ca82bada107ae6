import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { initialsOf, AuthorNamer, readableId } from '../site/data/authors.js';
import { isInlineImage, PUBLISHED_MEDIA_TYPES, publicMediaName, publishedMediaType, safeMediaName, SERVER_EXECUTABLE } from '../site/data/media-name.js';
import { resolveOptions } from '../site/options.js';
import { formatSize, parseAttachments, renderAttachments, safeHttpUrl } from '../site/render/attachments.js';
import { escapeHtml, snippet, stripInvalidChars, text } from '../site/render/escape.js';
import { Links, normalizePrefix, permalinkOf, PublicUrls } from '../site/render/links.js';
import { isoTime, TimeFormatter } from '../site/render/time.js';
import { assertProperty, propertySeeds } from './helpers/seeds.js';
import { publicAnchors, STORED_ANCHORS } from '../site/data/public-anchor.js';
import { openJson, sealJson } from '../site/output/seal.js';

/** The extension → type table of Eleventy's dev server (the `mime` package it serves files with). */
const mime = createRequire(createRequire(import.meta.url).resolve('@11ty/eleventy-dev-server'))('mime') as { getType(ext: string): string | null };

describe('options', () => {
  test('defaults are merged under the given options', () => {
    const o = resolveOptions({ db: 'x.sqlite', feedSize: 5 });
    assert.equal(o.db, 'x.sqlite');
    assert.equal(o.feedSize, 5);
    assert.equal(o.authors, 'show');
    assert.equal(o.timeZone, 'UTC');
    assert.equal(o.search, true);
    assert.equal(o.incremental, false);
    assert.equal(o.since, null);
    assert.equal(o.include, null);
  });

  test('unknown names and wrong types are errors that name the option', () => {
    assert.throws(() => resolveOptions({}), /option "db" \(the database file\) is required/);
    assert.throws(() => resolveOptions({ db: 'x', feedsize: 3 }), /unknown option "feedsize" \(known options: db, include/);
    assert.throws(() => resolveOptions({ db: 'x', feedSize: 0 }), /"feedSize" must be a positive integer/);
    assert.throws(() => resolveOptions({ db: 'x', authors: 'anonymous' }), /"authors" must be "show", "hide" or "pseudonymize"/);
    assert.throws(() => resolveOptions({ db: 'x', timeZone: 'Mars/Olympus' }), /unknown time zone "Mars\/Olympus"/);
    assert.throws(() => resolveOptions({ db: 'x', include: 'chat' }), /"include" must be an array of strings/);
    assert.throws(() => resolveOptions({ db: 'x', siteUrl: 'ftp://x' }), /"siteUrl" must be an http\(s\) URL/);
    assert.throws(() => resolveOptions({ db: 'x', layout: '<html>' }), /"layout" must be a function/);
    assert.throws(() => resolveOptions('x.sqlite'), /options must be an object/);
  });

  test('siteUrl gets a trailing slash', () => {
    assert.equal(resolveOptions({ db: 'x', siteUrl: 'https://a.example/base' }).siteUrl, 'https://a.example/base/');
  });
});

describe('escaping', () => {
  test('text() escapes markup and quotes and drops characters XML cannot carry', () => {
    assert.equal(text(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    assert.equal(stripInvalidChars('a\u0000b\u0007c\u001fd\u0085e\uFFFEf\uD800g\uD83D\uDE00'), 'abcdefg\uD83D\uDE00');
    assert.equal(text(null), '');
    assert.equal(escapeHtml('plain'), 'plain');
  });

  test('snippet() collapses whitespace and never splits a surrogate pair', () => {
    assert.equal(snippet('  a \n\n b  ', 10), 'a b');
    assert.equal(snippet('abcdefghij', 5), 'abcd…');
    assert.equal(snippet('abc😀def', 5), 'abc…');
  });
});

describe('media names', () => {
  test('one safe path segment that keeps the extension', () => {
    assert.equal(safeMediaName('holiday photo.JPG'), 'holiday photo.jpg');
    assert.equal(safeMediaName('../../etc/passwd'), 'etc_passwd.bin');
    assert.equal(safeMediaName('..\\..\\windows\\evil.bat'), 'windows_evil.bat.bin');
    assert.equal(safeMediaName('CON.txt'), '_CON.txt');
    assert.equal(safeMediaName('lpt1'), '_lpt1.bin');
    assert.equal(safeMediaName('a\u202Egnp.exe'), 'agnp.exe.bin');
    assert.equal(safeMediaName('bell\u0007.png'), 'bell.png');
    assert.equal(safeMediaName(''), 'file.bin');
    assert.equal(safeMediaName('...'), 'file.bin');
    assert.equal(safeMediaName('what?#%.pdf'), 'what___.pdf');
    assert.equal(safeMediaName('日本語の写真.png'), '日本語の写真.png');
    assert.equal(safeMediaName('release-notes-2.3.pdf'), 'release-notes-2.3.pdf');
    const long = safeMediaName(`${'x'.repeat(500)}.png`);
    assert.ok(long.length <= 120 && long.endsWith('.png'));
  });

  test('active content never keeps an extension a browser or server would run', () => {
    assert.equal(safeMediaName('drawing.svg'), 'drawing.svg.bin');
    assert.equal(safeMediaName('page.HTML'), 'page.html.bin');
    assert.equal(safeMediaName('x.xhtml'), 'x.xhtml.bin');
    assert.equal(safeMediaName('app.js'), 'app.js.bin');
    assert.equal(isInlineImage('image/svg+xml', 'drawing.svg.bin'), false);
    assert.equal(isInlineImage('image/png', 'a.png'), true);
    assert.equal(isInlineImage(null, 'a.webp'), true);
    assert.equal(isInlineImage(null, 'a.svg.bin'), false);
  });

  // Every extension a published media name may end in, with the type a server should send.
  const INERT_CLASS = Object.keys(PUBLISHED_MEDIA_TYPES);
  const ACTIVE_TYPE = /html|javascript|ecmascript|wasm|\/xml$|\+xml$|x-httpd|php|x-sh$|cgi/i;

  test('names already safe keep their name: every allow-listed extension, any case', () => {
    assert.ok(INERT_CLASS.length >= 40, `${INERT_CLASS.length} extensions`);
    for (const ext of INERT_CLASS) {
      assert.equal(safeMediaName(`Holiday photo 2.${ext}`), `Holiday photo 2.${ext}`, ext);
      assert.equal(safeMediaName(`IMG_0001.${ext.toUpperCase()}`), `IMG_0001.${ext}`, ext);
      assert.equal(publishedMediaType(`a.${ext}`), PUBLISHED_MEDIA_TYPES[ext]);
    }
  });

  test('the allow-list holds only types that run nothing, and that static servers know', () => {
    for (const [ext, type] of Object.entries(PUBLISHED_MEDIA_TYPES)) {
      assert.doesNotMatch(type, ACTIVE_TYPE, ext);
      // What Eleventy's dev server (and the servers its table mirrors) would guess from the name.
      const guessed = mime.getType(ext);
      assert.ok(guessed, `${ext}: a server guessing from the extension knows it`);
      assert.doesNotMatch(guessed, ACTIVE_TYPE, ext);
    }
    assert.equal(publishedMediaType('README'), 'application/octet-stream');
    assert.equal(publishedMediaType('x.svg'), 'application/octet-stream');
    assert.equal(publishedMediaType('x.html'), 'application/octet-stream');
  });

  // Names a browser would run in the site's origin, a server would execute or treat as its
  // configuration, and names with no or an unknown extension (sniffed as HTML when untyped).
  const HOSTILE_NAMES = [
    'README', 'page.htm_', 'name.', 'x.svg', 'x.svgz', 'x.html', 'x.htm', 'x.xhtml', 'x.xht', 'x.shtml', 'x.mht', 'x.xml', 'x.xsl',
    'x.js', 'x.mjs', 'x.cjs', 'x.wasm', 'x.swf', 'x.hta', 'x.php', 'x.php5', 'x.php7', 'x.phtml', 'x.pht', 'x.phar', 'x.phps',
    'x.cgi', 'x.fcgi', 'x.pl', 'x.py', 'x.rb', 'x.sh', 'x.asp', 'x.aspx', 'x.ashx', 'x.asmx', 'x.cshtml', 'x.jsp', 'x.jspx',
    'x.cfm', 'x.var', 'x.asis', 'web.config', '.htaccess', '.htpasswd', '.user.ini', 'index.html', '.well-known', '.env',
    'x.appcache', 'x.webmanifest', 'x.vtt', 'x.rdf', 'x.tgs', 'x.log', 'x.exe', 'x.unknownext', 'x.PHP', 'shell.php.jpg',
    'shell.php5.png', 'x.asp;.jpg', 'x.php%00.png', 'x.php\u0000.png', 'x.html\u202Egnp.png', 'x.svg.', 'x.svg ', 'x.svg...', 'x.sVg',
  ];

  /** What a published name must be: no dot file, an allow-listed last extension, no executable inner one. */
  function assertPublishable(raw: string, published: string): void {
    const where = `${JSON.stringify(raw)} → ${JSON.stringify(published)}`;
    assert.ok(!published.startsWith('.'), `${where}: a dot file`);
    assert.doesNotMatch(published, /[/\\\0]/, where);
    const parts = published.toLowerCase().split('.');
    assert.ok(parts.length >= 2, `${where}: no extension`);
    assert.ok(Object.hasOwn(PUBLISHED_MEDIA_TYPES, parts.at(-1)!), `${where}: not an allow-listed extension`);
    for (const inner of parts.slice(1, -1)) assert.doesNotMatch(inner, SERVER_EXECUTABLE, `${where}: an inner extension a server would run`);
  }

  test('hostile and unknown names end in an allow-listed extension, with no executable one inside', () => {
    for (const raw of HOSTILE_NAMES) assertPublishable(raw, safeMediaName(raw));
    assert.equal(safeMediaName('README'), 'README.bin');
    assert.equal(safeMediaName('page.htm_'), 'page.htm_.bin');
    assert.equal(safeMediaName('name.'), 'name.bin');
    assert.equal(safeMediaName('x.php5'), 'x_php5.bin');
    assert.equal(safeMediaName('shell.php.jpg'), 'shell_php.jpg');
    assert.equal(safeMediaName('web.config'), 'web_config.bin');
    assert.equal(safeMediaName('.htaccess'), 'htaccess.bin');
    assert.equal(safeMediaName('index.html'), 'index.html.bin');
  });

  test('a name without a usable extension takes the inert one of its type, else .bin', () => {
    assert.equal(safeMediaName('voice', 'audio/ogg'), 'voice.ogg');
    assert.equal(safeMediaName('photo', 'IMAGE/JPEG; q=1'), 'photo.jpg');
    assert.equal(safeMediaName('README', 'text/plain'), 'README.txt');
    assert.equal(safeMediaName('x.php', 'image/png'), 'x_php.png');
    assert.equal(safeMediaName('x.svg', 'image/svg+xml'), 'x.svg.bin');
    assert.equal(safeMediaName('x.html', 'text/html'), 'x.html.bin');
    // A usable extension wins over the type (the name is what hosts go by).
    assert.equal(safeMediaName('a.png', 'text/html'), 'a.png');
    for (const raw of HOSTILE_NAMES) for (const type of ['text/html', 'image/svg+xml', 'application/x-php', 'image/png', '']) assertPublishable(raw, safeMediaName(raw, type));
  });

  test('property: any name from an export publishes as an inert, non-dot file name', (t) => {
    const piece = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('.', '..', '.php', '.svg', '.html', '.png', '.jpg', '.bin', '.htaccess', 'web.config', ' ', '\u202E', '/', '\\', '\0', '%00', ';'),
      fc.constantFrom(...INERT_CLASS.map((e) => `.${e}`)),
    );
    const name = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    const type = fc.option(fc.constantFrom(...Object.values(PUBLISHED_MEDIA_TYPES), 'text/html', 'image/svg+xml', 'application/xml'), { nil: undefined });
    for (const seed of propertySeeds(t)) {
      fc.assert(fc.property(name, type, (raw, mediaType) => {
        const published = safeMediaName(raw, mediaType);
        assertPublishable(raw, published);
        assert.ok(published.length <= 120);
        // Names that were already safe do not change.
        if (/^[A-Za-z0-9][A-Za-z0-9_-]*\.[a-z0-9]+$/.test(raw) && Object.hasOwn(PUBLISHED_MEDIA_TYPES, raw.split('.')[1]) && !/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(raw.split('.')[0])) {
          assert.equal(published, raw);
        }
      }), { seed, numRuns: 500 });
    }
  });

  test('with authors hidden or pseudonymized, a published file is `file.<ext>`: names carry people', () => {
    for (const mode of ['hide', 'pseudonymize'] as const) {
      assert.equal(publicMediaName('Alice Wonder selfie.JPG', null, mode), 'file.jpg');
      assert.equal(publicMediaName('U03CAROL-notes.txt', null, mode), 'file.txt');
      assert.equal(publicMediaName('drawing.svg', null, mode), 'file.bin');
      assert.equal(publicMediaName('no extension', null, mode), 'file.bin');
      assert.equal(publicMediaName('voice', 'audio/ogg', mode), 'file.ogg');
      assert.equal(publicMediaName('../../etc/passwd', null, mode), 'file.bin');
    }
    assert.equal(publicMediaName('Alice Wonder selfie.JPG', null, 'show'), 'Alice Wonder selfie.jpg');
  });
});

describe('attachments', () => {
  test('parsed defensively; only http(s) URLs survive', () => {
    assert.deepEqual(parseAttachments('not json'), []);
    assert.deepEqual(parseAttachments('{"name":"x"}'), []);
    const [a] = parseAttachments(JSON.stringify([{ name: 1, size: -5, hash: '../x', url: 'javascript:alert(1)' }]));
    assert.deepEqual(a, { name: '', size: null, type: null, url: 'javascript:alert(1)', hash: null });
    assert.equal(safeHttpUrl(a.url), null);
    assert.equal(safeHttpUrl('https://example.com/a b'), 'https://example.com/a%20b');
    assert.equal(formatSize(1), '1 byte');
    assert.equal(formatSize(2048), '2.0 KB');
    assert.equal(formatSize(5 * 1024 * 1024), '5.0 MB');
  });

  test('a file known only by URL is never linked (read offline; such URLs name accounts): its name and a note', () => {
    const slackFile = parseAttachments(JSON.stringify([{ name: 'notes.txt', size: 4, url: 'https://team.slack.com/files/U03CAROL/F0OLD/notes.txt' }]));
    const cdn = parseAttachments(JSON.stringify([{ name: 'clip.mp4', url: 'https://cdn.discordapp.com/attachments/1/2/clip.mp4' }]));
    const href = (path: string) => path;
    for (const list of [slackFile, cdn]) {
      const html = renderAttachments(list, new Map(), href);
      assert.doesNotMatch(html, /href|slack\.com|discordapp/, html);
      assert.match(html, /(notes\.txt|clip\.mp4)/);
      assert.match(html, /not included in the export/);
    }
  });
});

describe('links', () => {
  test('relative links between pages are as short as possible', () => {
    const page = new Links('chats/a/2021/09/');
    assert.equal(page.root, '../../../../');
    assert.equal(page.to('chats/a/2021/10/'), '../10/');
    assert.equal(page.to('chats/a/2021/09/#m1'), '#m1');
    assert.equal(page.to('chats/a/'), '../../');
    assert.equal(page.to(''), '../../../../');
    assert.equal(page.to('assets/chatchannels.css'), '../../../../assets/chatchannels.css');
    assert.equal(new Links('').to('chats/a/'), 'chats/a/');
    assert.equal(new Links('').to(''), './');
    assert.equal(new Links('chats/a/').to('chats/a/2021/09/#m1'), '2021/09/#m1');
  });

  test('a link is the shortest relative path, for any page and target (the old split-and-join way)', (t) => {
    // How `to` was written before it stopped making arrays per link: the reference it must equal.
    const reference = (here: string, target: string): string => {
      const dir = here.endsWith('/') || here === '' ? here : here.slice(0, here.lastIndexOf('/') + 1);
      const dirs = dir === '' ? [] : dir.slice(0, -1).split('/');
      const hash = target.indexOf('#');
      const path = hash < 0 ? target : target.slice(0, hash);
      const fragment = hash < 0 ? '' : target.slice(hash);
      const segments = path.split('/');
      const file = segments.pop()!;
      let common = 0;
      while (common < dirs.length && common < segments.length && dirs[common] === segments[common]) common++;
      const rel = '../'.repeat(dirs.length - common) + segments.slice(common).map((s) => `${s}/`).join('') + file;
      return (rel === '' ? (fragment ? '' : './') : rel) + fragment;
    };
    // Few distinct segments, so that pages and targets share folders often; '#' and '/' in fragments.
    const segment = fc.constantFrom('chats', 'a', 'ab', 'b', '2021', '09', 'index.html', '', 'x.js');
    const path = fc.array(segment, { maxLength: 5 }).map((s) => s.join('/'));
    const folder = fc.array(segment.filter((s) => s !== ''), { maxLength: 5 }).map((s) => s.map((x) => `${x}/`).join(''));
    const target = fc.tuple(fc.oneof(path, folder), fc.option(fc.constantFrom('#', '#m1', '#a/b', '#d2021-09-14'), { nil: '' })).map(([p, f]) => p + f);
    for (const seed of propertySeeds(t)) {
      fc.assert(
        fc.property(fc.oneof(path, folder), target, (here, to) => {
          assert.equal(new Links(here).to(to), reference(here, to));
        }),
        { seed, numRuns: 2000 },
      );
    }
  });

  test('permalinks and public URLs', () => {
    assert.equal(permalinkOf(''), '/index.html');
    assert.equal(permalinkOf('chats/a/'), '/chats/a/index.html');
    assert.equal(permalinkOf('feed.xml'), '/feed.xml');
    assert.equal(normalizePrefix('archive'), '/archive/');
    assert.equal(normalizePrefix(undefined), '/');
    assert.equal(new PublicUrls(null, '/p/').url('feed.xml'), '/p/feed.xml');
    assert.equal(new PublicUrls('https://x.example/', '/p/').url('feed.xml'), 'https://x.example/p/feed.xml');
    // A siteUrl that already names the prefix is not given it twice.
    assert.equal(new PublicUrls('https://x.example/p/', '/p/').url('feed.xml'), 'https://x.example/p/feed.xml');
    assert.equal(new PublicUrls('https://x.example/a/p/', '/p/').url(''), 'https://x.example/a/p/');
    assert.equal(new PublicUrls('https://x.example/a/', '/p/').url(''), 'https://x.example/a/p/');
    assert.equal(new PublicUrls('https://x.example/top/', '/p/').url(''), 'https://x.example/top/p/');
  });
});

describe('times', () => {
  test('isoTime matches Date#toISOString, also out of the fast path', () => {
    for (const t of [0, 1, 999, 1631523600123, Date.UTC(2404, 0, 1), -1, -62135596800000, 8.64e15, 9e18, 1.5]) {
      const expected = new Date(Math.max(-8.64e15, Math.min(8.64e15, t))).toISOString();
      assert.equal(isoTime(t), expected, String(t));
    }
  });

  test('clock times and days in a time zone, across a DST change', () => {
    const berlin = new TimeFormatter('Europe/Berlin', 'en');
    // 2021-03-28: clocks go from 02:00 to 03:00 at 01:00 UTC.
    assert.equal(berlin.clock(Date.UTC(2021, 2, 28, 0, 30)), '01:30');
    assert.equal(berlin.clock(Date.UTC(2021, 2, 28, 1, 30)), '03:30');
    assert.equal(berlin.clock(Date.UTC(2021, 9, 31, 0, 30)), '02:30');
    assert.equal(berlin.clock(Date.UTC(2021, 9, 31, 1, 30)), '02:30');
    assert.equal(berlin.dayLabel(berlin.dayKey(Date.UTC(2021, 11, 31, 23, 30))), 'Saturday, January 1, 2022');
    const kathmandu = new TimeFormatter('Asia/Kathmandu', 'en');
    assert.equal(kathmandu.clock(Date.UTC(2021, 0, 1, 0, 0)), '05:45');
    const utc = new TimeFormatter('UTC', 'en-GB');
    assert.equal(utc.dayLabel(utc.dayKey(Date.UTC(2021, 8, 14, 12))), 'Tuesday, 14 September 2021');
    assert.equal(utc.monthLabel('2404-01'), 'January 2404');
    assert.equal(utc.clock(9e18), utc.clock(8.64e15));
  });
});

describe('authors', () => {
  test('pseudonyms are stable, salted, and hide the name', () => {
    const a = new AuthorNamer('pseudonymize', '').author('8:live:alice', 'Alice', 'Alice Smith');
    assert.match(a.name!, /^Person [0-9a-f]{4}$/);
    assert.deepEqual(new AuthorNamer('pseudonymize', '').author('8:live:alice', 'Someone else', null), a);
    assert.notEqual(new AuthorNamer('pseudonymize', 'salt').author('8:live:alice', null, null).name, a.name);
    assert.equal(new AuthorNamer('hide', '').author('8:live:alice', 'Alice', null).name, null);
    const shown = new AuthorNamer('show', '').author('8:live:alice', '<b>Al</b>', 'Alice');
    assert.equal(shown.nameHtml, '&lt;b&gt;Al&lt;/b&gt;');
  });

  test('initials', () => {
    assert.equal(initialsOf('Alice Smith'), 'AS');
    assert.equal(initialsOf('bob'), 'B');
    assert.equal(initialsOf('李小龙'), '李');
    assert.equal(initialsOf('!!!'), '?');
    assert.equal(initialsOf('Émile de la Tour'), 'ÉT');
  });
});

test('a person known only by id is named readably: no type prefix, Skype cid accounts shortened', () => {
  assert.equal(readableId('8:live:.cid.7f3a2b9c41d05e68'), 'cid 7f3a2b');
  assert.equal(readableId('8:echo123'), 'echo123');
  assert.equal(readableId('28:concierge'), 'concierge');
  assert.equal(readableId(null), null);
  assert.equal(new AuthorNamer('show', '').author('8:live:.cid.7f3a2b9c41d05e68', null, null).name, 'cid 7f3a2b');
});

test('seal (site/output/seal.ts): opens only with its secret and purpose, hides how many digits its numbers have, refuses a shortened tag', () => {
  const sealed = sealJson('db-1', 'stamp', { changeSeq: 9, key: 'abc' });
  assert.deepEqual(openJson('db-1', 'stamp', sealed), { changeSeq: 9, key: 'abc' });
  assert.equal(sealJson('db-1', 'stamp', { changeSeq: 9, key: 'abc' }), sealed, 'deterministic: equal contents, equal bytes');
  assert.equal(openJson('db-2', 'stamp', sealed), undefined, 'another secret');
  assert.equal(openJson('db-1', 'search base', sealed), undefined, 'another purpose');
  const lengths = [9, 99_999, 999_999_999].map((n) => sealJson('db-1', 'stamp', { changeSeq: n, lastMessage: n }).length);
  assert.equal(new Set(lengths).size, 1, `one length whatever the digits: ${lengths}`);
  const bytes = Buffer.from(sealed, 'base64');
  // A 4-byte tag in place of the 16: GCM would check just those 4 bytes if asked to.
  const short = Buffer.concat([bytes.subarray(0, 12), bytes.subarray(12, 16), bytes.subarray(28)]).toString('base64');
  assert.equal(openJson('db-1', 'stamp', short), undefined);
  assert.equal(openJson('db-1', 'stamp', ''), undefined);
});

describe('published anchors (site/data/public-anchor.ts)', () => {
  const hexOf = (length: number) => fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: length, maxLength: length }).map((d) => d.join(''));
  const anyAnchor = fc.integer({ min: 5, max: 32 }).chain((half) => hexOf(half * 2)).map((hex) => `m${hex}`);

  test('keyed: a permutation of each length, undone by storedForms; another secret gives another one', (t) => {
    const keyed = publicAnchors('hide', '', 'database one');
    const other = publicAnchors('hide', '', 'database two');
    assertProperty(
      t,
      fc.property(anyAnchor, (anchor) => {
        const shown = keyed.shown(anchor);
        assert.match(shown, /^m[0-9a-f]+$/);
        assert.equal(shown.length, anchor.length, 'the length is kept');
        assert.deepEqual(keyed.storedForms(shown), [anchor], 'undone');
        const key = anchor.slice(1);
        assert.deepEqual(keyed.storedForms(keyed.shownKey(key)), key.length >= 10 ? [key] : []);
      }),
    );
    // Distinct anchors publish distinct ones: every 10-digit anchor with the same last 7 digits (the
    // fast path's first round reads only the first 3), and a sample of 12-digit ones.
    for (const [anchors, label] of [
      [Array.from({ length: 4096 }, (_, i) => `m${i.toString(16).padStart(3, '0')}abcdef0`), '10 digits'],
      [Array.from({ length: 4096 }, (_, i) => `m00${i.toString(16).padStart(3, '0')}abcdef0`), '12 digits'],
    ] as const) {
      const shown = anchors.map((a) => keyed.shown(a));
      assert.equal(new Set(shown).size, anchors.length, `${label}: no two anchors publish as one`);
      assert.ok(shown.filter((a, i) => a === other.shown(anchors[i])).length < 3, `${label}: another secret, other anchors`);
      assert.ok(shown.filter((a, i) => a === anchors[i]).length < 3, `${label}: not the stored anchors`);
    }
  });

  test('the same secret gives the same anchors (a salt in every database); authors shown: as stored', () => {
    const anchor = 'm0123456789';
    assert.equal(publicAnchors('pseudonymize', 'pepper', 'database one').shown(anchor), publicAnchors('hide', 'pepper', 'database two').shown(anchor));
    assert.notEqual(publicAnchors('hide', 'pepper', 'database one').shown(anchor), publicAnchors('hide', '', 'database one').shown(anchor));
    assert.equal(publicAnchors('show', '', null), STORED_ANCHORS);
    assert.equal(STORED_ANCHORS.shown(anchor), anchor);
    assert.throws(() => publicAnchors('hide', '', null), /authors "hide" needs a secret to key the published anchors with: set pseudonymSalt/);
    assert.deepEqual(publicAnchors('hide', '', 'db').storedForms('not an anchor'), []);
    assert.throws(() => publicAnchors('hide', '', 'db').shown('m01234567zz'), /not an anchor's hex digits/);
  });
});
