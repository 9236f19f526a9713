// Uploading in the web app, in Chromium, through the file picker as a person would: a duplicate
// does not change the gallery's count nor add a tile; finished files collapse into one sentence
// so the photos stay on screen (phone and desktop); files and bytes of the whole upload and a
// Cancel that aborts what is on its way and drops what waits; the queue goes on while another
// screen of the app is open; closing the page mid-upload asks first, and not once done.
// The upload is slowed down with Chromium's own network emulation to catch it on its way.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';

import { login, send } from '../helpers/server-process';
import {
  browserSuite,
  describeWeb,
  DESKTOP,
  noSeriousViolations,
  PHONE,
  photo,
  postJson,
  uncaughtErrors,
  upload,
} from './browser';

jest.setTimeout(120_000);

/** Screenshots of the upload's states, beside the other screens' (test-results/web/, not committed). */
const SHOTS = join(resolve(__dirname, '../..'), 'test-results', 'web');
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

type Pick = { name: string; mimeType: string; buffer: Buffer };
const jpegFile = (name: string, buffer: Buffer): Pick => ({ name, mimeType: 'image/jpeg', buffer });

/** A JPEG of noise: it does not compress, so `width` × `height` makes a file big enough to take a while. */
const noise = (width: number, height: number) =>
  sharp({
    create: { width, height, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .jpeg({ quality: 90 })
    .toBuffer();

describeWeb('uploading in the web app', () => {
  let auth: Record<string, string>;

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      mkdirSync(SHOTS, { recursive: true });
      auth = await login(server.url, world.credentials);
    },
  });

  const newGallery = async (name: string) =>
    (await postJson(suite.server.url, auth, '/api/gallery/galleries/', { name })).id as number;

  /** What the server counts in the gallery. */
  async function serverCount(galleryId: number): Promise<number> {
    const reply = await send(suite.server.url, {
      method: 'GET',
      path: `/api/gallery/galleries/${galleryId}`,
      headers: auth,
    });
    return reply.json().imageCount as number;
  }

  /** A signed-in page on the gallery, recording the scripts' uncaught errors. */
  async function openGallery(galleryId: number, name: string, viewport = DESKTOP) {
    const { context, page } = await suite.open(viewport, suite.world.credentials, { touch: false });
    const uncaught = uncaughtErrors(page);
    await page.goto(`/galleries/${galleryId}`);
    await page.getByRole('heading', { name, exact: true }).waitFor();
    return { context, page, uncaught };
  }

  /** Picks `files` with the file picker: a click, as a person does (the page then counts as used). */
  async function choose(page: Page, files: Pick[]) {
    const chooser = page.waitForEvent('filechooser');
    await page.getByText('Choose images…').click();
    await (await chooser).setFiles(files);
  }

  /** The count in the gallery's header ("3 images · by …"). */
  async function shownCount(page: Page): Promise<number> {
    const meta = (await page.locator('p.meta').textContent()) ?? '';
    return Number(/^(\d+) image/.exec(meta)?.[1] ?? NaN);
  }

  const summary = (page: Page) => page.locator('.upload').getByRole('status');
  const tiles = (page: Page) => page.locator('.justified li');

  /** Uploads slowed to `bytesPerSecond` (Chromium's network emulation, as DevTools does). */
  async function throttle(context: BrowserContext, page: Page, bytesPerSecond: number) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: bytesPerSecond,
    });
  }

  /** Whether a `beforeunload` now would ask the person (a handler cancels the event). */
  const asksBeforeLeaving = (page: Page) =>
    page.evaluate(() => {
      const event = new Event('beforeunload', { cancelable: true });
      dispatchEvent(event);
      return event.defaultPrevented;
    });

  it('does not count a duplicate again, nor show it twice', async () => {
    const galleryId = await newGallery('Twice');
    const files = [
      jpegFile('lake.jpg', await photo(640, 480, 1)),
      jpegFile('hill.jpg', await photo(480, 640, 2)),
      jpegFile('sun.jpg', await photo(600, 400, 3)),
    ];
    const { context, page, uncaught } = await openGallery(galleryId, 'Twice');
    const replies: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && r.url().includes('/api/gallery/images')) replies.push(r.status());
    });
    const replied = async (n: number) => {
      while (replies.length < n) await page.waitForTimeout(50);
    };
    await choose(page, files);
    await replied(3);
    await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 3);
    expect(await shownCount(page)).toBe(3);

    // The same three again: the server answers 200 with the images it has.
    await choose(page, files);
    await replied(6);
    expect(replies).toEqual([201, 201, 201, 200, 200, 200]);
    await page.waitForTimeout(200); // what the page does with the replies
    expect(await shownCount(page)).toBe(3);
    await summary(page)
      .filter({ hasText: /^3 already here$/ })
      .waitFor();
    expect(await shownCount(page)).toBe(3);
    expect(await tiles(page).count()).toBe(3);
    await page.getByText('Each file').click();
    expect(await page.getByRole('list', { name: 'Each file' }).getByText('Already in this gallery').count()).toBe(3);

    expect(await serverCount(galleryId)).toBe(3);
    await page.reload();
    await tiles(page).nth(2).waitFor();
    expect(await shownCount(page)).toBe(3);
    expect(await tiles(page).count()).toBe(3);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])(
    'collapses 27 finished files into one sentence on a %s, keeps the failed one, and the photos in view',
    async (_, viewport) => {
      const name = `Many at once (${viewport.width})`;
      const galleryId = await newGallery(name);
      const files: Pick[] = [];
      for (let i = 1; i <= 26; i++) files.push(jpegFile(`photo-${i}.jpg`, await photo(320, 240, viewport.width + i)));
      // Two of them are in the gallery already; one is not an image.
      await upload(suite.server.url, auth, galleryId, 'photo-1', files[0].buffer);
      await upload(suite.server.url, auth, galleryId, 'photo-2', files[1].buffer);
      files.push(jpegFile('notes.jpg', Buffer.from('these are not the bytes of an image')));

      const { context, page, uncaught } = await openGallery(galleryId, name, viewport);
      await choose(page, files);
      await summary(page)
        .filter({ hasText: /^24 uploaded, 2 already here, 1 failed$/ })
        .waitFor();
      const rows = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem');
      expect(await rows.count()).toBe(1);
      expect(await rows.textContent()).toMatch(/^notes\.jpg\s*Not an image this server accepts/);
      await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 26);
      expect(await shownCount(page)).toBe(26);

      // The first photos are on screen under the upload panel, and nothing is wider than the screen.
      const first = (await tiles(page).first().boundingBox())!;
      expect(first.y + first.height / 2).toBeLessThan(viewport.height);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await noSeriousViolations(page, `upload summary (${viewport.width} px)`);
      await shot(page, `upload-summary-${viewport.width}`);

      // Every file is still there to read, one click away.
      const each = page.getByRole('list', { name: 'Each file' });
      expect(await each.isVisible()).toBe(false);
      await page.getByText('Each file').click();
      expect(await each.getByRole('listitem').count()).toBe(27);
      expect(await each.getByText('Already in this gallery').count()).toBe(2);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);

      await page.getByRole('button', { name: 'Dismiss' }).click();
      await page.locator('.uploads').waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('file');
      expect(uncaught).toEqual([]);
      await context.close();
    },
  );

  it('shows files and bytes of the whole upload, and Cancel aborts what is sending and drops what waits', async () => {
    const galleryId = await newGallery('Cancelled');
    const files: Pick[] = [];
    for (let i = 1; i <= 5; i++) files.push(jpegFile(`big-${i}.jpg`, await noise(420, 320)));
    const total = files.reduce((sum, f) => sum + f.buffer.length, 0);
    const { context, page, uncaught } = await openGallery(galleryId, 'Cancelled');
    await throttle(context, page, 16 * 1024);
    const started: string[] = [];
    const aborted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/gallery/images')) started.push(r.url());
    });
    page.on('requestfailed', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/gallery/images')) aborted.push(r.failure()?.errorText ?? '');
    });

    await choose(page, files);
    const overall = page.locator('.upload-overall');
    await overall.filter({ hasText: `Uploading: 0 of 5 files` }).waitFor();
    expect(await overall.textContent()).toContain(`of ${Math.ceil(total / 1024)} KB`);
    // Bytes go out: the bar of all files and the bar of each file being sent move.
    const bar = page.getByRole('progressbar', { name: 'All uploads' });
    await page.waitForFunction(() => {
      const all = document.querySelector<HTMLProgressElement>('progress[aria-label="All uploads"]');
      return !!all && all.value > 0 && all.value < all.max;
    });
    expect(Number(await bar.getAttribute('max'))).toBe(total);
    expect(await page.getByRole('list', { name: 'Uploads' }).locator('progress').count()).toBe(2);
    expect(started).toHaveLength(2);
    expect(await asksBeforeLeaving(page)).toBe(true);
    await noSeriousViolations(page, 'uploading');
    await shot(page, 'uploading');

    await page.getByRole('button', { name: 'Cancel uploads' }).click();
    await summary(page)
      .filter({ hasText: /^5 cancelled$/ })
      .waitFor();
    await page.waitForFunction(() => !document.querySelector('.upload-overall'));
    await page.getByText('Each file').click();
    expect(await page.getByRole('list', { name: 'Each file' }).getByText('Cancelled').count()).toBe(5);
    expect(await asksBeforeLeaving(page)).toBe(false);

    // The two on their way were aborted, the three waiting never left; the server kept nothing.
    await new Promise((done) => setTimeout(done, 1000));
    expect(started).toHaveLength(2);
    expect(aborted).toEqual(['net::ERR_ABORTED', 'net::ERR_ABORTED']);
    expect(await serverCount(galleryId)).toBe(0);
    expect(await tiles(page).count()).toBe(0);
    expect(await shownCount(page)).toBe(0);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('goes on uploading while another screen is open, and shows the list again on coming back', async () => {
    const name = 'Meanwhile';
    const galleryId = await newGallery(name);
    const files: Pick[] = [];
    for (let i = 1; i <= 4; i++) files.push(jpegFile(`slow-${i}.jpg`, await noise(300, 240)));
    const { context, page, uncaught } = await openGallery(galleryId, name, PHONE);
    await throttle(context, page, 24 * 1024);
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    await choose(page, files);
    await page.locator('.upload-overall').filter({ hasText: 'Uploading: 0 of 4 files' }).waitFor();

    // To the galleries and back, inside the app (no page load).
    await page.getByRole('link', { name: 'Galleries' }).first().click();
    await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    await page
      .locator('.upload-overall')
      .filter({ hasText: /Uploading: \d of 4 files/ })
      .waitFor();
    expect(await asksBeforeLeaving(page)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await shot(page, 'uploading-390');
    await noSeriousViolations(page, 'uploading (390 px)');

    await summary(page)
      .filter({ hasText: /^4 uploaded$/ })
      .waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 4);
    expect(await shownCount(page)).toBe(4);
    expect(await serverCount(galleryId)).toBe(4);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('asks "leave page?" when the page is closed mid-upload, and not once the upload is done', async () => {
    const galleryId = await newGallery('Leaving');
    const files = [jpegFile('one.jpg', await noise(240, 180)), jpegFile('two.jpg', await noise(240, 180))];
    const { context, page, uncaught } = await openGallery(galleryId, 'Leaving');
    expect(await asksBeforeLeaving(page)).toBe(false);
    await throttle(context, page, 16 * 1024);
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes('/api/gallery/images'));
    await choose(page, files);
    await sent;
    expect(await asksBeforeLeaving(page)).toBe(true);

    // Closing the tab: Chromium asks, and staying keeps the uploads going.
    const dialogs: string[] = [];
    const asked = page.waitForEvent('dialog');
    page.on('dialog', (dialog) => dialogs.push(dialog.type()));
    await page.close({ runBeforeUnload: true });
    await (await asked).dismiss();
    expect(dialogs).toEqual(['beforeunload']);
    expect(page.isClosed()).toBe(false);

    await summary(page)
      .filter({ hasText: /^2 uploaded$/ })
      .waitFor({ timeout: 60_000 });
    expect(await asksBeforeLeaving(page)).toBe(false);
    const closed = page.waitForEvent('close');
    await page.close({ runBeforeUnload: true });
    await closed;
    expect(dialogs).toEqual(['beforeunload']);
    expect(await serverCount(galleryId)).toBe(2);
    expect(uncaught).toEqual([]);
    await context.close();
  });
});
