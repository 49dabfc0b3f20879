// Debian's Chromium for the real-browser tests, launched the one way they all need: headless, a fresh profile, and no
// request that Chromium makes of its own (updates, sync, QUIC probes) leaving the machine. playwright-core drives it;
// `npx playwright install` cannot work offline.
import fs from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** A test's `skip` option: the reason when Chromium is absent, false when it is there. */
export const skipWithoutChromium: string | false = fs.existsSync(CHROMIUM)
  ? false
  : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Chromium with `profile` as its user-data directory (the caller makes it fresh and removes it afterwards). */
export function launchChromium(
  profile: string,
  options: { acceptDownloads?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: LAUNCH_ARGS,
    headless: true,
    ...options,
  });
}

/** URLs a page may load when it must not touch the network: files from disk and what the page made itself. */
export const isLocalFile = (url: string): boolean => /^(file|data|blob):/.test(url);
