// `npm run docs:screenshot`: serves the API on a temporary SQLite database, opens /api/docs in
// headless Chromium, checks the page title and that every operation is listed, and saves
// docs-screenshot.png. CHROMIUM_PATH overrides /usr/bin/chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { buildApp } from '../src/app/app';
import { prepareAppDatabase } from '../src/app/database';
import { createDiskStorage } from '../src/platform/storage/disk-storage';
import { loadConfig } from '../src/shared/config';
import { createLogger } from '../src/shared/logger';

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'gallery-docs-'));
  const url = `file:${join(dir, 'docs.db')}`;
  const { db, reader, changes, close } = await prepareAppDatabase(url);
  const config = loadConfig({ DATABASE_URL: url, UPLOAD_DIR: join(dir, 'uploads'), LOG_LEVEL: 'silent' });
  const app = buildApp({
    config,
    db,
    reader,
    changes,
    storage: await createDiskStorage(config.uploadDir),
    logger: createLogger('silent'),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 2000 } });
    await page.goto(`http://127.0.0.1:${port}/api/docs`);
    await page.waitForSelector('.opblock', { timeout: 20_000 });
    const title = await page.title();
    const operations = await page.locator('.opblock').count();
    await page.screenshot({ path: 'docs-screenshot.png', fullPage: false });
    const expected = app.locals.routes.length;
    console.log(`title: ${title}; operations listed: ${operations} of ${expected}; saved docs-screenshot.png`);
    if (title !== 'Gallery Server API' || operations !== expected) throw new Error('the docs page is not as expected');
  } finally {
    await browser.close();
    server.close();
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
