import fc from 'fast-check';
import request from 'supertest';

import { createCast, createGallery, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let player: TestUser;
let subscriber: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  ({ owner: player, subscriber } = await createCast(t));
  const gallery = await createGallery(t, player);
  // Something for the id routes to find.
  await createImage(t, player, gallery.id);
});
afterAll(async () => {
  await t.close();
});

const idSegment = fc.oneof(
  fc.constantFrom('1', '0', '-1', 'abc', '99999999999', '1.5', '%00', '..'),
  fc.nat().map(String),
);
const weirdValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ maxLength: 300 }),
  fc.constantFrom('\u0000', '💥'.repeat(50), '../../etc/passwd', '<script>', 'NaN', '1e999', '0x10', ' '),
);
const bodyArb = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'username',
      'email',
      'password',
      'password2',
      'role',
      'token',
      'name',
      'description',
      'title',
      'gallery',
      'isActive',
      'scope',
      'constructor',
      'id',
    ),
    fc.string({ maxLength: 20 }),
  ),
  weirdValue,
  { maxKeys: 6 },
);
const queryArb = fc.dictionary(
  fc.constantFrom('limit', 'cursor', 'gallery', 'owner', 'q', 'sort', 'created_after', 'count', 'uploader', 'action'),
  fc.oneof(fc.string({ maxLength: 50 }), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })),
  { maxKeys: 4 },
);
const authArb = fc.constantFrom('player', 'subscriber', 'none', 'garbage', 'bearer', 'long');

describe('a NUL character (U+0000), which PostgreSQL cannot store', () => {
  it('is a 400 naming the field, on a login, a search, a new gallery and an upload, never a 500', async () => {
    const replies = [
      await request(t.app).post('/api/auth/login').send({ username: '\u0000', password: ' ' }),
      await request(t.app).post('/api/auth/token').send({ username: 'a\u0000b', password: 'x' }),
      await request(t.app).get('/api/gallery/galleries/?q=%00').set('Authorization', `Token ${player.token}`),
      await request(t.app)
        .post('/api/gallery/galleries/')
        .set('Authorization', `Token ${player.token}`)
        .send({ name: 'ok', description: 'x\u0000' }),
    ];
    for (const res of replies) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/Control characters/),
      });
    }
    expect(replies[0].body.message).toBe('username: Control characters are not allowed.');
  });
});

describe('any input', () => {
  it('never gets a 500 on any route, and errors always have the error shape', async () => {
    const routes = t.app.locals.routes;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: routes.length - 1 }),
        idSegment,
        bodyArb,
        queryArb,
        authArb,
        async (index, id, body, query, who) => {
          const route = routes[index];
          const params = new URLSearchParams();
          for (const [key, value] of Object.entries(query)) for (const v of [value].flat()) params.append(key, v);
          let req = request(t.app)[route.method](`${route.path.replace(':id', id)}?${params.toString()}`);
          const headers: Record<string, string> = {
            player: `Token ${player.token}`,
            subscriber: `Token ${subscriber.token}`,
            garbage: 'Token !!!',
            bearer: `Bearer ${player.token}`,
            long: `Token ${'a'.repeat(10_000)}`,
          };
          if (who !== 'none') req = req.set('Authorization', headers[who]);
          // Writes that would end the session under test are left out of the random walk.
          const destructive =
            route.path.startsWith('/api/auth/tokens') ||
            route.path === '/api/auth/logout' ||
            route.path === '/api/auth/password';
          if (destructive && who === 'player') return;
          const res = await (route.method === 'get' ? req : req.send(body));
          // 501 NOT_CONFIGURED: what this server is not set up for (single sign-on, mail), as documented.
          if (res.status !== 501 || res.body.code !== 'NOT_CONFIGURED') expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            expect(typeof res.body.message).toBe('string');
            expect(typeof res.body.code).toBe('string');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers a JSON __proto__ payload without polluting objects', async () => {
    const fresh = await createUser(t, 'beta_player');
    await request(t.app)
      .post('/api/gallery/galleries')
      .set(fresh.auth)
      .set('Content-Type', 'application/json')
      .send('{"name":"proto","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')
      .expect(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const lenient = await request(t.app)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"username":"${fresh.username}","password":"${fresh.password}","__proto__":{"isAdmin":true}}`)
      .expect(200);
    expect(lenient.body.user.role).toBe('beta_player');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
