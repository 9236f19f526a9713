// The viewer, the browser's history and focus, in Chromium at phone and desktop size: opening a
// photo from the grid adds one entry, moving replaces it, closing (Esc, Close) takes it back, so
// Back leaves the gallery and never reopens the photo; Back while the viewer is open closes it;
// closing puts focus on the thumbnail of the photo shown last; and focus that the app puts on
// <main> or a heading draws no frame, while a control focused from the keyboard shows its ring.
import type { Page } from 'playwright-core';

import { login } from '../helpers/server-process';
import { browserSuite, describeWeb, DESKTOP, PHONE, photo, postJson, upload } from './browser';

jest.setTimeout(90_000);

describeWeb('the viewer, the history and the focus', () => {
  let galleryId: number;
  const COUNT = 4;

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      const auth = await login(server.url, world.credentials);
      galleryId = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Walks' })).id as number;
      for (let i = 1; i <= COUNT; i++) await upload(server.url, auth, galleryId, `Walk ${i}`, await photo(480, 320, i));
    },
  });

  const gallery = () => `/galleries/${galleryId}`;
  const tiles = (page: Page) => page.locator('.justified a');
  const path = (page: Page) => new URL(page.url()).pathname;
  const dialogs = (page: Page) => page.getByRole('dialog').count();
  const focusedName = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
  const showing = (page: Page, name: string) => page.getByRole('dialog', { name: `Image: ${name}` }).waitFor();
  const closed = (page: Page) => page.getByRole('dialog').waitFor({ state: 'detached' });

  /** The galleries, then the gallery by its link (two entries of history); the names of its tiles. */
  async function intoGallery(page: Page): Promise<string[]> {
    await page.goto('/');
    await page.getByRole('link', { name: 'Walks' }).click();
    await page.getByRole('heading', { name: 'Walks' }).waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('.justified a').length === n, COUNT);
    return Promise.all(
      [...Array(COUNT).keys()].map(async (i) => (await tiles(page).nth(i).getAttribute('aria-label'))!),
    );
  }

  /** Back to the galleries: the gallery is left, no photo opens again. */
  async function backLeavesTheGallery(page: Page) {
    await page.goBack();
    await page.getByRole('heading', { name: 'Galleries' }).waitFor();
    expect({ path: path(page), dialogs: await dialogs(page) }).toEqual({ path: '/', dialogs: 0 });
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`closing the viewer (Esc, Close) adds no entry: Back leaves the gallery, at ${size} size`, async () => {
      const { context, page } = await suite.open(viewport, suite.world.credentials);
      const names = await intoGallery(page);
      const length = await page.evaluate(() => history.length);
      for (const close of ['Escape', 'Close', 'Escape'] as const) {
        await tiles(page).nth(1).click();
        await showing(page, names[1]);
        await page.keyboard.press('ArrowRight');
        await showing(page, names[2]);
        if (close === 'Escape') await page.keyboard.press('Escape');
        else await page.getByRole('button', { name: 'Close viewer' }).click();
        await closed(page);
        expect(path(page)).toBe(gallery());
      }
      // Opened three times, moved and closed: one entry for the photo at most, never more.
      expect(await page.evaluate(() => history.length)).toBeLessThanOrEqual(length + 1);
      await backLeavesTheGallery(page);
      await context.close();
    });

    it(`Back while the viewer is open closes it and focuses the photo's thumbnail, at ${size} size`, async () => {
      const { context, page } = await suite.open(viewport, suite.world.credentials);
      const names = await intoGallery(page);
      await tiles(page).first().click();
      await showing(page, names[0]);
      await page.keyboard.press('ArrowRight');
      await showing(page, names[1]);
      await page.goBack();
      await closed(page);
      expect(path(page)).toBe(gallery());
      await page.waitForFunction((name) => document.activeElement?.getAttribute('aria-label') === name, names[1]);
      await backLeavesTheGallery(page);
      await context.close();
    });
  }

  it('closing a photo loaded by its address takes its place: Back does not come back to it', async () => {
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials);
    await intoGallery(page);
    const photoAddress = (await tiles(page).first().getAttribute('href'))!;
    await page.goto('/');
    await page.getByRole('heading', { name: 'Galleries' }).waitFor();
    await page.goto(photoAddress);
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await closed(page);
    expect(path(page)).toBe(gallery());
    await backLeavesTheGallery(page);
    // And after a reload on the photo, closing does not step back into the page loaded before.
    await page.goto(gallery());
    await tiles(page).first().click();
    await page.getByRole('dialog').waitFor();
    await page.reload();
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await closed(page);
    expect(path(page)).toBe(gallery());
    expect(await page.getByRole('heading', { name: 'Walks' }).count()).toBe(1);
    await context.close();
  });

  it('puts focus on the thumbnail of the photo shown last, not the one opened (Esc and Close)', async () => {
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials);
    const names = await intoGallery(page);
    await tiles(page).first().focus();
    await page.keyboard.press('Enter');
    await showing(page, names[0]);
    await page.keyboard.press('ArrowRight');
    await showing(page, names[1]);
    await page.keyboard.press('ArrowRight');
    await showing(page, names[2]);
    await page.keyboard.press('Escape');
    await closed(page);
    expect(await focusedName(page)).toBe(names[2]);
    // The keyboard goes on from there: Enter opens that photo again, ← and Close.
    await page.keyboard.press('Enter');
    await showing(page, names[2]);
    await page.keyboard.press('ArrowLeft');
    await showing(page, names[1]);
    await page.getByRole('button', { name: 'Close viewer' }).click();
    await closed(page);
    expect(await focusedName(page)).toBe(names[1]);
    await context.close();
  });

  it('keeps up with fast keys: open, move and close in a row leave the gallery and the focus right', async () => {
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials);
    const names = await intoGallery(page);
    await tiles(page).first().focus();
    for (let round = 1; round <= COUNT; round++) {
      // No waiting between the keys: a close whose step back is on its way must not lose any of them.
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').waitFor();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
      await closed(page);
      // Each round opens the photo focused, moves one on (none after the last) and closes there.
      expect({ path: path(page), focused: await focusedName(page) }).toEqual({
        path: gallery(),
        focused: names[Math.min(round, COUNT - 1)],
      });
    }
    await backLeavesTheGallery(page);
    await context.close();
  });

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`draws no frame around <main> or a heading focused by the app, but rings a control focused by keyboard, at ${size} size`, async () => {
      const { context, page } = await suite.open(viewport, null);
      const frameOf = (selector: string) =>
        page.evaluate((s) => {
          const style = getComputedStyle(document.querySelector(s)!);
          return `${style.outlineStyle} ${style.boxShadow}`;
        }, selector);
      await page.goto('/signin');
      await page.getByLabel('Username').focus();
      await page.keyboard.type(suite.world.credentials.username);
      await page.keyboard.press('Tab');
      await page.keyboard.type(suite.world.credentials.password);
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () => document.activeElement?.matches('h1') && document.activeElement.textContent === 'Galleries',
      );
      expect({ main: await frameOf('main'), focused: await frameOf(':focus') }).toEqual({
        main: 'none none',
        focused: 'none none',
      });
      // Through the keyboard to the gallery: its heading takes focus, without a frame either.
      await page.getByRole('link', { name: 'Walks' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () => document.activeElement?.matches('h1') && document.activeElement.textContent === 'Walks',
      );
      expect({ main: await frameOf('main'), focused: await frameOf(':focus') }).toEqual({
        main: 'none none',
        focused: 'none none',
      });
      // A control reached with Tab is ringed.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.tagName)).toMatch(/^(A|BUTTON|INPUT)$/);
      expect(await frameOf(':focus')).not.toBe('none none');
      await context.close();
    });
  }
});
