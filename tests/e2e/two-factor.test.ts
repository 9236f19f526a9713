// Two-factor sign-in in Chromium, at phone and desktop size: from the access tokens to the Security
// screen (where a script's session is ended), turning it on with the secret shown there (the test computes the app's codes from it),
// the recovery codes shown once, then signing out and in again: the sign-in asks for the code,
// refuses a wrong one and takes the right one. Every step is checked with axe, and driven by keys.
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';

import { awayFromStepEdge } from '../helpers/two-factor';
import { browserSuite, describeWeb, DESKTOP, noSeriousViolations, PHONE, postJson, uncaughtErrors } from './browser';

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
});
