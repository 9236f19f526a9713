// The trash in the web app, in Chromium: /trash (linked from the navigation for those who may
// delete) lists a trashed photo, with its ThumbHash placeholder, its gallery, when it was trashed
// and the day it goes for good, and a trashed gallery; Restore, several restored together, Delete
// forever and Empty trash (both asked first) do what they say on the server. Deleting a photo in
// the viewer or a gallery says it went to the trash, with Undo. A long trash comes a page at a
// time as it scrolls. At phone and desktop size nothing is wider than the screen and axe finds
// nothing serious; a Subscriber has no trash.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

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
import { overflowOf } from './measure';

jest.setTimeout(120_000);
const SHOTS = join(resolve(__dirname, '../..'), 'test-results', 'web');

type Auth = Record<string, string>;
type Entry = { type: string; id: number; trashedAt: string; purgeAt: string | null };

describeWeb('the trash in the web app', () => {
  let auth: Auth;
  let made = 0;
  const suite = browserSuite({
    setup: async ({ server, world }) => {
      mkdirSync(SHOTS, { recursive: true });
      auth = await login(server.url, world.credentials);
    },
  });

  function call(method: string, path: string, data?: unknown, who: Auth = auth) {
    return send(suite.server.url, {
      method,
      path,
      headers: { ...who, 'Content-Type': 'application/json' },
      body: data === undefined ? undefined : Buffer.from(JSON.stringify(data)),
    });
  }

  /** A gallery with `count` photos titled "<name> 1"…. */
  async function newGallery(count: number) {
    const name = `Trip ${++made}`;
    const id = (await postJson(suite.server.url, auth, '/api/gallery/galleries/', { name })).id as number;
    const ids: number[] = [];
    for (let i = 1; i <= count; i++)
      ids.push(await upload(suite.server.url, auth, id, `${name} photo ${i}`, await photo(320, 240, made * 10 + i)));
    return { id, name, ids };
  }

  const trashed = async (): Promise<Entry[]> =>
    JSON.parse((await call('GET', '/api/gallery/trash/?limit=100')).body.toString()) as Entry[];
  const inTrash = async (type: string, id: number) => (await trashed()).some((e) => e.type === type && e.id === id);
  const imageStatus = async (id: number) => (await call('GET', `/api/gallery/images/${id}/`)).status;

  /** The trash screen, reached through the navigation. */
  async function openTrash(viewport = DESKTOP) {
    const { context, page } = await suite.open(viewport, suite.world.credentials);
    const uncaught = uncaughtErrors(page);
    await page.goto('/');
    if (viewport === PHONE) await page.getByRole('link', { name: 'Trash' }).tap();
    else await page.getByRole('link', { name: 'Trash' }).click();
    await page.getByRole('heading', { name: 'Trash', exact: true }).waitFor();
    await page.waitForFunction(() => !document.querySelector('main [role="status"].muted'));
    return { context, page, uncaught };
  }

  const entry = (page: Page, name: string) =>
    page.getByRole('list', { name: 'In the trash' }).getByRole('listitem').filter({ hasText: name });

  afterEach(async () => {
    // Each test starts from an empty trash.
    expect((await call('DELETE', '/api/gallery/trash/')).status).toBe(200);
  });

  it('lists a trashed photo and a trashed gallery with when they go for good', async () => {
    const { name, ids } = await newGallery(2);
    const other = await newGallery(1);
    expect((await call('DELETE', `/api/gallery/images/${ids[0]}/`)).status).toBe(200);
    expect((await call('DELETE', `/api/gallery/galleries/${other.id}/`)).status).toBe(200);
    const server = await trashed();
    const image = server.find((e) => e.type === 'image' && e.id === ids[0])!;
    expect(image.purgeAt).not.toBeNull();

    const { context, page, uncaught } = await openTrash();
    const photoEntry = entry(page, `${name} photo 1`);
    await photoEntry.waitFor();
    expect(await photoEntry.textContent()).toContain(`in ${name}`);
    expect(await photoEntry.locator(`time[datetime="${image.trashedAt}"]`).count()).toBe(1);
    const purge = photoEntry.locator(`time[datetime="${image.purgeAt}"]`);
    const day = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date(image.purgeAt!));
    expect(await purge.textContent()).toBe(day);
    expect(await photoEntry.textContent()).toContain(`deleted for good on ${day}`);
    // The placeholder from its ThumbHash (its files are not served while it is in the trash).
    const background = await photoEntry.locator('.trash-thumb').evaluate((e) => getComputedStyle(e).backgroundImage);
    expect(background).toMatch(/^url\("data:image\/png/);
    const galleryEntry = entry(page, `Gallery "${other.name}"`);
    expect(await galleryEntry.textContent()).toContain('1 image');
    // Newest first: the gallery was trashed last.
    const names = await page.locator('.trash-entry strong').allTextContents();
    expect(names.slice(0, 2)).toEqual([`Gallery "${other.name}"`, `${name} photo 1`]);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('restores one, and several together', async () => {
    const { id, name, ids } = await newGallery(3);
    for (const imageId of ids) expect((await call('DELETE', `/api/gallery/images/${imageId}/`)).status).toBe(200);
    const { context, page, uncaught } = await openTrash();
    await entry(page, `${name} photo 1`).getByRole('button', { name: 'Restore' }).click();
    await page.getByText(`${name} photo 1 restored`).waitFor();
    expect(await entry(page, `${name} photo 1`).count()).toBe(0);
    expect(await imageStatus(ids[0])).toBe(200);

    await entry(page, `${name} photo 2`).getByRole('checkbox').check();
    await entry(page, `${name} photo 3`).getByRole('checkbox').check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Restore selected' }).click();
    await page.getByText('2 items restored').waitFor();
    expect(await page.getByText('The trash is empty.').isVisible()).toBe(true);
    expect([await imageStatus(ids[1]), await imageStatus(ids[2])]).toEqual([200, 200]);
    const gallery = await call('GET', `/api/gallery/galleries/${id}/`);
    expect(gallery.json().imageCount).toBe(3);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('loads the next page of the trash as the list scrolls', async () => {
    const { ids } = await newGallery(56);
    expect((await call('POST', '/api/gallery/images/bulk', { action: 'trash', ids })).status).toBe(200);
    const { context, page, uncaught } = await openTrash();
    const entries = page.locator('.trash-entry');
    // The first page is 50; the rest comes when the end of the list comes near.
    await entries.nth(49).waitFor();
    expect(await entries.count()).toBe(50);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await entries.nth(55).waitFor();
    expect(await entries.count()).toBe(56);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('deletes for good only once asked: Cancel keeps it, Delete forever removes it', async () => {
    const { name, ids } = await newGallery(1);
    expect((await call('DELETE', `/api/gallery/images/${ids[0]}/`)).status).toBe(200);
    const { context, page } = await openTrash();
    const row = entry(page, `${name} photo 1`);
    await row.getByRole('button', { name: 'Delete forever' }).click();
    const ask = page.getByRole('alertdialog', { name: `Delete ${name} photo 1 forever?` });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);
    expect(await inTrash('image', ids[0])).toBe(true);

    await row.getByRole('button', { name: 'Delete forever' }).click();
    await ask.getByRole('button', { name: 'Delete forever' }).click();
    await page.getByText(`${name} photo 1 deleted for good`).waitFor();
    expect(await row.count()).toBe(0);
    expect(await inTrash('image', ids[0])).toBe(false);
    expect(await imageStatus(ids[0])).toBe(404);
    await context.close();
  });

  it('empties the trash once asked', async () => {
    const { ids } = await newGallery(2);
    const other = await newGallery(1);
    for (const imageId of ids) expect((await call('DELETE', `/api/gallery/images/${imageId}/`)).status).toBe(200);
    expect((await call('DELETE', `/api/gallery/galleries/${other.id}/`)).status).toBe(200);
    const { context, page } = await openTrash();
    await page.getByRole('button', { name: 'Empty trash' }).click();
    await page
      .getByRole('alertdialog', { name: 'Empty the trash?' })
      .getByRole('button', { name: 'Empty trash' })
      .click();
    await page.getByText('Deleted for good: 2 photos, 1 gallery').waitFor();
    await page.getByText('The trash is empty.').waitFor();
    expect(await trashed()).toEqual([]);
    expect((await call('GET', `/api/gallery/galleries/${other.id}/`)).status).toBe(404);
    await context.close();
  });

  it('says a photo deleted in the viewer went to the trash, and Undo brings it back', async () => {
    const { id, name, ids } = await newGallery(2);
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials);
    const uncaught = uncaughtErrors(page);
    await page.goto(`/galleries/${id}/images/${ids[0]}`);
    const viewer = page.getByRole('dialog');
    page.once('dialog', (question) => void question.accept());
    await viewer.getByRole('button', { name: 'Delete' }).click();
    await viewer.waitFor({ state: 'detached' });
    const notice = page.locator('.notice');
    await notice.getByText(new RegExp(`^"${name} photo 1" moved to the trash \\(deleted for good on .+\\)$`)).waitFor();
    expect(await page.locator('.justified li').count()).toBe(1);
    expect(await inTrash('image', ids[0])).toBe(true);
    await notice.getByRole('button', { name: 'Undo' }).click();
    await notice.getByText(`"${name} photo 1" restored`).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 2);
    expect(await imageStatus(ids[0])).toBe(200);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('says a gallery deleted went to the trash, and Undo brings it back and opens it', async () => {
    const { id, name } = await newGallery(1);
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials);
    await page.goto(`/galleries/${id}`);
    page.once('dialog', (question) => void question.accept());
    await page.getByRole('button', { name: 'Delete gallery' }).click();
    await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
    const notice = page.locator('.notice');
    await notice.getByText(new RegExp(`^The gallery "${name}" moved to the trash`)).waitFor();
    expect(await inTrash('gallery', id)).toBe(true);
    await notice.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor();
    expect((await call('GET', `/api/gallery/galleries/${id}/`)).status).toBe(200);
    await context.close();
  });

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('fits a %s screen and is axe clean, with entries and empty', async (size, viewport) => {
    const { name, ids } = await newGallery(1);
    const other = await newGallery(1);
    expect((await call('DELETE', `/api/gallery/images/${ids[0]}/`)).status).toBe(200);
    expect((await call('DELETE', `/api/gallery/galleries/${other.id}/`)).status).toBe(200);
    const { context, page, uncaught } = await openTrash(viewport);
    await entry(page, `${name} photo 1`).waitFor();
    expect(await overflowOf(page, viewport.width)).toEqual({ width: viewport.width, outside: [] });
    await noSeriousViolations(page, `trash (${size})`);
    await page.screenshot({ path: join(SHOTS, `trash-${size}.png`), fullPage: true });
    await page.getByRole('button', { name: 'Empty trash' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Empty trash' }).click();
    await page.getByText('The trash is empty.').waitFor();
    await noSeriousViolations(page, `empty trash (${size})`);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('has no trash for a Subscriber', async () => {
    const username = `viewer${Date.now() % 100000}`;
    const subscriber = { username, password: 'a long enough password' };
    const registered = await call('POST', '/api/auth/register', {
      ...subscriber,
      email: `${username}@example.test`,
      password2: subscriber.password,
      role: 'subscriber',
    });
    expect(registered.status).toBe(201);
    const { context, page } = await suite.open(DESKTOP, subscriber);
    await page.goto('/');
    await page.getByRole('heading', { name: 'Galleries', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Trash' }).count()).toBe(0);
    await page.goto('/trash');
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await context.close();
  });
});
