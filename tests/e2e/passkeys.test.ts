// Passkeys in Chromium, with its virtual authenticator (CDP: a platform authenticator with
// resident keys and user verification), at phone and desktop size: one added on the Security
// screen, renamed, then signing out and in again with it (no username, no password, no code),
// removed, after which it no longer signs in. The pages are opened at http://localhost (WebAuthn
// needs a secure context, which localhost is, and an RP ID that is a host name, not an address).
// Every step is checked with axe, and driven by keys.
import type { BrowserContext, CDPSession, Page } from 'playwright-core';

import {
  browserSuite,
  describeWeb,
  DESKTOP,
  noSeriousViolations,
  PHONE,
  postJson,
  uncaughtErrors,
  type Viewport,
} from './browser';

jest.setTimeout(120_000);

describeWeb('passkeys in the web app', () => {
  const suite = browserSuite();

  /** A page at localhost, signed in as `credentials`, with a virtual authenticator of its own. */
  async function open(viewport: Viewport, credentials: { username: string; password: string }) {
    const context: BrowserContext = await suite.browser.newContext({
      baseURL: suite.server.url.replace('127.0.0.1', 'localhost'),
      viewport,
      hasTouch: viewport.width < 600,
      isMobile: viewport.width < 600,
    });
    expect((await context.request.post('/api/auth/session', { data: credentials })).status()).toBe(200);
    const page = await context.newPage();
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    const credentialsOf = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    return { context, page, credentialsOf };
  }

  async function press(page: Page, name: string | RegExp) {
    await page.getByRole('button', { name }).focus();
    await page.keyboard.press('Enter');
  }

  async function signOut(page: Page) {
    await press(page, 'Sign out');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`adds a passkey on the Security screen and signs in with it, at ${size} size`, async () => {
      const credentials = { username: `pia${size}${Date.now() % 100000}`, password: 'a long enough password' };
      await postJson(suite.server.url, {}, '/api/auth/register/', {
        ...credentials,
        email: `${credentials.username}@example.test`,
        password2: credentials.password,
      });
      const { context, page, credentialsOf } = await open(viewport, credentials);
      const errors = uncaughtErrors(page);

      await page.goto('/security');
      await page.getByRole('heading', { name: 'Passkeys', level: 2 }).waitFor();
      await noSeriousViolations(page, `security, no passkey (${size})`);
      await press(page, 'Add a passkey');
      const add = page.getByRole('form', { name: 'Add a passkey' });
      await add.getByLabel(/^Name/).waitFor();
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name');
      await page.keyboard.type('This laptop');
      await add.getByLabel('Password').focus();
      await page.keyboard.type(credentials.password);
      await page.keyboard.press('Enter');
      await page.getByText('Passkey added.').waitFor();
      const rows = page.getByRole('table', { name: 'Passkeys' }).getByRole('row');
      await rows.nth(1).locator('td[data-label="Name"]', { hasText: 'This laptop' }).waitFor();
      const kept = await credentialsOf();
      expect(kept).toHaveLength(1);
      expect(kept[0].isResidentCredential).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await noSeriousViolations(page, `security, a passkey (${size})`);

      await press(page, /^Rename/);
      await page.getByLabel('New name').waitFor();
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('name');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('Work laptop');
      await page.keyboard.press('Enter');
      await page.getByText('Passkey renamed.').waitFor();
      await rows.nth(1).locator('td[data-label="Name"]', { hasText: 'Work laptop' }).waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Rename Work laptop');

      // Signed out: the passkey alone signs in, no username, password or code.
      await signOut(page);
      await noSeriousViolations(page, `sign-in with the passkey button (${size})`);
      await press(page, 'Sign in with a passkey');
      await page.getByRole('heading', { name: 'Galleries' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/');
      expect(kept[0].signCount).toBeLessThan((await credentialsOf())[0].signCount);

      // Removed, it signs in no more (the device still has it; the server does not).
      await page.goto('/security');
      await press(page, /^Remove Work laptop/);
      await page.getByText('Passkey "Work laptop" removed.').waitFor();
      await page.getByRole('table', { name: 'Passkeys' }).waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Passkeys');
      await signOut(page);
      await press(page, 'Sign in with a passkey');
      await page.getByRole('alert').getByText('The passkey was not accepted').waitFor();
      expect(new URL(page.url()).pathname).toBe('/signin');
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
