// Single sign-on in Chromium, at phone and desktop size, with a real OpenID Provider started here:
// the sign-in screen's button, the provider's own sign-in page, and back in the web app signed in.
// The provider (127.0.0.1) and the gallery (localhost) are different sites, as in real life: the
// way back is a cross-site redirect, after which the SameSite=Strict session cookie must work.
// A cancel at the provider, an answer whose state was changed on the way, a way back without a
// sign-in begun, and a provider that is not the configured issuer end on a clear page.
import { createServer } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { CLIENT_ID, CLIENT_SECRET, startProvider, type TestProvider } from '../helpers/oidc-provider';
import { prepareWorld, startServer, stopAllServers } from '../helpers/server-process';
import { describeWeb, DESKTOP, LAUNCH, noSeriousViolations, PHONE, runAlone, uncaughtErrors } from './browser';

jest.setTimeout(120_000);

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describeWeb('single sign-on in the web app', () => {
  let release = () => {};
  let world: Awaited<ReturnType<typeof prepareWorld>>;
  let provider: TestProvider;
  let browser: Browser;
  let gallery: string;

  beforeAll(async () => {
    release = await runAlone();
    world = await prepareWorld();
    const port = await freePort();
    gallery = `http://localhost:${port}`;
    provider = await startProvider({ redirectUri: `${gallery}/api/auth/oidc/callback` });
    await startServer({
      ...world.env,
      PORT: String(port),
      PUBLIC_URL: gallery,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_SCOPES: 'openid profile email groups',
      OIDC_ROLE_MAP: 'photographers=beta_player',
      OIDC_BUTTON_LABEL: 'Example SSO',
    });
    browser = await chromium.launch(LAUNCH);
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await stopAllServers();
    await provider?.close();
    await world?.close();
    release();
  });

  async function open(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
    const touch = viewport.width < 600;
    const context = await browser.newContext({ baseURL: gallery, viewport, hasTouch: touch, isMobile: touch });
    // The provider's page asks for a web font from the internet: there is none here.
    await context.route(/fonts\.googleapis\.com/, (route) => route.abort());
    return { context, page: await context.newPage() };
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`signs in through the provider and comes back signed in, at ${size} size`, async () => {
      const sub = `dana-${size}`;
      provider.setAccount(sub, {
        preferred_username: `Dana ${size}`,
        email: `dana-${size}@example.test`,
        email_verified: true,
        groups: ['photographers'],
      });
      const { context, page } = await open(viewport);
      const errors = uncaughtErrors(page);
      await page.goto('/signin');
      const button = page.getByRole('link', { name: 'Sign in with Example SSO' });
      await button.waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await noSeriousViolations(page, `sign-in with single sign-on (${size})`);

      await button.click();
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.locator('input[name="login"]').fill(sub);
      await page.locator('input[name="password"]').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();

      await page.waitForURL(`${gallery}/`);
      await page.getByRole('heading', { name: 'Galleries', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      const me = await page.evaluate(() => fetch('/api/auth/me').then((res) => res.json()));
      expect(me).toMatchObject({ username: `Dana.${size}`, role: 'beta_player' });
      const cookies = await context.cookies(gallery);
      expect(cookies.find((cookie) => cookie.name === 'gallery_session')).toMatchObject({
        httpOnly: true,
        sameSite: 'Strict',
      });
      expect(cookies.find((cookie) => cookie.name === 'gallery_oidc')).toBeUndefined();
      await noSeriousViolations(page, `signed in by single sign-on (${size})`);
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`shows a clear page when the sign-in is cancelled, tampered with or never begun, at ${size} size`, async () => {
      const { context, page } = await open(viewport);
      const errors = uncaughtErrors(page);
      await page.goto('/signin');
      await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.getByRole('link', { name: '[ Cancel ]' }).click();
      await page.waitForURL(`${gallery}/signin?sso_error=SSO_DENIED`);
      await page.getByRole('alert').filter({ hasText: 'Sign-in was cancelled at the provider.' }).waitFor();
      await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      await noSeriousViolations(page, `single sign-on cancelled (${size})`);

      // The provider's answer with its state changed on the way: refused.
      // (A redirect's target is not routed: the provider's answer is followed here, to the gallery.)
      let tampered = false;
      await page.route(/\/interaction\//, async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        let location = (await route.fetch({ maxRedirects: 0 })).headers().location;
        while (location && !location.startsWith(gallery)) {
          const next = await context.request.get(new URL(location, provider.issuer).href, { maxRedirects: 0 });
          location = next.headers().location;
        }
        const url = new URL(location);
        url.searchParams.set('state', `${url.searchParams.get('state')}-changed`);
        tampered = true;
        await route.fulfill({ status: 303, headers: { Location: url.href } });
      });
      await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
      await page.waitForURL((url) => url.origin === provider.issuer);
      provider.setAccount(`erin-${size}`, { preferred_username: `Erin ${size}` });
      await page.locator('input[name="login"]').fill(`erin-${size}`);
      await page.locator('input[name="password"]').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.waitForURL(`${gallery}/signin?sso_error=SSO_STATE`);
      expect(tampered).toBe(true);
      await page.getByRole('alert').filter({ hasText: 'The sign-in took too long or was begun elsewhere' }).waitFor();
      expect((await context.cookies(gallery)).find((cookie) => cookie.name === 'gallery_session')).toBeUndefined();
      await page.unroute(/\/interaction\//);

      await page.goto('/api/auth/oidc/callback?code=stolen&state=forged');
      await page.waitForURL(`${gallery}/signin?sso_error=SSO_EXPIRED`);
      await page.getByRole('alert').filter({ hasText: 'The sign-in took too long or was begun elsewhere' }).waitFor();
      expect(await page.content()).not.toMatch(/"code"|at .*\.js:\d+/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await noSeriousViolations(page, `single sign-on failed (${size})`);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('shows a clear page when the provider is not the issuer it should be (mix-up)', async () => {
    const port = await freePort();
    const mixed = `http://localhost:${port}`;
    const other = await prepareWorld();
    try {
      await startServer({
        ...other.env,
        PORT: String(port),
        PUBLIC_URL: mixed,
        // The provider's metadata names http://127.0.0.1:…, not this address of it.
        OIDC_ISSUER: provider.issuer.replace('127.0.0.1', 'localhost'),
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
        OIDC_BUTTON_LABEL: 'Example SSO',
      });
      const context = await browser.newContext({ baseURL: mixed, viewport: DESKTOP });
      const page = await context.newPage();
      await page.goto('/signin');
      await page.getByRole('link', { name: 'Sign in with Example SSO' }).click();
      await page.waitForURL(`${mixed}/signin?sso_error=SSO_ISSUER`);
      await page
        .getByRole('alert')
        .filter({ hasText: 'Single sign-on did not work (SSO_ISSUER): ask an admin.' })
        .waitFor();
      await noSeriousViolations(page, 'single sign-on from another issuer');
      await context.close();
    } finally {
      await other.close();
    }
  });
});
