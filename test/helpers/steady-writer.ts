import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { openStore } from '../../collector/store/open.js';
import { StoreWriter } from '../../collector/store/writer.js';
import { storeWriter } from '../../collector/import/store-writer.js';

/**
 * A collector that never stops: commits one new message per transaction, through the real
 * StoreWriter, as fast as it can (like `chatchannels watch` on a busy log), until SIGTERM; then
 * prints how many it committed. Run as `node dist/test/helpers/steady-writer.js <db> <chat id>`.
 * Prints `started` once its first transaction is committed.
 */
async function main(file: string, chat: string): Promise<void> {
  const db = openStore(file);
  let stop = false;
  process.on('SIGTERM', () => (stop = true));
  let n = 0;
  const t0 = Date.UTC(2024, 0, 1);
  while (!stop) {
    db.exec('BEGIN IMMEDIATE');
    const writer = storeWriter(db);
    writer.beginChat({ nativeId: chat, title: 'Live chat' }, 'steady');
    writer.message({ nativeId: `live-${n}`, authorId: '8:live', authorName: 'Live', time: t0 + n * 1000, kind: 'text', body: `live message ${n}`, markup: 'plain' });
    writer.finish();
    db.exec('COMMIT');
    if (n++ === 0) process.stdout.write('started\n');
    await sleep(2);
  }
  db.close();
  process.stdout.write(`${n}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main(process.argv[2], process.argv[3]);
}
