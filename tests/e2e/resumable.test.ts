// Resumable uploads in the web app, in Chromium: a file from the size the app chooses (set low here
// through localStorage['gallery.resumableBytes']) goes through tus under /api/uploads/ (POST, then
// PATCH), with tus-js-client loaded only then, and ends as a multipart upload does: Uploaded,
// Already in this gallery, or the server's error (quota, not an image). Cancel terminates it on the
// server; a reload in the middle offers to resume, and the same file picked again sends only what
// the server does not have; Discard terminates. Signing out stops and forgets the uploads of the
// tab, and an image whose reply comes while the gallery is loading is counted once.
// Uploads are slowed down with Chromium's network emulation to catch them on their way.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page, Request } from 'playwright-core';
import sharp from 'sharp';

import { login, send } from '../helpers/server-process';
import {
  browserSuite,
  createAdmin,
  describeWeb,
  DESKTOP,
  noSeriousViolations,
  PHONE,
  photo,
  postJson,
  uncaughtErrors,
} from './browser';

jest.setTimeout(120_000);

const SHOTS = join(resolve(__dirname, '../..'), 'test-results', 'web');
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
/** From this size on the app sends a file resumable, in these tests. */
const THRESHOLD = 64 * 1024;

/** A JPEG of noise: it does not compress, so `width` × `height` makes a file big enough to take a while. */
const noise = (width: number, height: number) =>
  sharp({
    create: { width, height, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
  })
    .jpeg({ quality: 90 })
    .toBuffer();

/** Waits until `check` holds, asking every 100 ms, for at most `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still not so after ${ms} ms: ${check.toString()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

describeWeb('resumable uploads in the web app', () => {
  let auth: Record<string, string>;
  let folder: string;
  const admin = { username: `admin${Date.now() % 100000}`, password: 'a long enough password' };

  const suite = browserSuite({
    beforeServer: async (world) => {
      folder = join(world.uploadDir, '..', 'picked');
      mkdirSync(folder);
      await createAdmin(world.db, admin);
    },
    setup: async ({ server, world }) => {
      mkdirSync(SHOTS, { recursive: true });
      auth = await login(server.url, world.credentials);
    },
  });

  /** A file on disk, as a person picks it: picked again, it is the same file (name, size, time of change). */
  function file(name: string, bytes: Buffer): string {
    const path = join(folder, name);
    writeFileSync(path, bytes);
    return path;
  }

  const newGallery = async (name: string) =>
    (await postJson(suite.server.url, auth, '/api/gallery/galleries/', { name })).id as number;

  async function serverCount(galleryId: number): Promise<number> {
    const reply = await send(suite.server.url, {
      method: 'GET',
      path: `/api/gallery/galleries/${galleryId}`,
      headers: auth,
    });
    return reply.json().imageCount as number;
  }

  /** What the server says of an upload (HEAD): its status and how many bytes it has. */
  async function head(uploadUrl: string): Promise<{ status: number; offset: number }> {
    const reply = await fetch(uploadUrl, { method: 'HEAD', headers: { ...auth, 'Tus-Resumable': '1.0.0' } });
    return { status: reply.status, offset: Number(reply.headers.get('upload-offset')) };
  }

  /** The URL of the upload that the page created (from the POST's Location). */
  async function created(page: Page): Promise<string> {
    const reply = await page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/api/uploads/'),
    );
    expect(reply.status()).toBe(201);
    return new URL((await reply.headerValue('location'))!, suite.server.url).href;
  }

  /** A signed-in page (the app's threshold set low on every load), recording uncaught errors and requests. */
  async function signedIn(viewport = DESKTOP, credentials = suite.world.credentials) {
    const { context, page } = await suite.open(viewport, credentials, { touch: false });
    // Before the first page load: it applies to the page already open too.
    await context.addInitScript((bytes) => localStorage.setItem('gallery.resumableBytes', String(bytes)), THRESHOLD);
    const uncaught = uncaughtErrors(page);
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    return { context, page, uncaught, requests };
  }

  async function openGallery(page: Page, galleryId: number, name: string) {
    await page.goto(`/galleries/${galleryId}`);
    await page.getByRole('heading', { name, exact: true }).waitFor();
  }

  async function choose(page: Page, files: string[], button = 'Choose images…') {
    const chooser = page.waitForEvent('filechooser');
    await page.getByText(button).click();
    await (await chooser).setFiles(files);
  }

  async function shownCount(page: Page): Promise<number> {
    const meta = (await page.locator('p.meta').textContent()) ?? '';
    return Number(/^(\d+) image/.exec(meta)?.[1] ?? NaN);
  }

  const summary = (page: Page) => page.locator('.upload').getByRole('status');
  const tiles = (page: Page) => page.locator('.justified li');
  const tus = (requests: Request[]) =>
    requests.filter((r) => r.url().includes('/api/uploads/')).map((r) => `${r.method()} ${new URL(r.url()).pathname}`);
  /** The localStorage entries of tus-js-client (unfinished uploads). */
  const remembered = (page: Page) =>
    page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('tus::')).length);

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

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('sends a large file through tus on a %s, a small one as before, with the same results', async (_, viewport) => {
    const name = `Large and small (${viewport.width})`;
    const galleryId = await newGallery(name);
    const large = file(`large-${viewport.width}.jpg`, await noise(400, 300));
    const small = file(`small-${viewport.width}.jpg`, await photo(320, 240, viewport.width));
    const { context, page, uncaught, requests } = await signedIn(viewport);
    await openGallery(page, galleryId, name);
    const scripts = () => requests.filter((r) => /\/assets\/resumable-/.test(r.url())).length;
    expect(scripts()).toBe(0);

    await choose(page, [large, small]);
    await summary(page)
      .filter({ hasText: /^2 uploaded$/ })
      .waitFor();
    // tus-js-client came with the large file; the large file went POST then PATCH, the small one multipart.
    expect(scripts()).toBe(1);
    expect(tus(requests)).toEqual([
      'POST /api/uploads/',
      expect.stringMatching(/^PATCH \/api\/uploads\/[a-f0-9]{32}$/),
    ]);
    const multipart = requests.filter((r) => r.method() === 'POST' && r.url().includes('/api/gallery/images'));
    expect(multipart).toHaveLength(1);
    await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 2);
    expect(await shownCount(page)).toBe(2);
    expect(await serverCount(galleryId)).toBe(2);
    expect(await remembered(page)).toBe(0);

    // The same two again: already in the gallery, through either way; nothing counted twice.
    await choose(page, [large, small]);
    await summary(page)
      .filter({ hasText: /^2 already here$/ })
      .waitFor();
    await page.getByText('Each file').click();
    expect(await page.getByRole('list', { name: 'Each file' }).getByText('Already in this gallery').count()).toBe(2);
    expect(await shownCount(page)).toBe(2);
    expect(await tiles(page).count()).toBe(2);
    expect(await serverCount(galleryId)).toBe(2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('Cancel terminates a resumable upload on the server', async () => {
    const galleryId = await newGallery('Cancelled large');
    const large = file('cancel.jpg', await noise(500, 400));
    const { context, page, uncaught, requests } = await signedIn();
    await openGallery(page, galleryId, 'Cancelled large');
    await throttle(context, page, 24 * 1024);
    const url = created(page);
    await choose(page, [large]);
    const uploadUrl = await url;
    // Bytes are on their way, and some have reached the server.
    await page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('progress[aria-label="All uploads"]');
      return !!bar && bar.value > 0;
    });
    await until(async () => (await head(uploadUrl)).offset > 0);
    expect(await remembered(page)).toBe(1);

    // DELETE while the aborted PATCH still holds the upload is 423: tus-js-client tries again.
    const deletes: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'DELETE' && r.url() === uploadUrl) deletes.push(r.status());
    });
    const terminated = page.waitForResponse(
      (r) => r.request().method() === 'DELETE' && r.url() === uploadUrl && r.status() === 204,
    );
    await page.getByRole('button', { name: 'Cancel uploads' }).click();
    await summary(page)
      .filter({ hasText: /^1 cancelled$/ })
      .waitFor();
    await terminated;
    expect(deletes.filter((status) => status !== 423)).toEqual([204]);
    expect((await head(uploadUrl)).status).toBe(404);
    expect(await remembered(page)).toBe(0);
    expect(await page.locator('.resume').count()).toBe(0);
    expect(tus(requests).filter((r) => r.startsWith('PATCH'))).toHaveLength(1);
    expect(await serverCount(galleryId)).toBe(0);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('offers to resume after a reload: the same file picked again sends only the rest; Discard terminates', async () => {
    const name = 'Reloaded';
    const galleryId = await newGallery(name);
    const first = file('first.jpg', await noise(500, 400));
    const second = file('second.jpg', await noise(500, 400));
    const { context, page, uncaught, requests } = await signedIn(PHONE);
    await openGallery(page, galleryId, name);
    await throttle(context, page, 32 * 1024);
    const urls: string[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && r.url().endsWith('/api/uploads/') && r.status() === 201)
        urls.push(new URL(r.headers().location, suite.server.url).href);
    });
    await choose(page, [first, second]);
    await until(async () => urls.length === 2 && (await Promise.all(urls.map(head))).every((h) => h.offset > 0));
    expect(await remembered(page)).toBe(2);

    // Reloading mid-upload: the browser asks first (staying would go on), leaving it is.
    page.on('dialog', (dialog) => void dialog.accept());
    await page.reload();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    const offer = page.locator('.resume');
    await page.getByText('Resume 2 unfinished uploads').waitFor();
    expect(await offer.locator('p').textContent()).toBe(
      'Not finished: first.jpg, second.jpg. To send the rest, choose the same files again.',
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await noSeriousViolations(page, 'resume offer (390 px)');
    await shot(page, 'upload-resume-390');
    // What the server has of each: part of it.
    const kept = await Promise.all(urls.map(head));
    for (const { status, offset } of kept) {
      expect(status).toBe(200);
      expect(offset).toBeGreaterThan(0);
    }

    // The first file picked again (at full speed): it goes on from the server's offset, into the same upload.
    await throttle(context, page, -1);
    requests.length = 0;
    await choose(page, [first], 'Resume 2 unfinished uploads');
    await summary(page)
      .filter({ hasText: /^1 uploaded$/ })
      .waitFor();
    const resumed = requests.find((r) => r.method() === 'HEAD')!.url();
    const at = urls.indexOf(resumed);
    expect(at).toBeGreaterThanOrEqual(0);
    const path = new URL(resumed).pathname;
    expect(tus(requests)).toEqual([`HEAD ${path}`, `PATCH ${path}`]);
    const patch = requests.find((r) => r.method() === 'PATCH')!;
    const offset = Number(await patch.headerValue('upload-offset'));
    expect(offset).toBe(kept[at].offset);
    expect(offset).toBeGreaterThan(0);
    await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 1);
    expect(await shownCount(page)).toBe(1);
    expect(await serverCount(galleryId)).toBe(1);

    // The other one is still offered; Discard terminates it on the server.
    await page.getByText('Resume 1 unfinished upload').waitFor();
    expect(await offer.locator('p').textContent()).toBe(
      'Not finished: second.jpg. To send the rest, choose the same file again.',
    );
    const other = urls[1 - at];
    const terminated = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url() === other);
    await page.getByRole('button', { name: 'Discard' }).click();
    expect((await terminated).status()).toBe(204);
    await offer.waitFor({ state: 'detached' });
    expect((await head(other)).status).toBe(404);
    expect(await remembered(page)).toBe(0);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it("shows the server's refusals as for a multipart upload: the quota, not an image", async () => {
    const name = 'Refused';
    const galleryId = await newGallery(name);
    const large = file('refused-large.jpg', await noise(400, 300));
    const small = file('refused-small.jpg', await photo(320, 240, 7));
    const { context, page, uncaught, requests } = await signedIn();
    await openGallery(page, galleryId, name);
    const rows = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem');
    const reasons = async () => (await rows.locator('.job-state').allTextContents()).sort();

    // No room left: refused when the upload is created (413), before any byte is sent.
    await suite.world.db.user.update({
      where: { usernameLower: suite.world.credentials.username.toLowerCase() },
      data: { storageQuotaMb: 0 },
    });
    try {
      await choose(page, [large, small]);
      await summary(page)
        .filter({ hasText: /^2 failed$/ })
        .waitFor();
    } finally {
      await suite.world.db.user.update({
        where: { usernameLower: suite.world.credentials.username.toLowerCase() },
        data: { storageQuotaMb: null },
      });
    }
    for (const reason of await reasons())
      expect(reason).toMatch(/^Storage quota exceeded: [\d.]+ MiB of 0\.0 MiB used; this file needs [\d.]+ MiB\.$/);
    expect(tus(requests)).toEqual(['POST /api/uploads/']);
    expect(await remembered(page)).toBe(0);
    await page.getByRole('button', { name: 'Dismiss' }).click();

    // Not an image, large and small: refused once every byte is in (415); the large one is terminated.
    const notes = file('notes.jpg', Buffer.alloc(THRESHOLD * 2, 'these are not the bytes of an image '));
    const memo = file('memo.jpg', Buffer.from('nor are these'));
    requests.length = 0;
    await choose(page, [notes, memo]);
    await summary(page)
      .filter({ hasText: /^2 failed$/ })
      .waitFor();
    expect(await reasons()).toEqual([
      'Not an image this server accepts (JPEG, PNG, GIF, WebP or AVIF).',
      'Not an image this server accepts (JPEG, PNG, GIF, WebP or AVIF).',
    ]);
    const uploadPath = tus(requests)[1].split(' ')[1];
    await until(() => tus(requests).includes(`DELETE ${uploadPath}`));
    await until(async () => (await head(`${suite.server.url}${uploadPath}`)).status === 404);
    expect(await remembered(page)).toBe(0);
    expect(await page.locator('.resume').count()).toBe(0);
    expect(await serverCount(galleryId)).toBe(0);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  /** Signs in on the sign-in screen, inside the app (no page load). */
  async function signInHere(page: Page, credentials: { username: string; password: string }) {
    await page.getByLabel('Username').fill(credentials.username);
    await page.getByLabel('Password').fill(credentials.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
  }

  /** To a gallery inside the app, as a link does (no page load). */
  async function goInside(page: Page, galleryId: number, name: string) {
    await page.evaluate((path) => {
      history.pushState(null, '', path);
      dispatchEvent(new PopStateEvent('popstate'));
    }, `/galleries/${galleryId}`);
    await page.getByRole('heading', { name, exact: true }).waitFor();
  }

  it('stops and forgets the uploads of the tab on signing out: the next user sees none of them', async () => {
    const name = 'One tab, two people';
    const galleryId = await newGallery(name);
    const small = file('mine.jpg', await photo(320, 240, 11));
    const large = file('mine-large.jpg', await noise(500, 400));
    const { context, page, uncaught, requests } = await signedIn();
    await openGallery(page, galleryId, name);
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    await choose(page, [small]);
    await summary(page)
      .filter({ hasText: /^1 uploaded$/ })
      .waitFor();
    await throttle(context, page, 24 * 1024);
    const url = created(page);
    await choose(page, [large]);
    const uploadUrl = await url;
    await until(async () => (await head(uploadUrl)).offset > 0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The upload stopped, and stays on the server for its owner.
    const patches = () => requests.filter((r) => r.method() === 'PATCH').length;
    const sent = patches();
    await page.waitForTimeout(1500);
    expect(patches()).toBe(sent);
    const left = await head(uploadUrl);
    expect(left.status).toBe(200);
    expect(await remembered(page)).toBe(1);

    // Someone else on the same tab, who may upload into this gallery too (an admin): nothing of it.
    await throttle(context, page, -1);
    await signInHere(page, admin);
    await goInside(page, galleryId, name);
    await page.getByText('Choose images…').waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.uploads').count()).toBe(0);
    expect(await page.locator('.resume').count()).toBe(0);

    // Its owner again: offered to resume it (nothing else of the list came back).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signInHere(page, suite.world.credentials);
    await goInside(page, galleryId, name);
    await page.getByText('Resume 1 unfinished upload').waitFor();
    expect(await page.locator('.uploads').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
    await page.getByRole('button', { name: 'Discard' }).click();
    await page.locator('.resume').waitFor({ state: 'detached' });
    expect((await head(uploadUrl)).status).toBe(404);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('counts an image once when its reply comes while the gallery is loading again', async () => {
    const name = 'Counted once';
    const galleryId = await newGallery(name);
    const small = file('once.jpg', await photo(320, 240, 13));
    const { context, page, uncaught } = await signedIn();
    await openGallery(page, galleryId, name);
    // The server stores the image at once; its reply reaches the page only when let through
    // (held at the response stage by Chromium: the request went out as the page sent it).
    let letThrough = () => {};
    const held = new Promise<void>((done) => (letThrough = done));
    let stored = false;
    const cdp = await context.newCDPSession(page);
    cdp.on('Fetch.requestPaused', ({ requestId, responseStatusCode }) => {
      expect(responseStatusCode).toBe(201);
      stored = true;
      void held.then(() => cdp.send('Fetch.continueRequest', { requestId }));
    });
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*/api/gallery/images/', requestStage: 'Response' }] });
    await choose(page, [small]);
    await until(() => stored);

    // To the galleries and back: the gallery loads with the image counted.
    await page.getByRole('link', { name: 'Galleries' }).first().click();
    await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    expect(await shownCount(page)).toBe(1);
    await page.locator('.upload-overall').filter({ hasText: 'Uploading: 0 of 1 files' }).waitFor();

    letThrough();
    await summary(page)
      .filter({ hasText: /^1 uploaded$/ })
      .waitFor();
    await page.waitForTimeout(500);
    expect(await shownCount(page)).toBe(1);
    expect(await tiles(page).count()).toBe(1);
    expect(await serverCount(galleryId)).toBe(1);
    expect(uncaught).toEqual([]);
    await context.close();
  });
});
