import { writeFileSync } from 'node:fs';
import { launchBrowser } from './browser.js';
import { recordMp4 } from './media-samples.js';

/**
 * Records `test/fixtures/media/clip.mp4` and `memo.m4a` again with Debian's Chromium:
 * `npm run build:ts && node dist/test/helpers/record-media.js` from the repository root.
 */
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  const { video, audio } = await recordMp4(page);
  writeFileSync('test/fixtures/media/clip.mp4', video);
  writeFileSync('test/fixtures/media/memo.m4a', audio);
  console.log(`clip.mp4 ${video.length} bytes, memo.m4a ${audio.length} bytes`);
} finally {
  await browser.close();
}
