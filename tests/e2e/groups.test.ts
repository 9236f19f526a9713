// Groups in the web app, in Chromium: an admin makes a group on the admin screen's Groups tab and
// puts a user in it, with the keyboard alone; a gallery's owner adds the group to the gallery's
// members as editor, makes it viewer, and the user in the group sees the private gallery until the
// group is removed. At phone and desktop size nothing is wider than the screen and axe finds
// nothing serious.
import type { Page } from 'playwright-core';

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
  type Viewport,
} from './browser';
import { overflowOf } from './measure';

jest.setTimeout(120_000);

type Auth = Record<string, string>;
const admin = { username: 'groupadmin', password: 'an admin password here' };
const member = { username: 'carol', password: 'a long enough password' };

describeWeb('groups in the web app', () => {
  let ownerAuth: Auth;
  let adminAuth: Auth;
  const suite = browserSuite({
    beforeServer: async (world) => createAdmin(world.db, admin),
    setup: async ({ server, world }) => {
      ownerAuth = await login(server.url, world.credentials);
      adminAuth = await login(server.url, admin);
      await postJson(server.url, {}, '/api/auth/register', {
        ...member,
        email: 'carol@example.test',
        password2: member.password,
      });
      const hide = await send(server.url, {
        method: 'PATCH',
        path: `/api/gallery/galleries/${world.galleryId}/`,
        headers: { ...ownerAuth, 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify({ visibility: 'private' })),
      });
      expect(hide.status).toBe(200);
    },
  });

  const get = async (path: string, who: Auth) => {
    const reply = await send(suite.server.url, { method: 'GET', path, headers: who });
    return { status: reply.status, body: reply.status === 200 ? reply.json() : null };
  };

  async function check(page: Page, viewport: Viewport, screen: string) {
    await noSeriousViolations(page, screen);
    expect(await overflowOf(page, viewport.width)).toEqual({ width: viewport.width, outside: [] });
  }

  /** The admin makes a group and puts carol in it, with the keyboard only. */
  async function makeGroup(viewport: Viewport, name: string) {
    const { context, page } = await suite.open(viewport, admin);
    const uncaught = uncaughtErrors(page);
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Admin' }).waitFor();
    await page.getByRole('button', { name: 'Groups', exact: true }).focus();
    await page.keyboard.press('Enter');
    const newGroup = page.getByRole('form', { name: 'New group' });
    await newGroup.getByRole('textbox', { name: 'Name' }).focus();
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Friends of the family');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name, level: 2 }).waitFor();
    const addUser = page.getByRole('form', { name: `Add a user to ${name}` });
    await addUser.getByRole('textbox', { name: 'Username' }).focus();
    await page.keyboard.type(member.username);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Remove ${member.username}` }).waitFor();
    // The member count in the group's row (at phone size a card, each cell named by its label).
    await page
      .getByRole('row')
      .filter({ hasText: name })
      .locator('td[data-label="Members"]', { hasText: /^1$/ })
      .waitFor();
    await check(page, viewport, `admin groups at ${viewport.width}`);
    expect(uncaught).toEqual([]);
    await context.close();
    const groups = (await get('/api/admin/groups/', adminAuth)).body as unknown as { id: number; name: string }[];
    const group = groups.find((g) => g.name === name)!;
    const users = (await get(`/api/admin/groups/${group.id}/members/`, adminAuth)).body as unknown as {
      user: { username: string };
    }[];
    expect(users.map((u) => u.user.username)).toEqual([member.username]);
    return group;
  }

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('lets an admin make a group and an owner share a private gallery with it (%s)', async (label, viewport) => {
    const name = `Friends ${label}`;
    const group = await makeGroup(viewport, name);
    const galleryId = suite.world.galleryId;
    const carol = await login(suite.server.url, member);
    expect((await get(`/api/gallery/galleries/${galleryId}/`, carol)).status).toBe(404);

    const { context, page } = await suite.open(viewport, suite.world.credentials);
    const uncaught = uncaughtErrors(page);
    await page.goto(`/galleries/${galleryId}/settings`);
    const addGroup = page.getByRole('form', { name: 'Add a group' });
    await addGroup.getByRole('textbox', { name: 'Group' }).fill(name.toUpperCase());
    await addGroup.getByRole('combobox', { name: 'As' }).selectOption('editor');
    await addGroup.getByRole('button', { name: 'Add group' }).press('Enter');
    // carol is a Subscriber: the reply says why she only views.
    await page.getByText(`1 user of ${name} has a view-only role`).waitFor();
    const role = page.getByRole('combobox', { name: `Role of ${name} (group)` });
    await expect(role.inputValue()).resolves.toBe('editor');
    await role.selectOption('viewer');
    await page.getByText(`${name} (group) is now viewer.`).waitFor();
    await check(page, viewport, `gallery members with a group at ${viewport.width}`);
    const members = (await get(`/api/gallery/galleries/${galleryId}/members/`, ownerAuth)).body as unknown as object[];
    expect(members).toEqual([expect.objectContaining({ group: { id: group.id, name }, role: 'viewer' })]);
    expect((await get(`/api/gallery/galleries/${galleryId}/`, carol)).status).toBe(200);

    await page.getByRole('button', { name: `Remove ${name} (group)` }).click();
    await page.getByText(`${name} (group) removed.`).waitFor();
    expect((await get(`/api/gallery/galleries/${galleryId}/`, carol)).status).toBe(404);
    expect(uncaught).toEqual([]);
    await context.close();
  });
});
