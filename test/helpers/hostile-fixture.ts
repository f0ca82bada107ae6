import { openStore } from '../../collector/store/open.js';
import { mediaHash, writeFixture, type FixtureMessage } from './fixture-db.js';
import { tinyPng } from './png.js';

/**
 * A database written by an attacker: chat titles, author names, native ids, bodies, attachment
 * names and URLs all trying to run script, break out of attributes, traverse paths or break XML.
 * Every payload calls window.__xss(tag), which the browser test defines and records.
 */
const X = (tag: string) => `__xss('${tag}')`;

export const HOSTILE_STRINGS = [
  `<script>${X('script')}</script>`,
  `"><img src=x onerror="${X('img-attr')}">`,
  `'><svg onload=${X('svg')}>`,
  `javascript:${X('js-url')}`,
  `</h3><iframe srcdoc="<script>parent.${X('iframe')}</script>"></iframe>`,
  `" onmouseover="${X('hover')}" x="`,
  `\u0001\u0007\u001b[31m\u0000 control \uFFFE chars \uD800`,
  `\u202Eevil\u202C name`,
  `]]><x>cdata</x>`,
];

export const SVG_WITH_SCRIPT = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" onload="${X('svg-file')}"><script>${X('svg-script')}</script></svg>`);
export const HTML_FILE = Buffer.from(`<!doctype html><script>${X('html-file')}</script>`);

export function hostileMessages(): FixtureMessage[] {
  const t0 = Date.UTC(2023, 4, 1, 12);
  const authors = HOSTILE_STRINGS.map((name, i) => ({ id: `8:evil${i}`, name }));
  const messages: FixtureMessage[] = [];
  HOSTILE_STRINGS.forEach((s, i) => {
    const author = authors[i];
    messages.push({ nativeId: `p${i}`, author: author.id, authorName: author.name, time: t0 + i * 60_000, body: `plain: ${s} https://example.com/"><script>${X('linkified')}</script>` });
    messages.push({ nativeId: `s${i}`, author: author.id, authorName: author.name, time: t0 + i * 60_000 + 1000, markup: 'skype', body: `skype: ${s} <a href="javascript:${X('skype-a')}">link</a> <img src=x onerror="${X('skype-img')}"> <b onclick="${X('skype-b')}">bold</b>` });
  });
  messages.push({
    nativeId: 'att',
    author: authors[0].id,
    authorName: authors[0].name,
    time: t0 + 3_600_000,
    body: 'attachments',
    replyToKey: `"><script>${X('reply')}</script>`,
    attachments: [
      { name: '../../../../../pwned.png', type: 'image/png', hash: mediaHash(tinyPng(3, 3)) },
      { name: 'evil.svg', type: 'image/svg+xml', hash: mediaHash(SVG_WITH_SCRIPT) },
      { name: 'page.html', type: 'text/html', hash: mediaHash(HTML_FILE) },
      { name: `<img src=x onerror=${X('att-name')}>.png`, url: `javascript:${X('att-url')}`, size: 12 },
      { name: 'CON.txt', url: 'https://example.com/con.txt', size: 3 },
      { name: '..\\..\\windows\\evil.bat', hash: '../../../../etc/passwd' },
    ],
  });
  // A huge message: 2 MB of text in one line.
  messages.push({ nativeId: 'huge', author: authors[1].id, authorName: 'Huge', time: t0 + 7_200_000, body: `huge ${'A'.repeat(2_000_000)} <script>${X('huge')}</script>` });
  return messages;
}

export const HOSTILE_CHATS = [
  `../../etc/passwd`,
  `..\\..\\windows\\system32`,
  `<script>${X('native-id')}</script>`,
  `javascript:${X('native-js')}`,
];

export function writeHostileFixture(file: string): void {
  const media = [
    // The stored names are as hostile as the attachment names.
    { name: '../../../../../pwned.png', type: 'image/png', bytes: tinyPng(3, 3) },
    { name: '/etc/../../evil.svg', type: 'image/svg+xml', bytes: SVG_WITH_SCRIPT },
    { name: 'page.html', type: 'text/html', bytes: HTML_FILE },
  ];
  writeFixture(
    file,
    HOSTILE_CHATS.map((nativeId, i) => ({
      nativeId,
      title: HOSTILE_STRINGS[i % HOSTILE_STRINGS.length] + HOSTILE_STRINGS[(i + 1) % HOSTILE_STRINGS.length],
      kind: 'group' as const,
      members: HOSTILE_STRINGS.map((name, j) => ({ nativeId: `8:evil${j}`, displayName: name })),
      messages: i === 0 ? hostileMessages() : hostileMessages().slice(0, 4).map((m) => ({ ...m, attachments: undefined })),
    })),
    media,
  );
  // A database edited by hand: a slug that would break out of paths and attributes.
  writeFixture(file, [{ nativeId: 'bad-slug', title: 'Bad slug', messages: hostileMessages().slice(0, 2) }]);
  const db = openStore(file);
  db.prepare('UPDATE chats SET slug = ? WHERE native_id = ?').run(`../../"><script>${X('slug')}</script>`, 'bad-slug');
  db.close();
}
