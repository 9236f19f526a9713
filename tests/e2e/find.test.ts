// Finding photos in the web app, in Chromium: the filter bar of a gallery and of the Search screen
// (search as one types, tag chips with suggestions, the dates taken, starred only, the sort by date
// taken), all of it in the address through a reload and Back; the viewer's star (kept by the
// server, put back when it refuses), its tags (edited by those who may change the photo, only shown
// to a Subscriber) and the camera's facts; at phone size the bar opens and closes, axe clean.
import type { Page } from 'playwright-core';

import { CAMERAS, photo as exifPhoto } from '../helpers/photo-metadata';
import { login, send } from '../helpers/server-process';
import {
  browserSuite,
  createAdmin,
  describeWeb,
  DESKTOP,
  noSeriousViolations,
  PHONE,
  postJson,
  upload,
} from './browser';
import { overflowOf } from './measure';

jest.setTimeout(90_000);

/** Each photo's title, when its camera says it was taken (none: no EXIF) and its tags. */
const PHOTOS = [
  { title: 'Harbour at dawn', taken: '2024:05:01 06:10:00', tags: ['sea', 'boat'] },
  { title: 'Harvest field', taken: '2023:08:20 17:00:00', tags: ['field', 'boat'] },
  { title: 'Mountain lake', taken: '2022:07:10 09:30:00', tags: ['sea'] },
  { title: 'Zebra crossing', taken: null, tags: [] },
];

describeWeb('finding photos: the filter bar, Search, stars and tags', () => {
  const admin = { username: `finder${Date.now() % 100000}`, password: 'an admin password here' };
  const subscriber = { username: `looker${Date.now() % 100000}`, password: 'a long enough password' };
  let auth: Record<string, string>;
  let galleryId: number;
  const ids: Record<string, number> = {};

  const call = async (method: string, path: string, data?: unknown) =>
    send(suite.server.url, {
      method,
      path,
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: data === undefined ? undefined : Buffer.from(JSON.stringify(data)),
    });

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      await createAdmin(world.db, admin);
      auth = await login(server.url, admin);
      galleryId = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Finds' })).id as number;
      for (const [n, { title, taken, tags }] of PHOTOS.entries()) {
        const exif = taken
          ? {
              IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
              IFD2: { ...CAMERAS.canon.exif.IFD2, DateTimeOriginal: taken },
            }
          : undefined;
        const file = await exifPhoto({ exif, width: 320 + n * 16, height: 240 });
        ids[title] = await upload(server.url, auth, galleryId, title, file);
        if (tags.length)
          expect((await call('PUT', `/api/gallery/images/${ids[title]}/tags`, { tags })).status).toBe(200);
      }
      const registered = await call('POST', '/api/auth/register', {
        ...subscriber,
        email: `${subscriber.username}@example.test`,
        password2: subscriber.password,
        role: 'subscriber',
      });
      expect(registered.status).toBe(201);
    },
  });

  /** The titles of the grid's tiles, in order, once they are `titles`. */
  async function shows(page: Page, titles: string[]) {
    const want = titles.join('|');
    await page
      .waitForFunction(
        (w) => [...document.querySelectorAll('.justified a')].map((a) => a.getAttribute('aria-label')).join('|') === w,
        want,
        { timeout: 10_000 },
      )
      .catch(() => undefined);
    const have = await page
      .locator('.justified a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('aria-label')));
    expect(have).toEqual(titles);
  }

  const query = (page: Page) => new URL(page.url()).searchParams;
  const gallery = () => `/galleries/${galleryId}`;
  const ALL = ['Zebra crossing', 'Mountain lake', 'Harvest field', 'Harbour at dawn'];

  it('searches as one types, by the start of a title, and says when nothing matches', async () => {
    const { context, page } = await suite.open(DESKTOP, admin);
    await page.goto(gallery());
    await shows(page, ALL);
    const search = page.getByRole('searchbox', { name: 'Search photos' });
    await search.pressSequentially('harb', { delay: 40 });
    await shows(page, ['Harbour at dawn']);
    expect(query(page).get('q')).toBe('harb');
    await search.fill('nothing like it');
    await page.getByText('No photos match.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await shows(page, ALL);
    expect(await search.inputValue()).toBe('');
    await context.close();
  });

  it('adds tag chips from suggestions, and every chip must match', async () => {
    const { context, page } = await suite.open(DESKTOP, admin);
    await page.goto('/search');
    await page.getByRole('heading', { name: 'Search' }).waitFor();
    await page.getByRole('button', { name: 'Filters' }).click();
    const input = page.getByRole('combobox', { name: 'Filter by tag' });
    await input.pressSequentially('bo');
    await page.getByRole('option', { name: /boat/ }).click();
    await shows(page, ['Harvest field', 'Harbour at dawn']);
    await input.pressSequentially('se');
    await page.getByRole('option', { name: /sea/ }).waitFor();
    await input.press('ArrowDown');
    await input.press('Enter');
    await shows(page, ['Harbour at dawn']);
    expect(query(page).getAll('tag')).toEqual(['boat', 'sea']);
    // Back takes the last chip off; the chip's × does the same.
    await page.goBack();
    await shows(page, ['Harvest field', 'Harbour at dawn']);
    await page.getByRole('button', { name: 'Remove tag boat' }).click();
    await shows(page, ALL);
    await context.close();
  });

  it('narrows to the dates taken, and sorts by date taken', async () => {
    const { context, page } = await suite.open(DESKTOP, admin);
    await page.goto(gallery());
    await shows(page, ALL);
    await page.getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Newest taken' });
    await shows(page, ['Harbour at dawn', 'Harvest field', 'Mountain lake', 'Zebra crossing']);
    await page.getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Oldest taken' });
    expect(query(page).get('sort')).toBe('taken');
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByLabel('Taken from').fill('2022-07-10');
    await shows(page, ['Mountain lake', 'Harvest field', 'Harbour at dawn']);
    await page.getByLabel('Taken to').fill('2023-12-31');
    await shows(page, ['Mountain lake', 'Harvest field']);
    expect([query(page).get('from'), query(page).get('to')]).toEqual(['2022-07-10', '2023-12-31']);
    await context.close();
  });

  it('keeps the filters in the address: a reload and Back bring them back', async () => {
    const { context, page } = await suite.open(DESKTOP, admin);
    await page.goto('/search?tag=sea&from=2023-01-01&sort=title');
    await shows(page, ['Harbour at dawn']);
    await page.reload();
    await shows(page, ['Harbour at dawn']);
    await expect(page.getByLabel('Taken from').inputValue()).resolves.toBe('2023-01-01');
    await page.getByRole('list', { name: 'Tags' }).getByText('sea').waitFor();
    await page.getByRole('link', { name: 'Galleries', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
    await page.goBack();
    await shows(page, ['Harbour at dawn']);
    expect(await page.getByRole('combobox', { name: 'Sort' }).inputValue()).toBe('title');
    // The camera, any case: the photo without EXIF is not one of them.
    await page.goto('/search?camera=canon%20eos%20r5');
    await shows(page, ['Mountain lake', 'Harvest field', 'Harbour at dawn']);
    expect(await page.getByLabel('Camera').inputValue()).toBe('canon eos r5');
    await context.close();
  });

  it('stars a photo in the viewer (kept after a reload), and shows the starred only', async () => {
    const { context, page } = await suite.open(DESKTOP, admin);
    await page.goto(gallery());
    await page.getByRole('link', { name: 'Mountain lake' }).click();
    const star = page.getByRole('dialog').getByRole('button', { name: 'Star' });
    expect(await star.getAttribute('aria-pressed')).toBe('false');
    await star.click();
    await page.waitForFunction(() => document.querySelector('.star')?.getAttribute('aria-pressed') === 'true');
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Mountain lake' }).locator('.star-badge').waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByLabel('Starred only').check();
    await shows(page, ['Mountain lake']);
    expect(query(page).get('starred')).toBe('1');
    await page.getByRole('link', { name: 'Mountain lake' }).click();
    expect(await star.getAttribute('aria-pressed')).toBe('true');
    // Refused: the star goes back, and the notice says why.
    await page.route('**/favorite', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: '{"message":"Try again later."}' }),
    );
    await star.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Try again later.').waitFor();
    expect(await star.getAttribute('aria-pressed')).toBe('true');
    await context.close();
  });

  it('edits tags in the viewer, with suggestions, and says what the server refuses', async () => {
    const { context, page } = await suite.open(DESKTOP, admin);
    await page.goto(`${gallery()}/images/${ids['Zebra crossing']}`);
    const dialog = page.getByRole('dialog');
    const input = dialog.getByRole('combobox', { name: 'Add a tag' });
    await input.pressSequentially('fi');
    await dialog.getByRole('option', { name: /field/ }).click();
    await dialog.getByRole('button', { name: 'Remove tag field' }).waitFor();
    await input.fill('street');
    await input.press('Enter');
    await dialog.getByRole('button', { name: 'Remove tag street' }).waitFor();
    const tagsOf = async () => (await call('GET', `/api/gallery/images/${ids['Zebra crossing']}`)).json().tags;
    expect(await tagsOf()).toEqual(['field', 'street']);
    await dialog.getByRole('button', { name: 'Remove tag field' }).click();
    await page.waitForFunction(() => !document.querySelector('[aria-label="Remove tag field"]'));
    expect(await tagsOf()).toEqual(['street']);
    await input.fill('x'.repeat(65));
    await input.press('Enter');
    await dialog.getByRole('alert').filter({ hasText: 'at most 64 characters' }).waitFor();
    expect(await tagsOf()).toEqual(['street']);
    await context.close();
  });

  it("shows a Subscriber the tags and the camera's facts, with no tag editor", async () => {
    const { context, page } = await suite.open(DESKTOP, subscriber);
    await page.goto(`${gallery()}/images/${ids['Harbour at dawn']}`);
    const dialog = page.getByRole('dialog');
    const tags = dialog.getByRole('list', { name: 'Tags' });
    await tags.waitFor();
    expect(await tags.getByRole('listitem').allTextContents()).toEqual(['boat', 'sea']);
    expect(await dialog.getByRole('combobox').count()).toBe(0);
    expect(await dialog.getByRole('button', { name: /Remove tag/ }).count()).toBe(0);
    const facts = await dialog.locator('.facts').innerText();
    for (const fact of ['Canon EOS R5', 'RF24-105mm F4 L IS USM', '50 mm', 'ƒ/2.8', '1/250 s', '400'])
      expect(facts).toContain(fact);
    await noSeriousViolations(page, 'viewer with tags (subscriber)');
    await context.close();
  });

  it('opens and closes the filter bar on a phone, within the screen, axe clean', async () => {
    const { context, page } = await suite.open(PHONE, admin);
    await page.goto(gallery());
    await shows(page, ALL);
    const toggle = page.getByRole('button', { name: 'Filters' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByLabel('Taken from').count()).toBe(0);
    await toggle.click();
    await page.getByLabel('Taken from').waitFor();
    await page.getByRole('combobox', { name: 'Filter by tag' }).pressSequentially('s');
    await page.getByRole('option', { name: /sea/ }).waitFor();
    const { width, outside } = await overflowOf(page, PHONE.width);
    expect({ wider: width > PHONE.width ? width : null, outside }).toEqual({ wider: null, outside: [] });
    await noSeriousViolations(page, 'filter bar open (phone)');
    // The grid stays below the bar, not under it.
    const bar = await page.locator('.filter-bar').boundingBox();
    const grid = await page.locator('.justified').boundingBox();
    expect(grid!.y).toBeGreaterThanOrEqual(bar!.y + bar!.height);
    await toggle.click();
    expect(await page.getByLabel('Taken from').count()).toBe(0);
    await page.goto('/search');
    await page.getByRole('heading', { name: 'Search' }).waitFor();
    await shows(page, ALL);
    await noSeriousViolations(page, 'search (phone)');
    await context.close();
  });
});
