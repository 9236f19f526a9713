// Two-factor sign-in in Chromium, at phone and desktop size: from the access tokens to the Security
// screen (where a script's session is ended), turning it on with the secret shown there (the test computes the app's codes from it),
// the recovery codes shown once, then signing out and in again: the sign-in asks for the code,
// refuses a wrong one and takes the right one. Every step is checked with axe, and driven by keys.
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';

import { awayFromStepEdge } from '../helpers/two-factor';
import {
  browserSuite,
  createAdmin,
  describeWeb,
  DESKTOP,
  noSeriousViolations,
  PHONE,
  postJson,
  uncaughtErrors,
} from './browser';

jest.setTimeout(120_000);

/** The code an authenticator app shows for `secret`, `steps` time steps from now. */
const codeAt = (secret: string, steps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });

describeWeb('two-factor sign-in in the web app', () => {
  const suite = browserSuite();

  /** Types into the field labelled `label` and sends its form with Enter. */
  async function typeAndEnter(page: Page, label: string | RegExp, text: string) {
    const input = page.getByLabel(label);
    await input.focus();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`turns it on from the Security screen, then signs in with a code, at ${size} size`, async () => {
      const credentials = { username: `carol${size}${Date.now() % 100000}`, password: 'a long enough password' };
      await postJson(suite.server.url, {}, '/api/auth/register/', {
        ...credentials,
        email: `${credentials.username}@example.test`,
        password2: credentials.password,
      });
      const script = (await postJson(suite.server.url, {}, '/api/auth/login/', credentials)) as { token: string };
      const { context, page } = await suite.open(viewport, credentials);
      const errors = uncaughtErrors(page);

      await page.goto('/tokens');
      await page.getByRole('link', { name: 'Security' }).click();
      await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
      await page.getByText('Off: your password alone signs you in.').waitFor();
      // Where the account is signed in: this browser, and a script's login, ended from here.
      const sessions = page.getByRole('table', { name: 'Sessions' }).getByRole('row');
      await sessions.nth(2).waitFor();
      expect(await sessions.count()).toBe(3);
      await noSeriousViolations(page, `security, off (${size})`);
      await page.getByRole('button', { name: /^End the session/ }).press('Enter');
      await sessions.nth(2).waitFor({ state: 'detached' });
      await page.getByText('a browser (this one)').waitFor();
      const ended = await fetch(`${suite.server.url}/api/auth/me`, {
        headers: { Authorization: `Token ${script.token}` },
      });
      expect(ended.status).toBe(401);

      await awayFromStepEdge();
      await typeAndEnter(page, 'Password', credentials.password);
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      const secret = (await page.getByTestId('totp-secret').textContent())!;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await noSeriousViolations(page, `security, enrolling (${size})`);
      await typeAndEnter(page, 'Code from the app', codeAt(secret, -1));

      const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
      await codes.first().waitFor();
      expect(await codes.count()).toBe(10);
      await noSeriousViolations(page, `security, recovery codes (${size})`);
      await page.getByRole('button', { name: 'I have saved them' }).press('Enter');
      await page.getByText(/^On since .*10 recovery codes left\.$/).waitFor();
      expect(await page.getByRole('list', { name: 'Recovery codes' }).count()).toBe(0);
      await noSeriousViolations(page, `security, on (${size})`);

      // Signed out, the sign-in asks for the code after the password.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('Username').fill(credentials.username);
      await typeAndEnter(page, 'Password', credentials.password);
      const code = page.getByLabel(/Code from your authenticator app/);
      await code.waitFor();
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('otp');
      await noSeriousViolations(page, `sign-in, code asked (${size})`);
      await page.keyboard.type('000000');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').getByText('The one-time code is not valid').waitFor();
      await code.fill('');
      await typeAndEnter(page, /Code from your authenticator app/, codeAt(secret));
      await page.getByRole('heading', { name: 'Galleries' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/');

      // New recovery codes for a code, then off with the password and one of them.
      await page.goto('/security');
      const newCodes = page.getByRole('form', { name: 'New recovery codes' });
      await newCodes.getByLabel(/Code from the app/).fill(codeAt(secret, 1));
      await newCodes.getByLabel(/Code from the app/).press('Enter');
      await page.getByText('New recovery codes made; the old ones no longer work.').waitFor();
      const fresh = await page.getByTestId('recovery-codes').getByRole('listitem').allTextContents();
      expect(fresh).toHaveLength(10);
      await page.getByRole('button', { name: 'I have saved them' }).press('Enter');
      const off = page.getByRole('form', { name: 'Turn off two-factor sign-in' });
      await off.getByLabel('Password').fill(credentials.password);
      await off.getByLabel(/Code from the app/).fill(fresh[0]);
      await off.getByLabel(/Code from the app/).press('Enter');
      await page.getByText('Off: your password alone signs you in.').waitFor();
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  /** A new account with two-factor sign-in on, through the API. */
  async function enrolledUser(name: string) {
    const credentials = { username: name, password: 'a long enough password' };
    const email = `${name}@example.test`;
    await postJson(suite.server.url, {}, '/api/auth/register/', {
      ...credentials,
      email,
      password2: credentials.password,
    });
    const { token } = (await postJson(suite.server.url, {}, '/api/auth/login/', credentials)) as { token: string };
    const auth = { Authorization: `Token ${token}` };
    await awayFromStepEdge();
    const { secret } = (await postJson(suite.server.url, auth, '/api/auth/2fa/enrol', {
      password: credentials.password,
    })) as {
      secret: string;
    };
    await postJson(suite.server.url, auth, '/api/auth/2fa/confirm', { otp: codeAt(secret, -1) });
    return credentials;
  }

  const passwordAlone = (credentials: { username: string; password: string }) =>
    fetch(`${suite.server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(credentials),
    }).then((reply) => reply.status);

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`lets an admin see it and reset it from the users list, by keys, at ${size} size`, async () => {
      const admin = { username: `root${size}`, password: 'an admin passphrase' };
      await createAdmin(suite.world.db, admin);
      const user = await enrolledUser(`dave${size}${Date.now() % 100000}`);
      expect(await passwordAlone(user)).toBe(401);
      const { context, page } = await suite.open(viewport, admin);
      const errors = uncaughtErrors(page);

      await page.goto('/admin');
      const row = page.getByRole('row').filter({ hasText: `${user.username}@example.test` });
      const cell = row.locator('td[data-label="Two-factor"]');
      await cell.getByText('On', { exact: true }).waitFor();
      const adminRow = page.getByRole('row').filter({ hasText: `${admin.username}@example.test` });
      expect(await adminRow.locator('td[data-label="Two-factor"]').textContent()).toBe('Off');
      expect(await adminRow.getByRole('button', { name: /Reset two-factor/ }).count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await noSeriousViolations(page, `admin users, two-factor on (${size})`);

      // Asked first: Esc keeps it on, and focus returns to the button.
      const reset = page.getByRole('button', { name: `Reset two-factor of ${user.username}` });
      await reset.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('alertdialog', { name: `Reset two-factor sign-in of ${user.username}?` });
      await dialog.waitFor();
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
      await noSeriousViolations(page, `admin users, reset asked (${size})`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Reset two-factor/);
      expect(await passwordAlone(user)).toBe(401);

      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText(`Two-factor sign-in of ${user.username} reset.`).waitFor();
      expect(await cell.textContent()).toBe('Off');
      expect(await reset.count()).toBe(0);
      // Focus stays in the row, on its new state: the next Tab reaches the row's next field.
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Off');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        `Quota of ${user.username} in MB`,
      );
      expect(await passwordAlone(user)).toBe(200);
      await noSeriousViolations(page, `admin users, two-factor reset (${size})`);

      // The list as the server has it, read again.
      await page.reload();
      await row.waitFor();
      expect(await cell.textContent()).toBe('Off');
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
