// Joining and recovering an account in Chromium, at phone and desktop size: "Forgot password?" on
// the sign-in screen (mail is set up: a real SMTP server started here), the mail's link opening
// the reset screen, signing in with the new password; an admin's invite made on the admin screen
// and followed to the register screen; a gallery's visibility on its card, its page and its
// settings screen; with REGISTRATION=closed, no "Register" at all. axe on every screen.
import { createServer } from 'node:net';
import bcrypt from 'bcrypt';
import type { Page } from 'playwright-core';

import { startServer } from '../helpers/server-process';
import { startSmtpServer, type SmtpServer } from '../helpers/smtp';
import { browserSuite, createAdmin, describeWeb, DESKTOP, noSeriousViolations, PHONE, uncaughtErrors } from './browser';

jest.setTimeout(180_000);

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describeWeb('joining and recovering an account in the browser', () => {
  let smtp: SmtpServer;
  let publicUrl: string;
  const admin = { username: 'inviter', password: 'an admin passphrase' };

  const suite = browserSuite({
    beforeServer: async (world) => {
      smtp = await startSmtpServer();
      const port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      // PUBLIC_URL is the origin of the mail's links and of the CSRF check: the server listens there.
      Object.assign(world.env, {
        PORT: String(port),
        PUBLIC_URL: publicUrl,
        SMTP_URL: smtp.url,
        MAIL_FROM: 'gallery@example.test',
        REGISTRATION: 'invite',
      });
      await createAdmin(world.db, admin);
    },
  });
  afterAll(() => smtp.close());

  /** A page at `viewport` on the server's public address, not signed in. */
  async function open(viewport: { width: number; height: number }) {
    const context = await suite.browser.newContext({ baseURL: publicUrl, viewport, hasTouch: viewport.width < 600 });
    return { context, page: await context.newPage() };
  }

  async function signIn(page: Page, username: string, password: string) {
    await page.goto('/signin');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Galleries' }).waitFor();
  }

  async function makeUser(name: string) {
    const role = await suite.world.db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
    const email = `${name}@example.test`;
    await suite.world.db.user.create({
      data: {
        username: name,
        usernameLower: name,
        email,
        emailLower: email,
        passwordHash: await bcrypt.hash('the old passphrase', 4),
        roleId: role.id,
      },
    });
    return email;
  }

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    it(`resets a forgotten password from the mail's link, by keyboard (${size})`, async () => {
      const name = `forgetful${size}`;
      const email = await makeUser(name);
      const { context, page } = await open(viewport);
      const errors = uncaughtErrors(page);
      await page.goto('/signin');
      const forgot = page.getByRole('link', { name: 'Forgot password?' });
      await forgot.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Forgot password' }).waitFor();
      await noSeriousViolations(page, `forgot password (${size})`);
      await page.getByLabel('Email').fill(email);
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'If an account has this address' }).waitFor();

      const mail = await smtp.next(email);
      const link = new RegExp(`${publicUrl}/reset-password#token=[A-Za-z0-9_-]{43}`).exec(mail.text)?.[0];
      expect(link).toBeDefined();
      await page.goto(link!);
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await noSeriousViolations(page, `reset password (${size})`);
      await page.getByLabel('New password', { exact: false }).first().fill('a fresh passphrase');
      await page.getByLabel('New password again').fill('a fresh passphrase');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Password changed' }).waitFor();
      expect(new URL(page.url()).hash).toBe('');
      await signIn(page, name, 'a fresh passphrase');
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('makes an invite on the admin screen, and registers with its link (phone)', async () => {
    const { context, page } = await open(PHONE);
    await signIn(page, admin.username, admin.password);
    await page.goto('/admin');
    await page.getByRole('button', { name: 'Invites' }).click();
    await page.getByRole('heading', { name: 'Invites' }).waitFor();
    await page.getByLabel('Email', { exact: false }).fill('newcomer@example.test');
    await page.getByLabel('Role').selectOption('company_user');
    await page.getByRole('button', { name: 'Make invite' }).click();
    const link = await page.getByTestId('secret').inputValue();
    expect(link).toMatch(new RegExp(`^${publicUrl}/register#invite=`));
    await page.getByRole('cell', { name: 'newcomer@example.test' }).waitFor();
    await noSeriousViolations(page, 'admin invites (phone)');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await context.close();

    const visitor = await open(PHONE);
    await visitor.page.goto(link);
    const invite = visitor.page.getByLabel('Invite code', { exact: false });
    expect(await invite.inputValue()).toBe(link.split('#invite=')[1]);
    await noSeriousViolations(visitor.page, 'register with an invite (phone)');
    await visitor.page.getByLabel('Username').fill('newcomer');
    await visitor.page.getByLabel('Email').fill('newcomer@example.test');
    await visitor.page.getByLabel('Password', { exact: false }).first().fill('joining passphrase');
    await visitor.page.getByLabel('Password again').fill('joining passphrase');
    await visitor.page.keyboard.press('Enter');
    await visitor.page.getByRole('heading', { name: 'Galleries' }).waitFor();
    const user = await suite.world.db.user.findUniqueOrThrow({
      where: { usernameLower: 'newcomer' },
      include: { role: true },
    });
    expect(user.role?.name).toBe('company_user');
    await visitor.context.close();
  });

  it('asks for an invite on the register screen without a link (desktop)', async () => {
    const { context, page } = await open(DESKTOP);
    await page.goto('/register');
    const invite = page.getByLabel('Invite code', { exact: false });
    expect(await invite.getAttribute('required')).not.toBeNull();
    await noSeriousViolations(page, 'register needing an invite (desktop)');
    await context.close();
  });

  it("shows a gallery's visibility on its card, its page and its settings screen", async () => {
    const { context, page } = await open(DESKTOP);
    await signIn(page, suite.world.credentials.username, suite.world.credentials.password);
    const card = page.locator('.album').filter({ hasText: 'Crash tests' });
    expect(await card.locator('.badge').textContent()).toBe('shared');
    await card.getByRole('link').click();
    await page.getByRole('heading', { name: 'Crash tests' }).waitFor();
    expect(await page.locator('.meta .badge').textContent()).toBe('shared');
    await page.goto(`/galleries/${suite.world.galleryId}/settings`);
    await page.getByText('every signed-in account sees it').waitFor();
    await noSeriousViolations(page, 'gallery settings with its visibility (desktop)');
    await context.close();
  });

  it('hides "Register" when registration is closed, and says so on the register screen', async () => {
    const { DATABASE_URL, UPLOAD_DIR } = suite.world.env;
    const closed = await startServer({ DATABASE_URL, UPLOAD_DIR, REGISTRATION: 'closed' });
    const context = await suite.browser.newContext({ baseURL: closed.url, viewport: PHONE });
    const page = await context.newPage();
    await page.goto('/signin');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('link', { name: 'Register' }).count()).toBe(0);
    await page.goto('/register');
    await page.getByRole('status').filter({ hasText: 'Registration is closed' }).waitFor();
    await noSeriousViolations(page, 'register when closed (phone)');
    await context.close();
    await closed.stop(2000);
  });
});
