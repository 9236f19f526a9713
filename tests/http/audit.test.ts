import request from 'supertest';

import { createCast, createGallery, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: TestUser;
let player: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  ({ admin, owner: player } = await createCast(t));
});
afterAll(async () => {
  await t.close();
});

type Event = {
  action: string;
  outcome: string;
  actor: { id: number; username: string } | null;
  target: { type: string; id: number } | null;
  address: string | null;
  detail: string | null;
};

async function events(query = ''): Promise<Event[]> {
  return (await request(t.app).get(`/api/admin/audit/?limit=200${query}`).set(admin.auth).expect(200)).body;
}

describe('the audit log', () => {
  it('records logins, good and failed, with the address and never the password', async () => {
    const user = await createUser(t, 'subscriber');
    await request(t.app)
      .post('/api/auth/login')
      .send({ username: user.username, password: 'Wrong-Secret-123' })
      .expect(401);
    const logins = (await events('&action=login')).filter(
      (e) => e.detail?.includes(user.username) || e.actor?.id === user.id,
    );
    expect(logins.map((e) => e.outcome).sort()).toEqual(['failed', 'ok']);
    expect(logins.every((e) => typeof e.address === 'string' && e.address.length > 0)).toBe(true);
    const everything = JSON.stringify(await t.db.auditEvent.findMany());
    expect(everything).not.toContain('Wrong-Secret-123');
    expect(everything).not.toContain(user.password);
    expect(everything).not.toContain(user.token);
  });

  it('records token creation and revocation, role changes, uploads and deletes (to the trash)', async () => {
    const created = await request(t.app).post('/api/auth/tokens').set(player.auth).send({ name: 'x' }).expect(201);
    await request(t.app).delete(`/api/auth/tokens/${created.body.id}`).set(player.auth).expect(200);
    const target = await createUser(t, 'subscriber');
    await request(t.app)
      .patch(`/api/admin/users/${target.id}`)
      .set(admin.auth)
      .send({ role: 'company_user' })
      .expect(200);
    const gallery = await createGallery(t, player);
    const image = await createImage(t, player, gallery.id);
    await request(t.app).delete(`/api/gallery/images/${image.id}`).set(player.auth).expect(200);

    const all = await events();
    const find = (action: string) => all.find((e) => e.action === action);
    expect(find('token.create')).toMatchObject({
      actor: { id: player.id },
      target: { type: 'token', id: created.body.id },
      detail: 'scope=read-write',
    });
    expect(find('token.revoke')).toMatchObject({ target: { type: 'token', id: created.body.id } });
    expect(find('user.update')).toMatchObject({
      actor: { id: admin.id },
      target: { type: 'user', id: target.id },
      detail: '{"role":"company_user"}',
    });
    expect(find('image.upload')).toMatchObject({ actor: { id: player.id }, target: { type: 'image', id: image.id } });
    expect(find('image.trash')).toMatchObject({ actor: { id: player.id }, target: { type: 'image', id: image.id } });
    expect(JSON.stringify(all)).not.toContain(created.body.token);
  });

  it('filters by action, actor and outcome, and pages newest first', async () => {
    const failed = await events('&outcome=failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.outcome === 'failed')).toBe(true);
    const mine = await events(`&actor=${player.id}`);
    expect(mine.every((e) => e.actor?.id === player.id)).toBe(true);
    const first = await request(t.app).get('/api/admin/audit?limit=2').set(admin.auth).expect(200);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.link)![1];
    const second = await request(t.app).get(next).set(admin.auth).expect(200);
    expect(second.body[0].id).toBeLessThan(first.body[1].id);
  });

  it('is for admins only', async () => {
    await request(t.app).get('/api/admin/audit').set(player.auth).expect(403);
    await request(t.app).get('/api/admin/audit').expect(401);
  });
});
