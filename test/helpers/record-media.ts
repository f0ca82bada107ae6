import { writeFileSync } from 'node:fs';
import { launchBrowser } from './browser.js';
import { recordMp4, recordWebm } from './media-samples.js';

/**
 * Records `test/fixtures/media/clip.mp4`, `memo.m4a` and `clip.webm` again with Debian's Chromium:
 * `npm run build:ts && node dist/test/helpers/record-media.js [webm]` from the repository root
 * (`webm`: that one only).
 */
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  if (process.argv[2] !== 'webm') {
    const { video, audio } = await recordMp4(page);
    writeFileSync('test/fixtures/media/clip.mp4', video);
    writeFileSync('test/fixtures/media/memo.m4a', audio);
    console.log(`clip.mp4 ${video.length} bytes, memo.m4a ${audio.length} bytes`);
  }
  const webm = await recordWebm(page);
  writeFileSync('test/fixtures/media/clip.webm', webm);
  console.log(`clip.webm ${webm.length} bytes`);
} finally {
  await browser.close();
}
