// Failures the web app must say out loud, in Chromium: the galleries list offline (a message, a
// "Try again" that works once back online, no uncaught error), a link to a photo beyond the first
// page and to a photo that does not exist, and the settings of a gallery opened by its address by
// someone who may not manage it.
import type { Page } from 'playwright-core';

import { login } from '../helpers/server-process';
import { browserSuite, createAdmin, describeWeb, DESKTOP, jpeg, postJson, uncaughtErrors, upload } from './browser';

jest.setTimeout(90_000);

describeWeb('the web app when something fails', () => {
  const admin = { username: `admin${Date.now() % 100000}`, password: 'an admin password here' };
  let big: number;
  const ids: number[] = [];

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      await createAdmin(world.db, admin);
      const auth = await login(server.url, admin);
      // More photos than one page of the gallery screen (60).
      big = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Many photos' })).id as number;
      for (let i = 1; i <= 64; i++) ids.push(await upload(server.url, auth, big, `Photo ${i}`, await jpeg(40, 30, i)));
      await postJson(server.url, auth, `/api/gallery/galleries/${big}/members`, {
        username: world.credentials.username,
        role: 'viewer',
      });
    },
  });

  /** A desktop page signed in as `who`, recording the uncaught errors of its scripts. */
  async function open(who: { username: string; password: string }) {
    const { context, page } = await suite.open(DESKTOP, who);
    return { context, page, uncaught: uncaughtErrors(page) };
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true }).first().waitFor();

  it('says the galleries could not be loaded when offline, and "Try again" loads them once back', async () => {
    const { context, page, uncaught } = await open(admin);
    // Opened with the list unreachable (the page itself and the session load).
    await page.route('**/api/gallery/galleries**', (route) => route.abort('internetdisconnected'));
    await page.goto('/');
    await heading(page, 'Galleries');
    await page.getByRole('alert').filter({ hasText: 'could not be reached' }).waitFor();
    expect(uncaught).toEqual([]);
    const retry = page.getByRole('button', { name: 'Try again' });
    await retry.waitFor();
    await page.unroute('**/api/gallery/galleries**');
    await retry.click();
    await page.getByRole('link', { name: 'Many photos' }).waitFor();
    expect(await retry.count()).toBe(0);
    // Going offline later: the app's own navigation (no page load) asks the server again.
    await context.setOffline(true);
    await page.getByLabel('Search').fill('Many');
    await page.getByRole('alert').filter({ hasText: 'could not be reached' }).waitFor();
    await context.setOffline(false);
    await retry.click();
    await page.getByRole('link', { name: 'Many photos' }).waitFor();
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('opens the viewer from a link to a photo beyond the first page', async () => {
    const { context, page, uncaught } = await open(admin);
    // The newest upload comes first: the first photo uploaded is on the second page.
    await page.goto(`/galleries/${big}/images/${ids[0]}`);
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByText('Photo 1', { exact: true }).first().waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(new URL(page.url()).pathname).toBe(`/galleries/${big}`);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('says a linked photo does not exist, with a link back to the gallery', async () => {
    const { context, page, uncaught } = await open(admin);
    await page.goto(`/galleries/${big}/images/987654`);
    await heading(page, 'Photo not found');
    await page.getByRole('alert').filter({ hasText: 'does not exist' }).waitFor();
    await page.getByRole('link', { name: 'Back to the gallery' }).click();
    await page.waitForURL((url) => url.pathname === `/galleries/${big}`);
    expect(await page.getByRole('heading', { name: 'Photo not found' }).count()).toBe(0);
    expect(uncaught).toEqual([]);
    await context.close();
  });

  it('refuses the settings in the page to someone who may not manage the gallery', async () => {
    const { context, page } = await open(suite.world.credentials);
    await page.goto(`/galleries/${big}/settings`);
    await page.getByText('Only the owner of this gallery or an admin can manage it.').waitFor();
    expect(await page.getByRole('form', { name: 'Add a member' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create link' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Back to the gallery' }).click();
    await heading(page, 'Many photos');
    await context.close();
    // The owner's own page still shows the forms.
    const owner = await open(admin);
    await owner.page.goto(`/galleries/${big}/settings`);
    await owner.page.getByRole('form', { name: 'Add a member' }).waitFor();
    await owner.context.close();
  });
});
