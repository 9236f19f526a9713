// Every screen of the web app at phone size (390 × 844) and at desktop size (1280 × 800), made from
// the same photo-like pictures each run, compared with committed baselines (tests/e2e/baselines.ts),
// so a layout that moves fails here. The same run checks that a phone photo turned by its EXIF
// orientation gets a grid tile of its shape, and `npm run screenshots:update` also refreshes the
// screenshots shown in the README and docs/web-app.md.
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';

import { login } from '../helpers/server-process';
import { compareScreen, expectSameAsBaseline, type Compared } from './baselines';
import { browserSuite, createAdmin, describeWeb, DESKTOP, PHONE, photo, postJson, upload } from './browser';

jest.setTimeout(120_000);
/** The screens shown in the README and docs/web-app.md, and their files in docs/screenshots (phone- at phone size). */
const DOCS_SHOTS: Record<string, string | undefined> = {
  galleries: 'galleries',
  gallery: 'gallery',
  'viewer-portrait': 'viewer',
};
/** What changes from one run to the next: times and dates, keys and generated secrets. */
const VOLATILE = [
  'time',
  'td[data-label="When"]',
  'td[data-label="Added"]',
  'td[data-label="Last used"]',
  'td[data-label="Expires"]',
  'td[data-label="Created"]',
  '[data-testid="secret"]',
].join(', ');

/** A phone photo: `width` × `height` as seen, stored turned a quarter with EXIF orientation 6, as phones do. */
async function phonePhoto(width: number, height: number, seed: number): Promise<Buffer> {
  const upright = await photo(width, height, seed);
  return sharp(upright).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 85 }).toBuffer();
}

/** The eight EXIF orientations of one 960 × 640 picture (orientations 5–8 are shown 640 wide, 960 high). */
async function oriented(orientation: number): Promise<Buffer> {
  const base = await photo(960, 640, orientation);
  return sharp(base).withMetadata({ orientation }).jpeg({ quality: 90 }).toBuffer();
}

describeWeb('every screen, compared with its baseline, at phone and desktop size', () => {
  const alice = { username: 'alice', password: 'an admin password here' };
  let summer: number;
  let turned: number;
  let firstPhoto: number;
  let portrait: number;
  let shareKey: string;

  const suite = browserSuite({
    beforeServer: async (world) => {
      // The screens list every account: only the two made here, with the same names each run.
      await world.db.user.delete({ where: { usernameLower: world.credentials.username.toLowerCase() } });
    },
    setup: async ({ server, world }) => {
      await createAdmin(world.db, alice, 'alice@example.com');
      const auth = await login(server.url, alice);
      await postJson(server.url, {}, '/api/auth/register/', {
        username: 'bob',
        email: 'bob@example.com',
        password: 'battery staple',
        password2: 'battery staple',
      });
      summer = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Summer by the lake' }))
        .id as number;
      const shapes: [number, number][] = [
        [1200, 800],
        [800, 1200],
        [1000, 1000],
        [1600, 700],
        [900, 1200],
        [1200, 900],
        [1280, 960],
        [1000, 700],
      ];
      for (let i = 0; i < 14; i++) {
        const [w, h] = shapes[i % shapes.length];
        const id = await upload(server.url, auth, summer, `Lake ${i + 1}`, await photo(w, h, i + 3));
        firstPhoto ??= id;
      }
      portrait = await upload(server.url, auth, summer, 'On the jetty', await phonePhoto(1008, 1344, 9));
      await postJson(server.url, auth, `/api/gallery/galleries/${summer}/members`, { username: 'bob', role: 'viewer' });
      shareKey = (await postJson(server.url, auth, `/api/gallery/galleries/${summer}/links/`, {})).key as string;
      await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Winter, still empty' });
      turned = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Turned' })).id as number;
      for (let o = 1; o <= 8; o++) await upload(server.url, auth, turned, `Orientation ${o}`, await oriented(o));
      await postJson(server.url, auth, '/api/auth/tokens/', { name: 'Laptop backup script', scope: 'read' });
    },
  });

  const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true }).first().waitFor();
  const shot = (page: Page, name: string) => {
    const docs = DOCS_SHOTS[name];
    const phone = page.viewportSize()!.width < 600;
    // A grid's photos are masked where they lie: the tiles' places and sizes are compared, not how
    // the browser scaled each thumbnail this time.
    return compareScreen(page, name, {
      volatile: VOLATILE,
      docs: docs && `${phone ? 'phone-' : ''}${docs}.png`,
      hide: '.justified img',
    });
  };

  async function signedOutScreens(context: BrowserContext, page: Page): Promise<Compared[]> {
    const results: Compared[] = [];
    for (const [path, name, title] of [
      ['/signin', 'signin', 'Sign in'],
      ['/register', 'register', 'Register'],
      [`/share/${shareKey}`, 'share-page', 'Summer by the lake'],
    ]) {
      await page.goto(path);
      await heading(page, title);
      results.push(await shot(page, name));
    }
    await context.close();
    return results;
  }

  async function signedInScreens(page: Page): Promise<Compared[]> {
    const results: Compared[] = [];
    const visit = async (path: string, name: string, ready: () => Promise<unknown>) => {
      await page.goto(path);
      await ready();
      results.push(await shot(page, name));
    };
    await visit('/', 'galleries', () => heading(page, 'Galleries'));
    await visit(`/galleries/${summer}`, 'gallery', () => heading(page, 'Summer by the lake'));
    const preview = () => page.locator('.viewer-stage img').first().waitFor();
    await visit(`/galleries/${summer}/images/${firstPhoto}`, 'viewer', preview);
    await visit(`/galleries/${summer}/images/${portrait}`, 'viewer-portrait', preview);
    await visit(`/galleries/${summer}/settings`, 'gallery-settings', () =>
      page.getByRole('button', { name: 'Remove bob' }).waitFor(),
    );
    await visit('/tokens', 'tokens', () => page.getByText('Laptop backup script').first().waitFor());
    await visit('/admin', 'admin-users', () =>
      page
        .getByRole('button', { name: /Revoke tokens/ })
        .first()
        .waitFor(),
    );
    await page.getByRole('button', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'image.upload' }).first().waitFor();
    // The log's columns take their widths from every row's text, which differs a little from run to run.
    results.push(await compareScreen(page, 'admin-audit', { volatile: VOLATILE, hide: 'table' }));
    await visit('/no/such/page', 'not-found', () => heading(page, 'Not found'));
    return results;
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`shows every screen as its baseline at ${size} size`, async () => {
      const signedOut = await suite.open(viewport, null);
      const results = await signedOutScreens(signedOut.context, signedOut.page);
      const { context, page } = await suite.open(viewport, alice);
      results.push(...(await signedInScreens(page)));
      await context.close();
      expectSameAsBaseline(results);
    });
  }

  it('gives a photo turned by its EXIF orientation a grid tile of the shape it is shown at, uncropped', async () => {
    const { context, page } = await suite.open(DESKTOP, alice);
    await page.goto(`/galleries/${turned}`);
    await heading(page, 'Turned');
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>('.justified img')];
      return imgs.length === 8 && imgs.every((img) => img.complete && img.naturalWidth > 0);
    });
    const tiles = await page.locator('.justified li').evaluateAll((items) =>
      items.map((li) => {
        const box = li.getBoundingClientRect();
        const img = li.querySelector('img')!;
        return { title: img.alt, tile: box.width / box.height, picture: img.naturalWidth / img.naturalHeight };
      }),
    );
    expect(tiles).toHaveLength(8);
    for (const { title, tile, picture } of tiles) {
      const orientation = Number(/Orientation (\d)/.exec(title)?.[1]);
      const shown = orientation >= 5 ? 640 / 960 : 960 / 640;
      // The tile has the shape the photo is shown at, and the thumbnail the same: nothing is cut off.
      expect({ title, tile: Math.abs(tile - shown) < 0.02, picture: Math.abs(picture - shown) < 0.02 }).toEqual({
        title,
        tile: true,
        picture: true,
      });
    }
    await context.close();
  });
});
