// The viewer and the browser's history and focus, in Chromium: closing the viewer leaves no entry
// that Back would reopen, a photo seen through a share link has its own address (that survives a
// reload), and closing puts focus on the thumbnail of the photo shown last, not the first one opened.
import { chromium, type Browser, type Page } from 'playwright-core';

import { login, prepareWorld, startServer, stopAllServers, type ServerProcess } from '../helpers/server-process';
import { describeWeb, DESKTOP, LAUNCH, photo, postJson, runAlone, upload } from './browser';

jest.setTimeout(60_000);

describeWeb('the viewer, the history and the focus', () => {
  let release: () => void = () => {};
  let server: ServerProcess;
  let browser: Browser;
  let world: Awaited<ReturnType<typeof prepareWorld>>;
  let galleryId: number;
  let shareKey: string;

  beforeAll(async () => {
    release = await runAlone();
    world = await prepareWorld();
    server = await startServer(world.env);
    browser = await chromium.launch(LAUNCH);
    const auth = await login(server.url, world.credentials);
    galleryId = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Walks' })).id as number;
    for (let i = 1; i <= 3; i++) await upload(server.url, auth, galleryId, `Walk ${i}`, await photo(480, 320, i));
    shareKey = (await postJson(server.url, auth, `/api/gallery/galleries/${galleryId}/links/`, {})).key as string;
  }, 420_000); // with the wait for the other browser test files

  afterAll(async () => {
    await browser?.close();
    await stopAllServers();
    await world?.close();
    release();
  });

  /** A desktop page, signed in as the gallery's owner or not signed in. */
  async function open(signedIn: boolean) {
    const context = await browser.newContext({ baseURL: server.url, viewport: DESKTOP });
    if (signedIn) {
      const reply = await context.request.post('/api/auth/session', { data: world.credentials });
      expect(reply.status()).toBe(200);
    }
    return { context, page: await context.newPage() };
  }

  const tiles = (page: Page) => page.locator('.justified a');
  const dialogs = (page: Page) => page.getByRole('dialog').count();
  const path = (page: Page) => new URL(page.url()).pathname;

  /** The names of the tiles, in the grid's order, once all three are there. */
  async function tileNames(page: Page): Promise<string[]> {
    await page.waitForFunction(() => document.querySelectorAll('.justified a').length === 3);
    return Promise.all([0, 1, 2].map(async (i) => (await tiles(page).nth(i).getAttribute('aria-label'))!));
  }

  /** Waits until the viewer shows `name`. */
  const showing = (page: Page, name: string) => page.getByRole('dialog').getByRole('heading', { name }).waitFor();

  it('closing the viewer opened from the grid leaves no entry: Back does not reopen the photo', async () => {
    const { context, page } = await open(true);
    const gallery = `/galleries/${galleryId}`;
    await page.goto('/');
    await page.getByRole('link', { name: 'Walks' }).click();
    await page.getByRole('heading', { name: 'Walks' }).waitFor();
    const names = await tileNames(page);
    const firstPhoto = (await tiles(page).first().getAttribute('href'))!;
    for (const close of ['Escape', 'Close'] as const) {
      await tiles(page).first().click();
      await showing(page, names[0]);
      if (close === 'Escape') await page.keyboard.press('Escape');
      else await page.getByRole('button', { name: 'Close viewer' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      expect(path(page)).toBe(gallery);
    }
    // Back leaves the gallery for the galleries: the photo is not opened again.
    await page.goBack();
    await page.getByRole('heading', { name: 'Galleries' }).waitFor();
    expect({ path: path(page), dialogs: await dialogs(page) }).toEqual({ path: '/', dialogs: 0 });

    // Loaded on the photo's address: closing takes its place, so Back does not come back to it.
    await page.goto(firstPhoto);
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(path(page)).toBe(gallery);
    await page.goBack();
    await page.getByRole('heading', { name: 'Galleries' }).waitFor();
    expect({ path: path(page), dialogs: await dialogs(page) }).toEqual({ path: '/', dialogs: 0 });
    await context.close();
  });

  it("gives a share link's photos their own address, which opens the viewer on a reload", async () => {
    const { context, page } = await open(false);
    const home = `/share/${shareKey}`;
    await page.goto(home);
    const names = await tileNames(page);
    await tiles(page).nth(1).click();
    await showing(page, names[1]);
    const address = path(page);
    expect(address).toMatch(new RegExp(`^${home}/images/\\d+$`));
    await page.reload();
    await showing(page, names[1]);
    expect(path(page)).toBe(address);
    // Moving names the photo now shown, in place of the entry; closing goes back to the share page.
    await page.keyboard.press('ArrowRight');
    await showing(page, names[2]);
    expect(path(page)).toMatch(new RegExp(`^${home}/images/\\d+$`));
    expect(path(page)).not.toBe(address);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect(path(page)).toBe(home);
    await context.close();
  });

  it('puts focus on the thumbnail of the photo shown last when the viewer closes (Esc or Close)', async () => {
    for (const [where, signedIn] of [
      [`/galleries/${galleryId}`, true],
      [`/share/${shareKey}`, false],
    ] as const) {
      const { context, page } = await open(signedIn);
      await page.goto(where);
      const names = await tileNames(page);
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);
      await tiles(page).first().focus();
      await page.keyboard.press('Enter');
      await showing(page, names[0]);
      await page.keyboard.press('ArrowRight');
      await showing(page, names[1]);
      await page.keyboard.press('ArrowRight');
      await showing(page, names[2]);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      expect({ where, focused: await focused() }).toEqual({ where, focused: names[2] });

      await page.keyboard.press('Enter');
      await showing(page, names[2]);
      await page.keyboard.press('ArrowLeft');
      await showing(page, names[1]);
      await page.getByRole('button', { name: 'Close viewer' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      expect({ where, focused: await focused() }).toEqual({ where, focused: names[1] });
      await context.close();
    }
  });
});
