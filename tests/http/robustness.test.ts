import request from 'supertest';
import { createCast, createGallery, createImage, createUser, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let player: TestUser;
let subscriber: TestUser;
let imageId: number;

beforeAll(async () => {
  t = await startTestApp();
  ({ owner: player, subscriber } = await createCast(t));
  const gallery = await createGallery(t, player);
  imageId = (await createImage(t, player, gallery.id)).id;
});
afterAll(async () => {
  await t.close();
});

/** A small deterministic generator, so that a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const WEIRD_VALUES: unknown[] = [
  null, true, 0, -1, 1e308, 2 ** 53, '', ' ', 'x'.repeat(10_000), '\u0000', '💥', '../../etc/passwd',
  '<script>', [], [1, 2], {}, { $gt: '' }, { __proto__: { admin: true } }, 'NaN', '1e999', '0x10',
];
const KEYS = ['username', 'email', 'password', 'password2', 'role', 'token', 'name', 'description', 'title', 'gallery', 'isActive', '__proto__', 'constructor', 'id'];

describe('any input', () => {
  it('never gets a 500 on any route, and errors always have the error shape', async () => {
    const next = random(42);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const failures: string[] = [];
    for (const route of t.app.locals.routes) {
      const path = route.path.replace(':id', pick([String(imageId), '0', '-1', 'abc', '99999999999', '1.5']));
      for (let i = 0; i < 6; i++) {
        const body: Record<string, unknown> = {};
        for (let k = 0; k < 3; k++) body[pick(KEYS)] = pick(WEIRD_VALUES);
        const user = pick([player, subscriber, null]);
        const query = `?${pick(['limit', 'cursor', 'gallery', 'owner'])}=${encodeURIComponent(String(pick(WEIRD_VALUES)))}`;
        let req = request(t.app)[route.method](path + query);
        if (user) req = req.set(user.auth);
        const res = await (route.method === 'get' ? req : req.send(body));
        const shapeOk = res.status < 400 || (typeof res.body.message === 'string' && typeof res.body.code === 'string');
        if (res.status >= 500 || !shapeOk) failures.push(`${route.method.toUpperCase()} ${path}${query} ${JSON.stringify(body)} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers a JSON __proto__ payload without polluting objects', async () => {
    const fresh = await createUser(t, 'beta_player');
    await request(t.app)
      .post('/api/gallery/galleries')
      .set(fresh.auth)
      .set('Content-Type', 'application/json')
      .send('{"name":"proto","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')
      .expect(201);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
