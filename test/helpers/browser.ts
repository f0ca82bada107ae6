import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's headless Chromium through playwright-core (never `npx playwright install`). Flags for
 * a closed network and a container: no sandbox, no GPU, no background traffic.
 */
export const CHROMIUM = '/usr/bin/chromium'; // test/helpers/requires.ts checks it is there

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
