// Select mode in a gallery's grid, in Chromium: a click toggles a photo, Shift+click selects a
// range, the keyboard does the same (arrows, Space, Shift+Space, Ctrl+A, Esc); the selection is
// moved to another gallery, moved to the trash and brought back with Undo (a photo gone meanwhile
// is named as not moved, the others leave the grid), and downloaded as one zip holding those
// photos. A Subscriber selects and downloads, and is offered neither move nor trash. On a phone
// the toolbar stays on screen while the grid scrolls, every button can be tapped, and axe finds
// nothing serious at either size. With the trash off (TRASH_DAYS=0), Move to trash says the
// photos are deleted for good, with no Undo.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

import { login, send } from '../helpers/server-process';
import { readZip } from '../helpers/zip';
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
  upload,
  type Credentials,
  type Viewport,
} from './browser';
import { overflowOf } from './measure';

jest.setTimeout(120_000);
/** Screenshots beside the other screens' (test-results/web/, not committed). */
const SHOTS = join(resolve(__dirname, '../..'), 'test-results', 'web');

type Auth = Record<string, string>;

describeWeb('selecting photos in a gallery', () => {
  let auth: Auth;
  const admin = { username: `admin${Date.now() % 100000}`, password: 'an admin password here' };
  let galleries = 0;
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

  /** A gallery of `count` photos titled "<name> 1"…; their ids in the order of upload. */
  async function newGallery(count: number, name = `Picks ${++galleries}`) {
    const id = (await postJson(suite.server.url, auth, '/api/gallery/galleries/', { name })).id as number;
    const ids: number[] = [];
    for (let i = 1; i <= count; i++) {
      const [w, h] = i % 3 === 0 ? [480, 640] : [640, 420];
      ids.push(await upload(suite.server.url, auth, id, `${name} ${i}`, await photo(w, h, galleries * 10 + i)));
    }
    return { id, name, ids };
  }

  /** The ids of a gallery's images, as the server lists them (oldest first). */
  async function idsIn(galleryId: number): Promise<number[]> {
    const reply = await call('GET', `/api/gallery/view-images?gallery=${galleryId}&sort=created&limit=100`);
    return (JSON.parse(reply.body.toString()) as { id: number }[]).map((image) => image.id);
  }

  /** The gallery in select mode, oldest first (the grid in upload order). */
  async function selecting(
    galleryId: number,
    viewport: Viewport = DESKTOP,
    who: Credentials = suite.world.credentials,
  ) {
    const { context, page } = await suite.open(viewport, who, { touch: false });
    const uncaught = uncaughtErrors(page);
    await page.goto(`/galleries/${galleryId}?sort=created`);
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    await tiles(page).first().waitFor();
    return { context, page, uncaught };
  }

  const tiles = (page: Page) => page.getByRole('list', { name: 'Images to select' }).getByRole('button');
  const toolbar = (page: Page) => page.getByRole('toolbar', { name: 'Selected photos' });
  /** Which tiles are pressed, in grid order. */
  const pressed = (page: Page) =>
    tiles(page).evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-pressed') === 'true'));
  const countText = (page: Page) => toolbar(page).getByRole('status').textContent();
  const focusedIndex = (page: Page) =>
    page.evaluate(() => Number((document.activeElement as HTMLElement | null)?.dataset.index ?? -1));
  const shownCount = async (page: Page) =>
    Number(/^(\d+) image/.exec((await page.locator('p.meta').textContent()) ?? '')?.[1] ?? NaN);

  it('toggles a photo with a click, selects a range with Shift+click, and leaves with Esc', async () => {
    const { id } = await newGallery(6);
    const { context, page, uncaught } = await selecting(id);
    await tiles(page).nth(0).click();
    expect(await pressed(page)).toEqual([true, false, false, false, false, false]);
    expect(await countText(page)).toBe('1 selected');
    // The check is drawn on the selected tile only.
    const check = (n: number) => tiles(page).nth(n).locator('.check');
    const checkColour = (n: number) => check(n).evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(await checkColour(0)).not.toBe(await checkColour(1));
    await tiles(page).nth(0).click();
    expect(await pressed(page)).toEqual([false, false, false, false, false, false]);

    await tiles(page).nth(1).click();
    await tiles(page)
      .nth(4)
      .click({ modifiers: ['Shift'] });
    expect(await pressed(page)).toEqual([false, true, true, true, true, false]);
    expect(await countText(page)).toBe('4 selected');
    // A click does not open the viewer in select mode.
    expect(await page.getByRole('dialog').count()).toBe(0);
    await toolbar(page).getByRole('button', { name: 'Clear' }).click();
    expect(await countText(page)).toBe('0 selected');

    await page.keyboard.press('Escape');
    await toolbar(page).waitFor({ state: 'detached' });
    const select = page.getByRole('button', { name: 'Select', exact: true });
    await page.waitForFunction(() => document.activeElement?.textContent === 'Select');
    expect(await select.isVisible()).toBe(true);
    // Out of select mode a tile opens the viewer again.
    await page.locator('.justified a').first().click();
    await page.getByRole('dialog').waitFor();
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('selects with the keyboard: arrows move, Space toggles, Shift+Space a range, Ctrl+A all, Esc leaves', async () => {
    const { id } = await newGallery(8);
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials, { touch: false });
    await page.goto(`/galleries/${id}?sort=created`);
    await page.getByRole('button', { name: 'Select', exact: true }).focus();
    await page.keyboard.press('Enter');
    await tiles(page).first().waitFor();
    await page.waitForFunction(() => (document.activeElement as HTMLElement).dataset.index === '0');
    await page.keyboard.press('Space');
    expect((await pressed(page)).slice(0, 3)).toEqual([true, false, false]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await focusedIndex(page)).toBe(2);
    await page.keyboard.press('Shift+Space');
    expect((await pressed(page)).slice(0, 4)).toEqual([true, true, true, false]);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    expect((await pressed(page)).slice(0, 4)).toEqual([true, false, true, false]);
    expect(await countText(page)).toBe('2 selected');

    // Down: to a tile of the next row. Tab: to the next tile.
    const top = (n: number) =>
      tiles(page)
        .nth(n)
        .evaluate((e) => e.getBoundingClientRect().top);
    const before = await focusedIndex(page);
    await page.keyboard.press('ArrowDown');
    const below = await focusedIndex(page);
    expect(await top(below)).toBeGreaterThan(await top(before));
    await page.keyboard.press('ArrowUp');
    const back = await focusedIndex(page);
    expect(await top(back)).toBe(await top(before));
    await page.keyboard.press('Tab');
    expect(await focusedIndex(page)).toBe(back + 1);

    await page.keyboard.press('Control+a');
    expect(await pressed(page)).toEqual(new Array(8).fill(true));
    expect(await countText(page)).toBe('8 selected');
    await page.keyboard.press('Escape');
    await toolbar(page).waitFor({ state: 'detached' });
    await context.close();
  });

  it('moves the selection to another gallery: they leave the grid at once', async () => {
    const from = await newGallery(5);
    const to = await newGallery(1, 'Somewhere else');
    const { context, page, uncaught } = await selecting(from.id);
    await tiles(page).nth(1).click();
    await tiles(page).nth(3).click();
    await toolbar(page).getByRole('button', { name: 'Move to…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move 2 photos to…' });
    const targets = dialog.getByRole('list', { name: 'Galleries' });
    await targets.waitFor();
    // Not the gallery they are in.
    expect(await targets.getByRole('button', { name: from.name, exact: true }).count()).toBe(0);
    await targets.getByRole('button', { name: to.name, exact: true }).click();
    await page.getByText('2 photos moved to Somewhere else').waitFor();
    expect(await tiles(page).count()).toBe(3);
    expect(await shownCount(page)).toBe(3);
    expect(await idsIn(to.id)).toEqual([to.ids[0], from.ids[1], from.ids[3]].sort((a, b) => a - b));
    expect(await idsIn(from.id)).toEqual([from.ids[0], from.ids[2], from.ids[4]]);
    expect(await countText(page)).toBe('0 selected');
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('offers as targets only the galleries the user may add photos to: their own, and where they are an editor', async () => {
    const from = await newGallery(1, 'Mine to move from');
    const mine = await newGallery(0, 'Mine as well');
    // Another Beta Player's galleries: one where this user is an editor, one they only see.
    await createAdmin(suite.world.db, admin);
    const adminAuth = await login(suite.server.url, admin);
    const other = { username: `other${Date.now() % 100000}`, password: 'a long enough password' };
    const registered = await call('POST', '/api/auth/register', {
      ...other,
      email: `${other.username}@example.test`,
      password2: other.password,
      role: 'subscriber',
    });
    expect(registered.status).toBe(201);
    const otherId = registered.json().id as number;
    const promoted = await call('PATCH', `/api/admin/users/${otherId}`, { role: 'beta_player' }, adminAuth);
    expect(promoted.status).toBe(200);
    const otherAuth = await login(suite.server.url, other);
    const editing = (await postJson(suite.server.url, otherAuth, '/api/gallery/galleries/', { name: 'Theirs, I edit' }))
      .id as number;
    await postJson(suite.server.url, otherAuth, '/api/gallery/galleries/', { name: 'Theirs, I only see' });
    await postJson(suite.server.url, otherAuth, `/api/gallery/galleries/${editing}/members/`, {
      username: suite.world.credentials.username,
      role: 'editor',
    });

    // The user sees all of them (shared galleries).
    const seen = JSON.parse((await call('GET', '/api/gallery/galleries?limit=100')).body.toString()) as {
      name: string;
    }[];
    expect(seen.map((g) => g.name)).toEqual(expect.arrayContaining(['Theirs, I edit', 'Theirs, I only see']));

    const { context, page } = await selecting(from.id);
    await tiles(page).nth(0).click();
    await toolbar(page).getByRole('button', { name: 'Move to…' }).click();
    const targets = page.getByRole('dialog').getByRole('list', { name: 'Galleries' });
    await targets.waitFor();
    const names = await targets.getByRole('button').allTextContents();
    expect(names).toEqual(expect.arrayContaining([mine.name, 'Theirs, I edit']));
    expect(names).not.toContain('Theirs, I only see');
    expect(names).not.toContain(from.name);
    // Esc closes it without a move, and focus goes back to "Move to…".
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Move to…');
    expect(await tiles(page).count()).toBe(1);
    await context.close();
  });

  it('moves the selection to the trash, names one that could not go, and brings the others back with Undo', async () => {
    const { id, ids } = await newGallery(5);
    const { context, page, uncaught } = await selecting(id);
    for (const n of [0, 2, 4]) await tiles(page).nth(n).click();
    // One of them is deleted behind the page's back: the server refuses that one only (207).
    expect((await call('DELETE', `/api/gallery/images/${ids[4]}/`)).status).toBe(200);
    await toolbar(page).getByRole('button', { name: 'Move to trash' }).click();
    await page
      .locator('.notice')
      .getByText(/^2 photos moved to the trash \(deleted for good on .+\)$/)
      .waitFor();
    await page
      .getByRole('alert')
      .filter({ hasText: /^1 could not be moved to the trash: / })
      .waitFor();
    expect(await tiles(page).count()).toBe(3);
    expect(await shownCount(page)).toBe(3);
    // The one that failed stays selected; the ones trashed are in the trash.
    expect(await countText(page)).toBe('1 selected');
    expect(await idsIn(id)).toEqual([ids[1], ids[3]]);
    const trash = JSON.parse((await call('GET', '/api/gallery/trash/?limit=100')).body.toString()) as { id: number }[];
    expect(trash.map((entry) => entry.id)).toEqual(expect.arrayContaining([ids[0], ids[2]]));

    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('2 photos restored').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 4);
    expect(await idsIn(id)).toEqual([ids[0], ids[1], ids[2], ids[3]]);
    await page.waitForFunction(() => /^4 images/.test(document.querySelector('p.meta')?.textContent ?? ''));
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('downloads the selection as one zip of those photos, in grid order', async () => {
    const { id, ids, name } = await newGallery(4);
    const { context, page } = await selecting(id);
    await tiles(page).nth(3).click();
    await tiles(page).nth(1).click();
    const saved = page.waitForEvent('download');
    await toolbar(page).getByRole('link', { name: 'Download' }).click();
    const download = await saved;
    const zip = readZip(await download.path());
    expect(zip.manifest.images.map((image) => image.id)).toEqual([ids[1], ids[3]]);
    expect(zip.entries.map((entry) => entry.name)).toEqual([`${name} 2.jpg`, `${name} 4.jpg`, 'manifest.json']);
    await context.close();
  });

  it('lets a Subscriber select and download, without move or trash', async () => {
    const { id, ids } = await newGallery(3);
    const username = `sub${Date.now() % 100000}`;
    const subscriber = { username, password: 'a long enough password' };
    const registered = await call('POST', '/api/auth/register', {
      ...subscriber,
      email: `${username}@example.test`,
      password2: subscriber.password,
      role: 'subscriber',
    });
    expect(registered.status).toBe(201);
    const { context, page, uncaught } = await selecting(id, DESKTOP, subscriber);
    await tiles(page).nth(0).click();
    await tiles(page)
      .nth(2)
      .click({ modifiers: ['Shift'] });
    expect(await countText(page)).toBe('3 selected');
    expect(await toolbar(page).getByRole('button', { name: 'Move to…' }).count()).toBe(0);
    expect(await toolbar(page).getByRole('button', { name: 'Move to trash' }).count()).toBe(0);
    const saved = page.waitForEvent('download');
    await toolbar(page).getByRole('link', { name: 'Download' }).click();
    const zip = readZip(await (await saved).path());
    expect(zip.manifest.images.map((image) => image.id)).toEqual(ids);
    await noSeriousViolations(page, 'select mode, a Subscriber');
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it.each([
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ])('keeps the toolbar on screen and usable at %s size, axe clean', async (_, viewport) => {
    const { id } = await newGallery(24);
    const { context, page, uncaught } = await selecting(id, viewport);
    await tiles(page).nth(0).click();
    await tiles(page).nth(1).click();
    expect(await overflowOf(page, viewport.width)).toEqual({ width: viewport.width, outside: [] });
    await noSeriousViolations(page, `select mode (${viewport.width} px)`);

    // Scrolled to the end: the toolbar is still at the top of the window, its buttons whole.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(100);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(200);
    const bar = (await toolbar(page).boundingBox())!;
    expect(bar.y).toBeGreaterThanOrEqual(0);
    expect(bar.y + bar.height).toBeLessThan(viewport.height / 3);
    for (const button of await toolbar(page).locator('button, a').all()) {
      const box = (await button.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      // Nothing lies over it: the point at its middle is the button itself.
      const hit = await page.evaluate(
        ({ x, y }) => document.elementFromPoint(x, y)?.closest('button, a')?.textContent,
        { x: box.x + box.width / 2, y: box.y + box.height / 2 },
      );
      expect(hit).toBe(await button.textContent());
    }
    await tiles(page).last().click();
    expect(await countText(page)).toBe('3 selected');
    await page.screenshot({ path: join(SHOTS, `select-${viewport.width}.png`) });
    await toolbar(page).getByRole('button', { name: 'Clear' }).click();
    expect(await countText(page)).toBe('0 selected');
    expect(await overflowOf(page, viewport.width)).toEqual({ width: viewport.width, outside: [] });
    expect(uncaught).toEqual([]);
    await context.close();
  });
});

describeWeb('selecting photos with the trash off (TRASH_DAYS=0)', () => {
  const suite = browserSuite({
    beforeServer: (world) => {
      Object.assign(world.env, { TRASH_DAYS: '0' });
      return Promise.resolve();
    },
  });

  it('says the photos are deleted for good, and offers no Undo', async () => {
    const { server, world } = suite;
    const auth = await login(server.url, world.credentials);
    const ids: number[] = [];
    for (let i = 1; i <= 3; i++)
      ids.push(await upload(server.url, auth, world.galleryId, `Gone ${i}`, await photo(320, 240, i)));
    const { context, page } = await suite.open(DESKTOP, world.credentials, { touch: false });
    const uncaught = uncaughtErrors(page);
    await page.goto(`/galleries/${world.galleryId}?sort=created`);
    await page.getByRole('button', { name: 'Select', exact: true }).click();
    const grid = page.getByRole('list', { name: 'Images to select' }).getByRole('button');
    await grid.nth(0).click();
    await grid.nth(1).click();
    await page.getByRole('toolbar').getByRole('button', { name: 'Move to trash' }).click();
    await page.locator('.notice').getByText('2 photos deleted for good').waitFor();
    expect(await page.locator('.notice').getByRole('button', { name: 'Undo' }).count()).toBe(0);
    expect(await grid.count()).toBe(1);
    const status = async (id: number) =>
      (await send(server.url, { method: 'GET', path: `/api/gallery/images/${id}/`, headers: auth })).status;
    expect([await status(ids[0]), await status(ids[1]), await status(ids[2])]).toEqual([404, 404, 200]);
    expect(uncaught).toEqual([]);
    await context.close();
  });
});
