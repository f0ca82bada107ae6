import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { importPaths } from '../../collector/import/index.js';
import { openStore } from '../../collector/store/open.js';
import { scratchDir } from './temp.js';

/** The demo export (demo/skype-export): four chats, every kind of Skype message. */
export const DEMO = resolve(process.cwd(), 'demo/skype-export');

/** Imports the demo export into a fresh database; returns its path. */
export async function demoDb(): Promise<string> {
  const db = join(scratchDir('cc-demo-'), 'demo.sqlite');
  const store = openStore(db);
  try {
    await importPaths(store, [DEMO]);
  } finally {
    store.close();
  }
  return db;
}

export const NEWSBOAT = '/usr/bin/newsboat'; // test/helpers/requires.ts checks it is there

/**
 * Subscribes Debian's newsboat to the OPML at `opmlUrl` (non-interactively: reload every feed,
 * print the unread count) and returns that count. Asynchronous on purpose: the test's HTTP server
 * runs in this process.
 */
export async function newsboatUnread(opmlUrl: string): Promise<{ unread: number; output: string }> {
  const dir = scratchDir('cc-newsboat-');
  const conf = join(dir, 'config');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(conf, `urls-source "opml"\nopml-url "${opmlUrl}"\n`);
  const { stdout, stderr } = await promisify(execFile)(NEWSBOAT, ['-C', conf, '-c', join(dir, 'cache.db'), '-x', 'reload', 'print-unread'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir },
  });
  const match = /(\d+) unread articles?/.exec(stdout);
  if (!match) throw new Error(`newsboat printed no count: ${stdout} ${stderr}`);
  return { unread: Number(match[1]), output: stdout + stderr };
}
