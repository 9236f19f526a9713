// A share link in Chromium, as a visitor without an account sees it and as its owner makes it: each
// photo has its own address (it survives a reload, opens a photo beyond the first page, and says
// so for a photo not there), closing goes back in history like a gallery's viewer; a password
// link's thumbnails load lazily, never as broken images, and a reload does not ask the password
// again (nor is it kept in the browser); the form that makes a link starts empty again.
import type { Page } from 'playwright-core';

import { login } from '../helpers/server-process';
import { browserSuite, describeWeb, DESKTOP, jpeg, PHONE, photo, postJson, upload } from './browser';

jest.setTimeout(120_000);

const PASSWORD = 'sand and sea 2026';

describeWeb('a share link in the browser', () => {
  let auth: Record<string, string>;
  let walksId: number;
  let walksKey: string;
  let lockedKey: string;
  let bigKey: string;
  let firstOfBig: number;

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      auth = await login(server.url, world.credentials);
      const gallery = async (name: string) =>
        (await postJson(server.url, auth, '/api/gallery/galleries/', { name })).id as number;
      walksId = await gallery('Walks');
      for (let i = 1; i <= 3; i++) await upload(server.url, auth, walksId, `Walk ${i}`, await photo(480, 320, i));
      walksKey = (await postJson(server.url, auth, `/api/gallery/galleries/${walksId}/links/`, {})).key as string;
      // Enough photos to scroll: most thumbnails are far below the first screen.
      const hills = await gallery('Hills');
      for (let i = 1; i <= 60; i++) await upload(server.url, auth, hills, `Hill ${i}`, await jpeg(300, 200, i));
      lockedKey = (await postJson(server.url, auth, `/api/gallery/galleries/${hills}/links/`, { password: PASSWORD }))
        .key as string;
      // More photos than one page of a share (200): the first uploaded is on the second page.
      const big = await gallery('Many');
      const files = await Promise.all(Array.from({ length: 203 }, (_, i) => jpeg(24, 16, i + 1)));
      firstOfBig = await upload(server.url, auth, big, 'Oldest', files[0]);
      for (let i = 1; i < files.length; i += 4)
        await Promise.all(files.slice(i, i + 4).map((file, j) => upload(server.url, auth, big, `Many ${i + j}`, file)));
      bigKey = (await postJson(server.url, auth, `/api/gallery/galleries/${big}/links/`, {})).key as string;
    },
    timeout: 600_000,
  });

  const tiles = (page: Page) => page.locator('.justified a');
  const path = (page: Page) => new URL(page.url()).pathname;
  const showing = (page: Page, name: string) => page.getByRole('dialog', { name: `Image: ${name}` }).waitFor();
  const closed = (page: Page) => page.getByRole('dialog').waitFor({ state: 'detached' });
  const photoAddress = (key: string) => new RegExp(`^/share/${key}/images/\\d+$`);

  async function tileNames(page: Page, count: number): Promise<string[]> {
    await page.waitForFunction((n) => document.querySelectorAll('.justified a').length === n, count);
    return Promise.all(
      [...Array(count).keys()].map(async (i) => (await tiles(page).nth(i).getAttribute('aria-label'))!),
    );
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`gives each photo its own address, kept on a reload; moving replaces it, closing steps back (${size})`, async () => {
      const { context, page } = await suite.open(viewport, null);
      const home = `/share/${walksKey}`;
      await page.goto('/signin');
      await page.goto(home);
      const names = await tileNames(page, 3);
      await tiles(page).nth(1).click();
      await showing(page, names[1]);
      const address = path(page);
      expect(address).toMatch(photoAddress(walksKey));
      await page.reload();
      await showing(page, names[1]);
      expect(path(page)).toBe(address);
      await page.keyboard.press('ArrowRight');
      await showing(page, names[2]);
      expect(path(page)).toMatch(photoAddress(walksKey));
      expect(path(page)).not.toBe(address);
      await page.getByRole('button', { name: 'Close viewer' }).click();
      await closed(page);
      expect(path(page)).toBe(home);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(names[2]);
      // Opened from the grid and closed: Back leaves the share page, the photo does not open again.
      await tiles(page).first().click();
      await showing(page, names[0]);
      await page.keyboard.press('Escape');
      await closed(page);
      await page.goBack();
      await page.waitForURL((url) => url.pathname === home);
      await page.goBack();
      await page.waitForURL((url) => url.pathname === '/signin');
      await context.close();
    });
  }

  it('opens a photo beyond the first page by its address, and says so for a photo not in the gallery', async () => {
    const { context, page } = await suite.open(DESKTOP, null);
    await page.goto(`/share/${bigKey}/images/${firstOfBig}`);
    await showing(page, 'Oldest');
    await page.keyboard.press('Escape');
    await closed(page);
    expect(path(page)).toBe(`/share/${bigKey}`);
    await page.goto(`/share/${walksKey}/images/987654`);
    await page.getByRole('heading', { name: 'Photo not found' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'not in this shared gallery' }).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('link', { name: 'Back to the shared gallery' }).click();
    await page.waitForURL((url) => url.pathname === `/share/${walksKey}`);
    expect(await page.getByRole('heading', { name: 'Photo not found' }).count()).toBe(0);
    await context.close();
  });

  /** The files the page has asked for so far, by size (as the browser's resource timing lists them). */
  const filesAsked = (page: Page) =>
    page.evaluate(() => {
      const sizes = performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name))
        .filter((url) => url.pathname.endsWith('/file'))
        .map((url) => url.searchParams.get('size'));
      return { thumb: sizes.filter((s) => s === 'thumb').length, preview: sizes.filter((s) => s === 'preview').length };
    });

  /** Counts the requests for files that carry the password header. */
  function countPasswordHeaders(page: Page) {
    const seen = { withPassword: 0 };
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.endsWith('/file') && request.headers()['x-share-password'])
        seen.withPassword++;
    });
    return seen;
  }

  /** Thumbnails shown broken: an image made visible (loaded) that has no picture. */
  const brokenThumbs = (page: Page) =>
    page.evaluate(
      () =>
        [...document.querySelectorAll<HTMLImageElement>('.justified img')].filter(
          (img) => getComputedStyle(img).opacity !== '0' && (!img.complete || img.naturalWidth === 0),
        ).length,
    );

  it('loads a password link lazily, never shows a broken image, and does not ask again on a reload', async () => {
    const { context, page } = await suite.open(DESKTOP, null);
    const headers = countPasswordHeaders(page);
    // Slow thumbnails: what shows while they are on their way is the placeholder, not a broken image.
    await page.route('**/file?size=thumb*', async (route) => {
      await new Promise((done) => setTimeout(done, 600));
      await route.continue();
    });
    await page.goto(`/share/${lockedKey}`);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: 'Hills' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 60);
    await page.waitForTimeout(200);
    expect(await brokenThumbs(page)).toBe(0);
    // The first screen's thumbnails arrive, and they only: no preview, no password on a file.
    await page.waitForFunction(() => document.querySelectorAll('.justified img.loaded').length > 0);
    await page.waitForTimeout(1000);
    expect(await brokenThumbs(page)).toBe(0);
    const first = await filesAsked(page);
    expect(first.preview).toBe(0);
    expect(first.thumb).toBeGreaterThan(0);
    expect(first.thumb).toBeLessThan(40);
    // Scrolled down, the rest come as they near the screen.
    await tiles(page).last().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const last = [...document.querySelectorAll<HTMLImageElement>('.justified img')].at(-1);
      return !!last?.complete && last.naturalWidth > 0;
    });
    // (Listed by the browser a moment after the image shows.)
    await page.waitForFunction(
      (n) => performance.getEntriesByType('resource').filter((e) => e.name.includes('size=thumb')).length > n,
      first.thumb,
    );
    expect(headers.withPassword).toBe(0);
    expect(await brokenThumbs(page)).toBe(0);
    // A photo opens with its preview; a reload (of the photo's address) asks no password.
    await tiles(page).first().click();
    await page.getByRole('dialog').waitFor();
    await page.reload();
    await page.getByRole('dialog').waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.viewer-stage img');
      return !!img?.complete && img.naturalWidth > 0;
    });
    expect(await page.getByLabel('Password').count()).toBe(0);
    // The browser keeps a grant, not the password: in no storage, in no cookie.
    const kept = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie);
    const cookies = await context.cookies();
    expect(kept).not.toContain(PASSWORD);
    expect(cookies.map((c) => c.value).join(' ')).not.toContain(PASSWORD);
    expect(cookies.find((c) => c.name === 'gallery_share')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await context.close();
  });

  it('starts the form of a new link empty again once the link is made', async () => {
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials);
    await page.goto(`/galleries/${walksId}/settings`);
    const form = page.getByRole('form', { name: 'New share link' });
    await form.getByLabel('Expires after').fill('7');
    await form.getByLabel('Max views').fill('20');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByLabel('Allow originals').check();
    await form.getByRole('button', { name: 'Create link' }).click();
    await page.getByText('The new link (shown this once)').waitFor();
    const values = await form.evaluate((f: HTMLFormElement) =>
      [...f.querySelectorAll('input')].map((i) => (i.type === 'checkbox' ? String(i.checked) : i.value)),
    );
    expect(values).toEqual(['', '', '', 'false']);
    await context.close();
  });
});
