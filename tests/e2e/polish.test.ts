// The finishing touches of the web app, in Chromium at phone (390 × 844) and desktop (1280 × 800)
// size: when a photo was taken and uploaded, written as people read it in their language (the raw
// value in <time datetime>); a role changed by an admin reaching a page already open, without a
// reload; registering that signs in; a confirmation before a role change or a revoke, which Esc
// and Cancel leave unchanged; typed text in normal weight.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';

import { login, send } from '../helpers/server-process';
import {
  browserSuite,
  createAdmin,
  describeWeb,
  DESKTOP,
  noSeriousViolations,
  PHONE,
  postJson,
  uncaughtErrors,
  upload,
} from './browser';
import { overflowOf } from './measure';

jest.setTimeout(90_000);
const SHOTS = join(resolve(__dirname, '../..'), 'test-results', 'web', 'polish');

type Account = { id: number; username: string; password: string };
type Auth = Record<string, string>;

const SIZES = [
  ['phone', PHONE],
  ['desktop', DESKTOP],
] as const;

/** A JPEG with the capture time (and UTC offset) a camera writes in its EXIF. */
function cameraJpeg(taken: string, offset: string | null, seed: number): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed * 40, g: 120, b: 200 } } })
    .jpeg()
    .withExif({ IFD2: { DateTimeOriginal: taken, ...(offset ? { OffsetTimeOriginal: offset } : {}) } })
    .toBuffer();
}

/** Spaces as one plain space: browsers write a narrow no-break space before AM/PM. */
const plain = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

describeWeb('the finishing touches of the web app', () => {
  const admin = { username: `admin${Date.now() % 100000}`, password: 'an admin password here' };
  let adminAuth: Auth;
  let ownerAuth: Auth;
  let users = 0;
  const photos: { id: number; createdAt: string }[] = [];

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      mkdirSync(SHOTS, { recursive: true });
      await createAdmin(world.db, admin);
      adminAuth = await login(server.url, admin);
      ownerAuth = await login(server.url, world.credentials);
      const files = [
        await cameraJpeg('2024:05:01 12:34:56', null, 1),
        await cameraJpeg('2023:12:24 18:05:00', '+02:00', 2),
      ];
      for (const [i, file] of files.entries()) {
        const id = await upload(server.url, ownerAuth, world.galleryId, `Taken ${i + 1}`, file);
        const image = await call('GET', `/api/gallery/images/${id}`, ownerAuth);
        photos.push({ id, createdAt: image.json().createdAt as string });
      }
    },
  });

  /** One JSON request through the API. */
  function call(method: string, path: string, auth: Auth = {}, data?: unknown) {
    return send(suite.server.url, {
      method,
      path,
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: data === undefined ? undefined : Buffer.from(JSON.stringify(data)),
    });
  }

  /** A new Subscriber, registered through the API. */
  async function newSubscriber(): Promise<Account> {
    const username = `user${Date.now() % 100000}x${++users}`;
    const password = 'a long enough password';
    const reply = await call(
      'POST',
      '/api/auth/register',
      {},
      {
        username,
        email: `${username}@example.test`,
        password,
        password2: password,
        role: 'subscriber',
      },
    );
    expect(reply.status).toBe(201);
    return { id: reply.json().id as number, username, password };
  }

  const roleOf = async (user: Account) => (await call('GET', `/api/admin/users/${user.id}`, adminAuth)).json().role;
  const setRole = async (user: Account, role: string) =>
    expect((await call('PATCH', `/api/admin/users/${user.id}`, adminAuth, { role })).status).toBe(200);

  /** A page at `viewport` (a touch screen at phone size), signed in as `who` when given. */
  async function open(
    viewport: { width: number; height: number },
    who?: { username: string; password: string },
    options: { locale?: string; timezoneId?: string } = {},
  ) {
    const { context, page } = await suite.open(viewport, who ?? null, options);
    return { context, page, uncaught: uncaughtErrors(page) };
  }

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true }).first().waitFor();

  /** Marks the loaded document: the mark is gone if the page is reloaded. */
  const mark = (page: Page) => page.evaluate(() => document.documentElement.setAttribute('data-mark', 'kept'));
  const marked = (page: Page) => page.evaluate(() => document.documentElement.getAttribute('data-mark'));

  for (const [size, viewport] of SIZES) {
    // The phone reads German in Auckland, the desktop American English in New York.
    const locale = size === 'phone' ? 'de-DE' : 'en-US';
    const timezoneId = size === 'phone' ? 'Pacific/Auckland' : 'America/New_York';
    const expected =
      size === 'phone'
        ? ['01.05.2024, 12:34', '24.12.2023, 18:05 (UTC+02:00)']
        : ['May 1, 2024, 12:34 PM', 'Dec 24, 2023, 6:05 PM (UTC+02:00)'];

    it(`writes when a photo was taken and uploaded as people read it, at ${size} size (${locale})`, async () => {
      const { context, page, uncaught } = await open(viewport, suite.world.credentials, { locale, timezoneId });
      const raw = ['2024-05-01T12:34:56', '2023-12-24T18:05:00+02:00'];
      for (const [i, photo] of photos.entries()) {
        await page.goto(`/galleries/${suite.world.galleryId}/images/${photo.id}`);
        const viewer = page.getByRole('dialog');
        await viewer.waitFor();
        if (size === 'phone') await page.getByRole('button', { name: 'Info' }).tap();
        // The camera's own clock, whatever the reader's time zone; its offset when it wrote one.
        const taken = viewer.locator(`time[datetime="${raw[i]}"]`);
        await taken.waitFor();
        expect(plain(await taken.textContent())).toBe(expected[i]);
        expect(await viewer.getByText(raw[i].replace('T', ' ')).count()).toBe(0);
        // The upload: a moment, in the reader's time zone.
        const uploaded = viewer.locator(`time[datetime="${photo.createdAt}"]`);
        const inZone = new Intl.DateTimeFormat(locale, {
          dateStyle: 'medium',
          timeStyle: 'short',
          timeZone: timezoneId,
        });
        expect(plain(await uploaded.textContent())).toBe(plain(inZone.format(new Date(photo.createdAt))));
        expect(await uploaded.isVisible()).toBe(true);
      }
      await page.screenshot({ path: join(SHOTS, `viewer-dates-${size}.png`) });
      await noSeriousViolations(page, `viewer with dates (${size})`);
      expect(uncaught).toEqual([]);
      await context.close();
    });
  }

  it('shows "New gallery" to a Subscriber promoted while the page is open, and takes it away again, without a reload', async () => {
    const user = await newSubscriber();
    const { context, page, uncaught } = await open(DESKTOP, user);
    const newGallery = page.getByRole('button', { name: 'New gallery' });
    await page.goto('/');
    await heading(page, 'Galleries');
    await page.getByText('(Subscriber)').waitFor();
    await mark(page);
    expect(await newGallery.count()).toBe(0);

    // Promoted: the window gets focus back (the user returns from another tab or window).
    await setRole(user, 'beta_player');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await newGallery.waitFor({ timeout: 5000 });
    await page.getByText('(Beta Player)').waitFor();

    // Back to Subscriber: the next move to another screen finds out.
    await setRole(user, 'subscriber');
    await page.getByRole('link', { name: 'Access tokens' }).click();
    await heading(page, 'Access tokens');
    await page.getByRole('link', { name: 'Galleries' }).click();
    await heading(page, 'Galleries');
    await page.getByText('(Subscriber)').waitFor({ timeout: 5000 });
    await newGallery.waitFor({ state: 'detached', timeout: 5000 });

    // Promoted while the tab was hidden: it finds out when it is shown again.
    await setRole(user, 'beta_player');
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await newGallery.waitFor({ timeout: 5000 });

    // Taken back while the form is open: the server's refusal (403) makes the app ask again.
    await newGallery.click();
    await setRole(user, 'subscriber');
    await page.getByRole('form', { name: 'New gallery' }).getByLabel('Name').fill('Not allowed any more');
    await page.getByRole('button', { name: 'Create gallery' }).click();
    await page.getByText('(Subscriber)').waitFor({ timeout: 5000 });
    await newGallery.waitFor({ state: 'detached', timeout: 5000 });

    expect(await marked(page)).toBe('kept');
    expect(uncaught).toEqual([]);
    await context.close();
  });

  for (const [size, viewport] of SIZES) {
    it(`signs in on registering, and lands on the galleries, at ${size} size`, async () => {
      const { context, page, uncaught } = await open(viewport);
      const username = `new${Date.now() % 100000}${size}`;
      await page.goto('/register');
      await heading(page, 'Register');
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Email').fill(`${username}@example.test`);
      await page.getByLabel('Password', { exact: false }).first().fill('a long enough password');
      await page.getByLabel('Password again').fill('a long enough password');
      await page.getByLabel('Account type').selectOption('company_user');
      await page.getByRole('button', { name: 'Register' }).click();
      await heading(page, 'Galleries');
      expect(new URL(page.url()).pathname).toBe('/');
      await page.getByText('(Company User)').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      // The browser's session is the new account's.
      const me = await context.request.get('/api/auth/me');
      expect(me.status()).toBe(200);
      expect((await me.json()) as unknown).toMatchObject({ username });
      const { width, outside } = await overflowOf(page, viewport.width);
      expect({ width: Math.min(width, viewport.width), outside }).toEqual({ width: viewport.width, outside: [] });
      expect(uncaught).toEqual([]);
      await context.close();
    });
  }

  it('stays signed out, with the reason, when registering is refused', async () => {
    const taken = await newSubscriber();
    const { context, page } = await open(DESKTOP);
    await page.goto('/register');
    await page.getByLabel('Username').fill(taken.username);
    await page.getByLabel('Email').fill(`other-${taken.username}@example.test`);
    await page.getByLabel('Password', { exact: false }).first().fill('a long enough password');
    await page.getByLabel('Password again').fill('a long enough password');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('alert').waitFor();
    expect(new URL(page.url()).pathname).toBe('/register');
    expect((await context.request.get('/api/auth/me')).status()).toBe(401);
    await context.close();
  });

  /** The confirmation now open: an alert dialog, modal, wholly on screen. */
  async function confirmation(page: Page, viewport: { width: number; height: number }, name: RegExp) {
    const dialog = page.getByRole('alertdialog', { name });
    await dialog.waitFor();
    const what = name.source.split(/\W+/).slice(0, 3).join('-').toLowerCase();
    await page.screenshot({ path: join(SHOTS, `confirm-${what}-${viewport.width}.png`) });
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
    expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    expect(await page.evaluate(() => document.querySelector('dialog')?.matches(':modal'))).toBe(true);
    return dialog;
  }

  const focusedName = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');

  for (const [size, viewport] of SIZES) {
    it(`asks before revoking a personal token; Esc and Cancel keep it, at ${size} size`, async () => {
      const user = await newSubscriber();
      const userAuth = await login(suite.server.url, user);
      const name = `nightly-${size}`;
      const { token } = (await postJson(suite.server.url, userAuth, '/api/auth/tokens', { name, scope: 'read' })) as {
        token: string;
      };
      const script = { Authorization: `Token ${token}` };
      const { context, page } = await open(viewport, user);
      await page.goto('/tokens');
      await heading(page, 'Access tokens');
      const revoke = page.getByRole('button', { name: `Revoke ${name}` });

      await revoke.click();
      let dialog = await confirmation(page, viewport, new RegExp(`Revoke the token "${name}"\\?`));
      await noSeriousViolations(page, `token revoke confirmation (${size})`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await focusedName(page)).toBe(`Revoke ${name}`);
      await revoke.click();
      dialog = await confirmation(page, viewport, /Revoke the token/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect((await call('GET', '/api/auth/me', script)).status).toBe(200);
      expect(await revoke.isVisible()).toBe(true);

      await revoke.click();
      dialog = await confirmation(page, viewport, /Revoke the token/);
      await dialog.getByRole('button', { name: 'Revoke token' }).click();
      await page.getByText('No personal tokens.').waitFor();
      expect((await call('GET', '/api/auth/me', script)).status).toBe(401);
      await context.close();
    });

    it(`asks before changing a role or revoking a user's tokens; Esc and Cancel change nothing, at ${size} size`, async () => {
      const user = await newSubscriber();
      const userAuth = await login(suite.server.url, user);
      const { context, page } = await open(viewport, admin);
      await page.goto('/admin');
      const role = page.getByLabel(`Role of ${user.username}`, { exact: true });
      await role.waitFor();

      await role.selectOption('beta_player');
      let dialog = await confirmation(page, viewport, new RegExp(`Change the role of ${user.username}\\?`));
      await dialog.getByText('From Subscriber to Beta Player').waitFor();
      await noSeriousViolations(page, `role change confirmation (${size})`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await role.inputValue()).toBe('subscriber');
      await role.selectOption('beta_player');
      dialog = await confirmation(page, viewport, /Change the role/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await role.inputValue()).toBe('subscriber');
      expect(await roleOf(user)).toBe('subscriber');

      await role.selectOption('beta_player');
      dialog = await confirmation(page, viewport, /Change the role/);
      await dialog.getByRole('button', { name: 'Change role' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${user.username} updated.` })
        .waitFor();
      expect(await role.inputValue()).toBe('beta_player');
      expect(await roleOf(user)).toBe('beta_player');

      const revoke = page.getByRole('button', { name: `Revoke tokens of ${user.username}` });
      await revoke.click();
      dialog = await confirmation(page, viewport, new RegExp(`Revoke every token of ${user.username}\\?`));
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await revoke.click();
      dialog = await confirmation(page, viewport, /Revoke every token/);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect((await call('GET', '/api/auth/me', userAuth)).status).toBe(200);
      await revoke.click();
      dialog = await confirmation(page, viewport, /Revoke every token/);
      await dialog.getByRole('button', { name: 'Revoke tokens' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `tokens of ${user.username} revoked` })
        .waitFor();
      expect((await call('GET', '/api/auth/me', userAuth)).status).toBe(401);
      await context.close();
    });
  }

  it('writes typed text in normal weight, under bold labels', async () => {
    const { context, page } = await open(DESKTOP, admin);
    await page.goto('/admin');
    await page
      .getByRole('button', { name: /Revoke tokens/ })
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('login');
    const weights = await page.evaluate(() =>
      ['label', 'input', 'select'].map((selector) => ({
        selector,
        weight: getComputedStyle(document.querySelector(selector)!).fontWeight,
      })),
    );
    expect(weights).toEqual([
      { selector: 'label', weight: '600' },
      { selector: 'input', weight: '400' },
      { selector: 'select', weight: '400' },
    ]);
    const editor = await open(DESKTOP, suite.world.credentials);
    await editor.page.goto(`/galleries/${suite.world.galleryId}/images/${photos[0].id}`);
    await editor.page.getByRole('dialog').getByRole('button', { name: 'Edit', exact: true }).click();
    expect(
      await editor.page.evaluate(() => getComputedStyle(document.querySelector('.viewer-info textarea')!).fontWeight),
    ).toBe('400');
    await editor.context.close();
    await context.close();
  });
});
