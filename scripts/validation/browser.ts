// Debian's Chromium, driven by playwright-core, to open the HTML report as a reader would and
// photograph its first page. The browser comes from the system package (scripts/install-chromium.sh),
// never from a download of playwright's own.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumInstalled = () => existsSync(CHROMIUM_PATH);

export async function launchChromium(): Promise<Browser> {
  if (!chromiumInstalled()) throw new Error(`No Chromium at ${CHROMIUM_PATH}: run scripts/install-chromium.sh (or set CHROMIUM_PATH).`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}

/** The first page of an A4 print (210 mm at 96 dpi wide, its height in proportion). */
export const FIRST_PAGE = { width: 1100, height: 1556 };

export async function screenshotFirstPage(htmlPath: string, pngPath: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: FIRST_PAGE });
    await page.goto(`file://${htmlPath}`);
    await page.screenshot({ path: pngPath, fullPage: false });
  } finally {
    await browser.close();
  }
}
