import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { replacePersonRefs } from '../../collector/store/person-refs.js';
import { DATA_CALLBACK, decodeDataScript } from '../../site/search/bytes.js';

/**
 * A file's bytes as a scan must see them: a search data script's payload is deflated and base64'd
 * (site/search/bytes.ts), where no name can be found and random letters match by chance, so it
 * is scanned inflated.
 */
function scannedBytes(full: string, path: string): Buffer {
  const bytes = readFileSync(full);
  // The build stamp's sealed facts are encrypted (site/output/stamp.ts sealFacts): random base64
  // in which no name can be read, and where a short one ("zero") matches by chance, case folded.
  if (path === '.chatchannels-build.json') {
    const stamp = JSON.parse(bytes.toString('utf8')) as { db?: { sealed?: string } };
    if (stamp.db?.sealed) stamp.db.sealed = '';
    return Buffer.from(JSON.stringify(stamp));
  }
  if (!/^search\/data\/.*\.js$/.test(path) || !bytes.subarray(0, DATA_CALLBACK.length + 1).equals(Buffer.from(`${DATA_CALLBACK}(`))) return bytes;
  const script = bytes.toString('utf8');
  const key = JSON.parse(/^[^(]+\(("(?:[^"\\]|\\.)*")/.exec(script)![1]) as string;
  return Buffer.from(decodeDataScript(script, key));
}

/**
 * What no published byte may carry with authors hidden or pseudonymized: every display name and
 * account id of the database's people and chats tables, and every fragment of an id of 4
 * characters or more (`8:live:bob.tanaka` → `bob.tanaka`, `bob`, `tanaka`…), except the vocabulary
 * of the formats' id schemes (`live`, `thread`, `skype`…), which names nobody.
 *
 * Names that people typed into their own messages are not rewritten (site/README.md says so);
 * strings that occur in a message's own text (person references taken out) or in the targets of
 * its links are left out.
 */
const SCHEME_WORDS = new Set(['live', 'thread', 'skype', 'tacv2', 'p2p', 'cid', 'whatsapp', 'discord', 'slack', 'telegram', 'user', 'users', 'chat', 'channel', 'irc', 'network', 'name', 'bot', 'bots', 'deleted', 'unknown', 'system']);
const MIN = 4;

/**
 * A fragment worth looking for: 4 characters or more, not a word of the id schemes, and, when it
 * is all hex digits (uuids, cids), 8 or more: anchors and media hashes are hex, and would hold any
 * 4 hex digits by chance.
 */
function isSecretFragment(piece: string): boolean {
  if (piece.length < MIN || SCHEME_WORDS.has(piece.toLowerCase())) return false;
  return !/^[0-9a-f]+$/i.test(piece) || piece.length >= 8;
}

export function secretsOf(dbFile: string): string[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    const secrets = new Set<string>();
    const addId = (id: string) => {
      if (SCHEME_WORDS.has(id.toLowerCase())) return; // WhatsApp's `system`
      secrets.add(id);
      // An IRC person is `irc:<network>/<nick>`: the network (`libera`) names nobody.
      const bare = id.replace(/^\d+:/, '').replace(/^irc:[^/]*\//, '');
      secrets.add(bare);
      for (const part of bare.split(/[^\p{L}\p{N}_.+-]+/u)) {
        for (const piece of [part, ...part.split(/[._+-]+/)]) if (isSecretFragment(piece)) secrets.add(piece);
      }
    };
    // A channel posting as itself (Telegram's `telegram:channel4000` in chat `telegram:4000`) is
    // named by its chat's title, published as such.
    const chatIds = new Set<string>();
    for (const { native_id, title } of db.prepare(`SELECT native_id, title FROM chats WHERE kind != 'direct'`).all() as { native_id: string; title: string | null }[]) {
      if (title) chatIds.add(`${title.trim()}\u0000${native_id.replace(/\D/g, '')}`);
    }
    const isChatItself = (id: string, name: string) => /\d/.test(id) && chatIds.has(`${name}\u0000${id.replace(/\D/g, '')}`);
    for (const { native_id, display_name } of db.prepare('SELECT native_id, display_name FROM people').all() as { native_id: string; display_name: string | null }[]) {
      addId(native_id);
      const name = display_name?.trim() ?? '';
      if (name.length >= 2 && !isChatItself(native_id, name)) secrets.add(name);
    }
    for (const { native_id, kind } of db.prepare('SELECT native_id, kind FROM chats').all() as { native_id: string; kind: string }[]) {
      // A direct chat's id is made of account names (`8:bob`, `whatsapp:Bob`, `irc:libera/bob`); a
      // group's or channel's is random or its subject (`19:…@thread.skype`, `#chat`), no person's.
      if (kind === 'direct' && !/^(19|48):/.test(native_id)) addId(native_id);
    }
    // A message's own text, and the targets of the links in it (`mailto:alice@…` shown as "mail me").
    const rows = db.prepare(`SELECT coalesce(text, body) AS text, html FROM messages WHERE kind NOT IN ('event', 'call')`).all() as { text: string | null; html: string | null }[];
    const typed = rows
      .map((r) => [replacePersonRefs(r.text ?? '', () => ' '), ...[...(r.html ?? '').matchAll(/ href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&'))].join('\n'))
      .join('\n')
      .toLowerCase();
    // The search index folds what people typed ("Chloé" → `chloe`): the folded forms are theirs too.
    const folded = fold(typed);
    return [...secrets].filter((s) => s.length >= MIN && !typed.includes(s.toLowerCase()) && !folded.includes(fold(s.toLowerCase())));
  } finally {
    db.close();
  }
}

/** Without diacritics, as the search index folds words. */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '');
}

export interface Leak {
  file: string;
  secret: string;
  context: string;
}

/** Every occurrence of a secret (case-insensitive) in a file's path or bytes under `out`. */
export function scanForLeaks(out: string, secrets: string[]): Leak[] {
  const leaks: Leak[] = [];
  const lower = secrets.map((s) => s.toLowerCase());
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(out, full).split(sep).join('/');
      const pathLower = path.toLowerCase();
      lower.forEach((s, i) => {
        if (pathLower.includes(s)) leaks.push({ file: path, secret: secrets[i], context: `path ${path}` });
      });
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      const bytes = scannedBytes(full, path);
      const text = bytes.toString('latin1').toLowerCase(); // bytes, as any grep would see them
      const utf8 = bytes.toString('utf8').toLowerCase();
      lower.forEach((s, i) => {
        const at = utf8.indexOf(s);
        if (at >= 0) leaks.push({ file: path, secret: secrets[i], context: utf8.slice(Math.max(0, at - 40), at + s.length + 40) });
        else if (text.includes(Buffer.from(s).toString('latin1'))) leaks.push({ file: path, secret: secrets[i], context: '(bytes)' });
      });
    }
  };
  walk(out);
  return leaks;
}

/**
 * Every stored anchor (its hex digits, as anchor maps list them) and message key of the database
 * found in a path or byte under `out`. With authors not shown these must not be published: a key
 * hashes what a page shows with the author (public-anchor.ts), so they would confirm a guessed
 * author. Looks up every run of 10 or more hex digits instead of searching for each anchor.
 */
export function scanForStoredIdentities(out: string, dbFile: string): Leak[] {
  const db = new Database(dbFile, { readonly: true });
  const stored = new Set<string>();
  const lengths = new Set<number>();
  try {
    for (const { key, anchor } of db.prepare(`SELECT key, anchor FROM message_rows`).all() as { key: string; anchor: string }[]) {
      stored.add(key);
      stored.add(anchor.slice(1));
      lengths.add(anchor.length - 1);
    }
  } finally {
    db.close();
  }
  lengths.add(64);
  const leaks: Leak[] = [];
  const look = (file: string, text: string): void => {
    for (const run of text.toLowerCase().matchAll(/[0-9a-f]{10,}/g)) {
      const hex = run[0];
      for (const n of lengths) {
        for (let i = 0; i + n <= hex.length; i++) {
          const piece = hex.slice(i, i + n);
          if (stored.has(piece)) leaks.push({ file, secret: piece, context: text.slice(Math.max(0, run.index! - 40), run.index! + hex.length + 40) });
        }
      }
    }
  };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(out, full).split(sep).join('/');
      look(path, path);
      if (entry.isDirectory()) walk(full);
      else look(path, scannedBytes(full, path).toString('latin1'));
    }
  };
  walk(out);
  return leaks;
}
