// The web app at phone size (390 × 844, touch) and at desktop size (1280 × 800), in Chromium: no
// screen wider than the viewport, the viewer of a portrait photo (it fits, Close can be tapped, a
// swipe moves, no keyboard hint on a touch screen), and a justified grid whose full rows fill its
// width to the pixel, in a gallery and on a share page.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';

import { login } from '../helpers/server-process';
import {
  browserSuite,
  createAdmin,
  describeWeb,
  DESKTOP,
  jpeg,
  noSeriousViolations,
  PHONE,
  photo,
  postJson,
  upload,
} from './browser';
import { overflowOf, rowsOf } from './measure';

jest.setTimeout(90_000);
const SHOTS = join(resolve(__dirname, '../..'), 'test-results', 'web', 'sizes');

describeWeb('the web app on a phone and on a desktop', () => {
  const admin = { username: `admin${Date.now() % 100000}`, password: 'an admin password here' };
  let mixed: number;
  let portraits: number;
  let shareKey: string;

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      mkdirSync(SHOTS, { recursive: true });
      await createAdmin(world.db, admin, `${admin.username.toLowerCase()}.with.a.rather.long.address@example.test`);
      const auth = await login(server.url, admin);
      // Mixed shapes, so that rows are made of different numbers of tiles.
      mixed = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Mixed shapes' })).id as number;
      const sizes = [
        [300, 200],
        [200, 300],
        [240, 240],
        [400, 180],
        [180, 270],
        [320, 240],
        [260, 200],
      ];
      for (let i = 0; i < 28; i++) {
        const [w, h] = sizes[(i * 5) % sizes.length];
        await upload(server.url, auth, mixed, `Shape ${i + 1}`, await jpeg(w, h, i + 1));
      }
      portraits = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Portraits' })).id as number;
      for (let i = 1; i <= 3; i++) await upload(server.url, auth, portraits, `Portrait ${i}`, await photo(600, 900, i));
      await postJson(server.url, auth, `/api/gallery/galleries/${mixed}/members`, {
        username: world.credentials.username,
        role: 'viewer',
      });
      shareKey = (await postJson(server.url, auth, `/api/gallery/galleries/${mixed}/links/`, {})).key as string;
    },
  });

  async function heading(page: Page, name: string) {
    await page.getByRole('heading', { name, exact: true }).first().waitFor();
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`has no screen wider than the viewport, nor a control out of it, at ${size} size (and axe passes)`, async () => {
      const check = async (page: Page, screen: string) => {
        const name = screen.toLowerCase().replace(/\W+/g, '-').replace(/^-|-$/g, '');
        await page.screenshot({ path: join(SHOTS, `${name}-${size}.png`) });
        const { width, outside } = await overflowOf(page, viewport.width);
        const wider = width > viewport.width ? width : null;
        expect({ screen, wider, outside }).toEqual({ screen, wider: null, outside: [] });
        await noSeriousViolations(page, `${screen} (${size})`);
      };
      const signedOut = await suite.open(viewport, null);
      for (const [path, name] of [
        ['/signin', 'Sign in'],
        ['/register', 'Register'],
        [`/share/${shareKey}`, 'Mixed shapes'],
      ]) {
        await signedOut.page.goto(path);
        await heading(signedOut.page, name);
        await check(signedOut.page, path.startsWith('/share/') ? 'share page' : name);
      }
      await signedOut.context.close();

      const { context, page } = await suite.open(viewport, admin);
      for (const [path, name] of [
        ['/no/such/page', 'Not found'],
        ['/', 'Galleries'],
        [`/galleries/${mixed}`, 'Mixed shapes'],
      ]) {
        await page.goto(path);
        await heading(page, name);
        await check(page, path.startsWith('/galleries/') ? 'gallery' : name);
      }
      await page.locator('.justified a').first().click();
      await page.getByRole('dialog').waitFor();
      await check(page, 'viewer');
      await page.goto(`/galleries/${mixed}/settings`);
      await page.getByRole('button', { name: `Remove ${suite.world.credentials.username}` }).waitFor();
      await check(page, 'members and share links');
      await page.getByRole('button', { name: 'Create link' }).click();
      await page.getByTestId('secret').waitFor();
      await page
        .getByRole('button', { name: /^Revoke/ })
        .nth(1)
        .waitFor();
      await check(page, 'members and share links, a new link shown');
      await page.goto('/tokens');
      await heading(page, 'Access tokens');
      await page.getByLabel('Name').fill(`phone-${size}`);
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByTestId('secret').waitFor();
      await page.getByRole('button', { name: `Revoke phone-${size}` }).waitFor();
      await check(page, 'tokens');
      await page.goto('/admin');
      await page
        .getByRole('button', { name: /Revoke tokens/ })
        .first()
        .waitFor();
      await check(page, 'admin: users');
      await page.getByRole('button', { name: 'Audit log' }).click();
      await page.getByRole('cell', { name: 'image.upload' }).first().waitFor();
      await check(page, 'admin: audit log');
      await context.close();
    });
  }

  /** Opens the first portrait in the viewer and waits for its preview. */
  async function openPortrait(page: Page) {
    await page.goto(`/galleries/${portraits}`);
    await heading(page, 'Portraits');
    await page.locator('.justified a').first().click();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.viewer-stage img');
      return !!img && img.complete && img.naturalWidth > 0;
    });
  }

  /** Where the preview, its stage and the Close button are, and whether a tap on Close reaches it. */
  const viewerBoxes = (page: Page) =>
    page.evaluate(() => {
      const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect().toJSON() as DOMRect;
      const close = document.querySelector('.viewer .close')!;
      const at = close.getBoundingClientRect();
      const hit = document.elementFromPoint(at.left + at.width / 2, at.top + at.height / 2);
      return {
        img: box('.viewer-stage img'),
        stage: box('.viewer-stage'),
        close: box('.viewer .close'),
        closeOnTop: !!hit && close.contains(hit),
      };
    });

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`shows a portrait photo whole in the viewer at ${size} size, under a Close button that can be ${size === 'phone' ? 'tapped' : 'clicked'}`, async () => {
      const { context, page } = await suite.open(viewport, admin);
      await openPortrait(page);
      const { img, stage, close, closeOnTop } = await viewerBoxes(page);
      expect(closeOnTop).toBe(true);
      // The photo keeps its shape (600 × 900) and lies inside its stage and the screen, off the Close button.
      expect(Math.abs(img.width / img.height - 600 / 900)).toBeLessThan(0.02);
      expect(img.left).toBeGreaterThanOrEqual(stage.left - 0.5);
      expect(img.right).toBeLessThanOrEqual(Math.min(stage.right, viewport.width) + 0.5);
      expect(img.top).toBeGreaterThanOrEqual(stage.top - 0.5);
      expect(img.bottom).toBeLessThanOrEqual(Math.min(stage.bottom, viewport.height) + 0.5);
      const overlaps =
        img.left < close.right && close.left < img.right && img.top < close.bottom && close.top < img.bottom;
      expect(overlaps).toBe(false);
      // The photo has most of the screen (the facts do not take it) and fills its stage one way.
      expect(stage.height).toBeGreaterThan(viewport.height * 0.85);
      expect(Math.max(img.width / stage.width, img.height / stage.height)).toBeGreaterThan(0.99);
      await noSeriousViolations(page, `viewer (${size})`);
      const closeButton = page.getByRole('button', { name: 'Close viewer' });
      if (size === 'phone') await closeButton.tap({ timeout: 3000 });
      else await closeButton.click({ timeout: 3000 });
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await context.close();
    });
  }

  it('moves between photos with a swipe in the phone viewer', async () => {
    const { context, page } = await suite.open(PHONE, admin);
    await openPortrait(page);
    const shown = () => page.locator('.viewer-stage img').getAttribute('alt');
    const first = await shown();
    const address = page.url();
    const cdp = await context.newCDPSession(page);
    const swipe = async (from: number, to: number) => {
      const y = PHONE.height / 2;
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from, y }] });
      for (let step = 1; step <= 5; step++)
        await cdp.send('Input.dispatchTouchEvent', {
          type: 'touchMove',
          touchPoints: [{ x: from + ((to - from) * step) / 5, y }],
        });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    };
    const moved = (from: string | null) =>
      page.waitForFunction((alt) => document.querySelector('.viewer-stage img')?.getAttribute('alt') !== alt, from, {
        timeout: 3000,
      });
    await swipe(300, 80);
    await moved(first);
    expect(page.url()).toMatch(/\/images\/\d+$/);
    expect(page.url()).not.toBe(address);
    await page.getByRole('dialog').getByText('2 / 3').waitFor();
    const second = await shown();
    await swipe(80, 300);
    await moved(second);
    expect(await shown()).toBe(first);
    expect(page.url()).toBe(address);
    await context.close();
  });

  it('keeps the facts behind "Info" in the phone viewer, and speaks of swiping there, not of keys', async () => {
    const { context, page } = await suite.open(PHONE, admin);
    await openPortrait(page);
    const viewer = page.getByRole('dialog');
    const title = (await page.locator('.viewer-stage img').getAttribute('alt'))!;
    await viewer.getByRole('heading', { name: title }).waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Info' }).tap();
    await viewer.getByRole('heading', { name: title }).waitFor();
    expect(await viewer.getByText('← → to move, Esc to close').isVisible()).toBe(false);
    expect(await viewer.getByText('Swipe left or right to move').isVisible()).toBe(true);
    // The facts take at most half the screen, and the photo stays whole above them.
    const info = (await page.locator('.viewer-info').boundingBox())!;
    expect(info.height).toBeLessThanOrEqual(PHONE.height * 0.5);
    const { img } = await viewerBoxes(page);
    expect(img.bottom).toBeLessThanOrEqual(info.y + 0.5);
    await noSeriousViolations(page, 'viewer with its facts (phone)');
    await page.getByRole('button', { name: 'Info' }).tap();
    await viewer.getByRole('heading', { name: title }).waitFor({ state: 'hidden' });
    await context.close();
  });

  for (const width of [1280, 1000, 390]) {
    it(`fills every full row of the justified grid to the container's width (± 1 px) at ${width} px, in a gallery and on a share page`, async () => {
      const { context, page } = await suite.open({ width, height: 800 }, admin);
      for (const path of [`/galleries/${mixed}`, `/share/${shareKey}`]) {
        await page.goto(path);
        await page.waitForFunction(() => document.querySelectorAll('.justified li').length === 28);
        const { container, rows } = await rowsOf(page);
        expect(rows.length).toBeGreaterThan(2);
        // Rows whose width is off by more than a pixel, or whose tiles are not all of one height.
        const ragged = rows
          .slice(0, -1)
          .filter((row) => Math.abs(row.width - container) > 1 || row.heights !== 1)
          .map((row) => ({ path, container, ...row }));
        expect(ragged).toEqual([]);
        expect(rows.at(-1)!.width).toBeLessThanOrEqual(container + 1);
      }
      await context.close();
    });
  }
});
