// Gallery covers and the order of a gallery's photos, in Chromium at phone size (390 × 844, touch)
// and at desktop size (1280 × 800): the list of galleries shows each gallery's cover (its most
// recent photo, or the one chosen in the viewer with "Use as cover"), an empty gallery a drawn
// frame; a gallery's sort changes its address and its order, and a reload, the viewer and Back
// keep it. No page wider than the viewport, axe clean.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

import { login } from '../helpers/server-process';
import {
  browserSuite,
  createAdmin,
  describeWeb,
  DESKTOP,
  noSeriousViolations,
  PHONE,
  photo,
  postJson,
  upload,
} from './browser';
import { overflowOf } from './measure';

jest.setTimeout(90_000);
const SHOTS = join(resolve(__dirname, '../..'), 'test-results', 'web', 'covers-sort');
/** Uploaded in this order: newest first is the reverse, by title A–Z another order again. */
const TITLES = ['Charlie', 'alpha', 'Delta', 'Bravo'];
const BY_TITLE = ['alpha', 'Bravo', 'Charlie', 'Delta'];

describeWeb('gallery covers and the sort of a gallery', () => {
  const admin = { username: `covers${Date.now() % 100000}`, password: 'an admin password here' };
  let auth: Record<string, string>;
  const ids: Record<string, number> = {};

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      mkdirSync(SHOTS, { recursive: true });
      await createAdmin(world.db, admin);
      auth = await login(server.url, admin);
      await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Empty album' });
      for (const [i, size] of ['phone', 'desktop'].entries()) {
        const id = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: `Trip ${size}` })).id as number;
        ids[size] = id;
        for (const [n, title] of TITLES.entries())
          ids[`${size} ${title}`] = await upload(server.url, auth, id, title, await photo(480, 360, i * 10 + n + 1));
      }
    },
  });

  /** The album of `name` on the list of galleries: its cover's image (which photo) and its tile's box. */
  async function album(page: Page, name: string) {
    const item = page.locator('.album').filter({ has: page.getByRole('link', { name, exact: true }) });
    await item.waitFor();
    // A cover is shown once its file has arrived (the placeholder until then).
    if ((await item.locator('.album-cover img').count()) > 0) await item.locator('.album-cover img.loaded').waitFor();
    return item.evaluate((li) => {
      const img = li.querySelector<HTMLImageElement>('.album-cover img');
      const tile = li.querySelector('.album-cover')!.getBoundingClientRect();
      return {
        photo: img ? Number(/\/images\/(\d+)\//.exec(img.src)?.[1]) : null,
        loaded: !!img && img.complete && img.naturalWidth > 0,
        empty: !!li.querySelector('.album-empty'),
        tile: { width: Math.round(tile.width), height: Math.round(tile.height) },
      };
    });
  }

  async function check(page: Page, screen: string, width: number) {
    await page.screenshot({ path: join(SHOTS, `${screen}-${width}.png`) });
    const { width: scroll, outside } = await overflowOf(page, width);
    expect({ screen, wider: scroll > width ? scroll : null, outside }).toEqual({ screen, wider: null, outside: [] });
    await noSeriousViolations(page, `${screen} (${width} px)`);
  }

  /** The titles of the grid's tiles, in order, once there are `count` of them. */
  async function tiles(page: Page, count: number) {
    await page.waitForFunction((n) => document.querySelectorAll('.justified a').length === n, count);
    return page.locator('.justified a').evaluateAll((links) => links.map((a) => a.getAttribute('aria-label')));
  }

  async function sortedAs(page: Page, titles: string[]) {
    await page.waitForFunction(
      (want) => [...document.querySelectorAll('.justified a')].map((a) => a.getAttribute('aria-label')).join() === want,
      titles.join(),
    );
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`shows covers on the list of galleries, and "Use as cover" changes one, at ${size} size`, async () => {
      const { context, page } = await suite.open(viewport, admin);
      const name = `Trip ${size}`;
      await page.goto('/');
      await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
      const before = await album(page, name);
      // The most recent photo, loaded, filling a square tile; the empty gallery has its frame.
      expect(before).toEqual({
        photo: ids[`${size} Bravo`],
        loaded: true,
        empty: false,
        tile: { width: before.tile.width, height: before.tile.width },
      });
      expect(before.tile.width).toBeGreaterThan(120);
      expect(await album(page, 'Empty album')).toMatchObject({ photo: null, empty: true });
      await check(page, 'galleries', viewport.width);

      // The owner opens an older photo and makes it the cover.
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByRole('link', { name: 'Charlie' }).click();
      const dialog = page.getByRole('dialog');
      if (size === 'phone') await dialog.getByRole('button', { name: 'Info' }).click();
      await dialog.getByRole('button', { name: 'Use as cover' }).click();
      await dialog.getByRole('button', { name: 'Reset cover' }).waitFor();
      await check(page, 'viewer-cover', viewport.width);
      await page.keyboard.press('Escape');
      await page.getByRole('link', { name: 'Galleries', exact: true }).first().click();
      await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
      expect(await album(page, name)).toMatchObject({ photo: ids[`${size} Charlie`], loaded: true });
      await context.close();
    });

    it(`keeps the sort of a gallery in its address, through a reload, the viewer and Back, at ${size} size`, async () => {
      const { context, page } = await suite.open(viewport, admin);
      const id = ids[size];
      await page.goto(`/galleries/${id}`);
      expect(await tiles(page, 4)).toEqual([...TITLES].reverse());
      const sort = page.getByRole('combobox', { name: 'Sort' });
      await sort.selectOption({ label: 'Title A–Z' });
      await sortedAs(page, BY_TITLE);
      expect(new URL(page.url()).search).toBe('?sort=title');
      await check(page, 'gallery-sorted', viewport.width);

      await page.reload();
      await sortedAs(page, BY_TITLE);
      expect(await sort.inputValue()).toBe('title');

      // Through the viewer: moving goes in the sort's order, closing comes back to the same address.
      await page.getByRole('link', { name: 'alpha' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await page.keyboard.press('ArrowRight');
      await page.waitForURL(`**/galleries/${id}/images/${ids[`${size} Bravo`]}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.waitForURL((url) => url.pathname === `/galleries/${id}` && url.search === '?sort=title');
      await sortedAs(page, BY_TITLE);

      // Away and Back: the address, the control and the order are the sort's.
      await page.getByRole('link', { name: 'Galleries', exact: true }).first().click();
      await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
      await page.goBack();
      await page.waitForURL((url) => url.pathname === `/galleries/${id}` && url.search === '?sort=title');
      await sortedAs(page, BY_TITLE);
      expect(await sort.inputValue()).toBe('title');

      // Back to the default: the address loses its sort.
      await sort.selectOption({ label: 'Oldest added' });
      await sortedAs(page, TITLES);
      expect(new URL(page.url()).search).toBe('?sort=created');
      await sort.selectOption({ label: 'Newest added' });
      await sortedAs(page, [...TITLES].reverse());
      expect(new URL(page.url()).search).toBe('');
      await context.close();
    });
  }
});
