import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { crc32Combine, writeZipStreamed, type ZipPart } from './helpers/archives.js';
import { readEvents } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { formatLimit, MAX_JSON_FILE_BYTES, MAX_LINE_BYTES, MAX_RECORD_BYTES } from '../collector/sources/kit/limits.js';

/**
 * Hostile sizes: zip bombs (a few MB that inflate to GiB), endless lines and endless messages.
 * Each import runs the real CLI in a child process that reports its peak memory, which must stay
 * bounded; errors and warnings must name the file, the entry and the limit.
 */

const CLI = resolve('dist/collector/cli.js');
const root = new URL('../../', import.meta.url);
const SLACK = fileURLToPath(new URL('test/fixtures/slack/workspace', root));
const GiB = 2 ** 30;
/** Peak resident memory allowed for an import of a hostile input (a bare import takes ~100 MB). */
const MAX_RSS = 400 << 20;

interface Run {
  code: number | null;
  err: string;
  out: string;
  /** Peak resident set size in bytes. */
  rss: number;
}

/** `chatchannels import` in a child that prints its peak RSS on exit. */
function importInChild(dir: string, args: string[]): Run {
  const reporter = join(dir, 'report-rss.mjs');
  writeFileSync(reporter, "process.on('exit', () => process.stderr.write(`\\nmax-rss-kb=${process.resourceUsage().maxRSS}\\n`));\n");
  const r = spawnSync(process.execPath, ['--import', reporter, CLI, 'import', ...args, '--db', join(dir, 'out.sqlite')], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    maxBuffer: 16 << 20,
  });
  const m = /max-rss-kb=(\d+)/.exec(r.stderr);
  assert.ok(m, `the child reported no peak memory (crashed?): status ${r.status}, signal ${r.signal}\n${r.stderr.slice(-2000)}`);
  return { code: r.status, err: r.stderr, out: r.stdout, rss: Number(m[1]) * 1024 };
}

function assertBounded(run: Run): void {
  assert.ok(run.rss < MAX_RSS, `peak memory ${Math.round(run.rss / 2 ** 20)} MiB, over ${MAX_RSS >> 20} MiB\n${run.err.slice(-2000)}`);
}

/** Every file under a folder as zip parts. */
function folderParts(dir: string): { name: string; parts: ZipPart[]; declaredSize?: number }[] {
  const out: { name: string; parts: ZipPart[] }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.push({ name: relative(dir, full).split(sep).join('/'), parts: [readFileSync(full)] });
    }
  };
  walk(dir);
  return out;
}

const zeros = (bytes: number): ZipPart => ({ unit: Buffer.alloc(1 << 20), times: bytes / (1 << 20) });

test('the streamed zip writer: repeated parts deflate, inflate and checksum like the bytes they stand for', async () => {
  const a = Buffer.from('abc\n');
  const b = Buffer.from('defgh');
  assert.equal(crc32Combine(crc32(a), crc32(b), b.length), crc32(Buffer.concat([a, b])));
  const dir = tempDir();
  const file = join(dir, 'x.zip');
  writeZipStreamed(file, [{ name: 'x.txt', parts: ['head\n', { unit: 'xy\n', times: 700_001 }, 'tail'] }]);
  const { openZip } = await import('../collector/sources/kit/archive/zip.js');
  const zip = await openZip(file);
  try {
    const bytes = await zip.read(zip.entries[0], 4 << 20);
    const expected = Buffer.concat([Buffer.from('head\n'), Buffer.from('xy\n'.repeat(700_001)), Buffer.from('tail')]);
    assert.ok(bytes.equals(expected));
    assert.ok(statSync(file).size < 20_000, `compressed to ${statSync(file).size} bytes`);
  } finally {
    zip.close();
  }
});

test('Slack zip bombs: users.json and channels.json over the metadata cap stop the import naming file, entry and limit; memory stays flat', () => {
  const dir = tempDir();
  for (const [meta, size] of [
    ['users.json', 3 * GiB],
    ['channels.json', 3 * GiB],
    ['users.json', MAX_JSON_FILE_BYTES + (1 << 20)], // just over the production cap
  ] as const) {
    const zip = join(dir, `bomb-${meta}-${size}.zip`);
    const entries = folderParts(SLACK).filter((e) => e.name !== meta);
    entries.push({ name: meta, parts: [zeros(size)] });
    writeZipStreamed(zip, entries);
    assert.ok(statSync(zip).size < 4 << 20);
    const run = importInChild(dir, [zip]);
    assert.equal(run.code, 1, run.err);
    assert.ok(run.err.includes(zip), run.err);
    assert.match(run.err, new RegExp(`entry ${meta.replace('.', '\\.')}.*${formatLimit(MAX_JSON_FILE_BYTES)}`), run.err);
    assertBounded(run);
  }
});

test('a zip entry that inflates to far more than its header says stops at the declared size: an error naming the entry', () => {
  const dir = tempDir();
  const zip = join(dir, 'liar.zip');
  const entries = folderParts(SLACK).filter((e) => e.name !== 'users.json');
  entries.push({ name: 'users.json', parts: [zeros(3 * GiB)], declaredSize: 1000 });
  writeZipStreamed(zip, entries);
  const run = importInChild(dir, [zip]);
  assert.equal(run.code, 1, run.err);
  assert.ok(run.err.includes(zip) && run.err.includes('users.json'), run.err);
  assertBounded(run);
});

test('a Slack day file bomb is skipped with a warning naming the entry and the limit; the rest imports', () => {
  const dir = tempDir();
  const zip = join(dir, 'day-bomb.zip');
  const entries = folderParts(SLACK).filter((e) => e.name !== 'general/2024-03-02.json');
  entries.push({ name: 'general/2024-03-02.json', parts: [zeros(3 * GiB)] });
  writeZipStreamed(zip, entries);
  const run = importInChild(dir, [zip]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, new RegExp(`general/2024-03-02\\.json: .*${formatLimit(MAX_JSON_FILE_BYTES)}.*skipped`), run.err);
  assert.match(run.out, /messages: [1-9]\d* new/, run.out);
  assertBounded(run);
});

test('nesting bombs: a day file or a message nested millions deep is refused by its depth, naming where; memory stays flat', async () => {
  const dir = tempDir();
  // 20 million levels (40 MB inflated, in a zip of well under 1 MB): JSON.parse alone held ~3 GB.
  const levels = 20 << 20;
  const deep = (head: string, tail: string): ZipPart[] => [head, { unit: Buffer.alloc(1 << 20, '['), times: levels >> 20 }, { unit: Buffer.alloc(1 << 20, ']'), times: levels >> 20 }, tail];
  const zip = join(dir, 'deep-day.zip');
  const entries = folderParts(SLACK).filter((e) => e.name !== 'general/2024-03-02.json');
  entries.push({ name: 'general/2024-03-02.json', parts: deep('[{"type":"message","user":"U1","text":"hi","ts":"1709380000.000100","zz":', '}]') });
  writeZipStreamed(zip, entries);
  assert.ok(statSync(zip).size < 1 << 20);
  const run = importInChild(dir, [zip]);
  assert.match(run.err, /general\/2024-03-02\.json.*nested deeper than 250,000 levels at line 1, column \d+/, run.err);
  assertBounded(run);

  // One message of a streamed format (Matrix events): skipped with a warning, the rest imports.
  const events = join(dir, 'events.json');
  const event = (id: string, body: string, extra = '') =>
    `{"type":"m.room.message","event_id":"${id}","room_id":"!r:example.org","sender":"@a:example.org","origin_server_ts":1700000000000,"content":{"msgtype":"m.text","body":"${body}"${extra}}}`;
  writeFileSync(events, `[${event('$1', 'before')},${event('$2', 'deep', `,"zz":${'['.repeat(4 << 20)}${']'.repeat(4 << 20)}`)},${event('$3', 'after')}]`);
  const matrix = importInChild(dir, [events, '--format', 'matrix']);
  assert.equal(matrix.code, 0, matrix.err);
  assert.match(matrix.err, /event 1 .*nested deeper than 250,000 levels.*skipped/, matrix.err);
  assert.match(matrix.out, /messages: 2 new/, matrix.out);
  assertBounded(matrix);
});

const WA_HEAD = '[01.02.20, 10:00:00] Alice: hello\n';
const WA_TAIL = '[01.02.20, 10:05:00] Bob: still here\n[01.02.20, 10:06:00] Alice: bye\n';

test('WhatsApp zip bombs: a huge attachment is listed without its bytes, the chat imports; memory stays flat', () => {
  const dir = tempDir();
  const zip = join(dir, 'WhatsApp Chat - Bomb.zip');
  writeZipStreamed(zip, [
    { name: '_chat.txt', parts: [WA_HEAD, '[01.02.20, 10:01:00] Bob: \u200E<attached: IMG-1.jpg>\n', WA_TAIL] },
    { name: 'IMG-1.jpg', parts: [zeros(3 * GiB)] },
  ]);
  const run = importInChild(dir, [zip]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, /IMG-1\.jpg: 3072 MB \(3221225472 bytes\), larger than the media limit of 256 MB \(--max-media-size\)/, run.err);
  assert.match(run.out, /messages: 4 new/, run.out);
  assertBounded(run);
});

test('WhatsApp: one message with endless continuation lines is skipped with a counted warning; the rest imports', () => {
  const dir = tempDir();
  const line = `${'x'.repeat(1023)}\n`;
  const overRecord = `a message of more than ${formatLimit(MAX_RECORD_BYTES)}`;
  const overLine = `a message with a line longer than ${formatLimit(MAX_LINE_BYTES)} \\(line 3\\)`;
  const cases: [string, ZipPart, string][] = [
    ['continuation lines', { unit: line, times: GiB / 1024 }, overRecord], // 1 GiB of 1 KiB lines
    ['one endless line', { unit: 'y'.repeat(1 << 20), times: GiB / (2 << 20) }, overLine], // 512 MiB on one line
    ['just over the cap', { unit: line, times: MAX_RECORD_BYTES / 1024 + 1 }, overRecord],
  ];
  for (const [label, bomb, warning] of cases) {
    const zip = join(dir, `WhatsApp Chat - ${label}.zip`);
    writeZipStreamed(zip, [{ name: '_chat.txt', parts: [WA_HEAD, '[01.02.20, 10:01:00] Bob: look\n', bomb, '\n', WA_TAIL] }]);
    const run = importInChild(dir, [zip]);
    assert.equal(run.code, 0, `${label}: ${run.err}`);
    assert.match(run.err, new RegExp(`_chat\\.txt line 2: ${warning}.*skipped`), `${label}: ${run.err}`);
    assert.match(run.out, /messages: 3 new/, `${label}: ${run.out}`);
    assertBounded(run);
  }
});

test('IRC: a multi-GB single line (a sparse file) is skipped with a warning; the lines after it import', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'net'));
  const log = join(dir, 'net', '#big.log');
  writeFileSync(log, '--- Log opened Thu Jun 02 10:00:00 2016\n10:00 <alice> before\n10:01 <alice> ');
  truncateSync(log, statSync(log).size + 2 * GiB); // a hole: 2 GiB of zeros, no line end
  appendFileSync(log, '\n10:02 <bob> after\n');
  const run = importInChild(dir, [log, '--time-zone', 'UTC']);
  assert.equal(run.code, 0, run.err);
  assert.match(run.err, new RegExp(`line 3 \\(byte 61\\): line longer than ${formatLimit(MAX_LINE_BYTES)} skipped`), run.err);
  assert.match(run.out, /messages: 2 new/, run.out);
  assertBounded(run);
});

test('a message over its cap is skipped with a warning naming position and limit, in every streamed format; the rest imports', async () => {
  const { FORMAT_SAMPLES, ordinaryChats } = await import('./helpers/format-samples.js');
  const { adapterByName } = await import('../collector/sources/index.js');
  // Formats read message by message from a stream; Slack day files and main.db rows are bounded per file / by SQLite.
  const streamed = ['skype-export', 'telegram', 'discord', 'whatsapp', 'irc', 'teams', 'mattermost', 'matrix'];
  const huge = 'x'.repeat(MAX_RECORD_BYTES + 1);
  for (const format of streamed) {
    const sample = FORMAT_SAMPLES.find((s) => s.format === format)!;
    const chats = ordinaryChats();
    chats[0].messages[2].body = huge;
    const dir = tempDir();
    const path = sample.write(dir, chats);
    const events = await readEvents(adapterByName(format)!, path);
    const bodies = events.flatMap((e) => (e.type === 'message' ? [e.message.body] : []));
    assert.equal(bodies.length, 4, `${format}: ${bodies.map((b) => b.slice(0, 20)).join(' | ')}`);
    assert.ok(!bodies.some((b) => b.includes('xxxx')), `${format}: the oversized message was imported`);
    const warnings = events.flatMap((e) => (e.type === 'warning' ? [`${e.warning.position}: ${e.warning.message}`] : []));
    const limit = format === 'irc' ? formatLimit(MAX_LINE_BYTES) : `(${formatLimit(MAX_RECORD_BYTES)}|${formatLimit(MAX_LINE_BYTES)})`;
    assert.ok(warnings.some((w) => new RegExp(`(byte|line) \\d+.*${limit}.*skipped`).test(w)), `${format}: ${warnings.join('\n')}`);
  }
});
