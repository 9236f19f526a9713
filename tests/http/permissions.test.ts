import request from 'supertest';

import { createCast, createGallery, createImage, createUser, pngBytes, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The permission matrix of docs/permissions.md, checked cell by cell: every action × every kind of caller.
 * "owner" is the Beta Player who owns the gallery and uploaded the image; "player" is another one.
 */
const CALLERS = ['anonymous', 'subscriber', 'companyUser', 'owner', 'player', 'admin', 'noRole'] as const;
type Caller = (typeof CALLERS)[number];

let t: TestApp;
let users: Record<Exclude<Caller, 'anonymous'>, TestUser>;

beforeAll(async () => {
  t = await startTestApp();
  const cast = await createCast(t);
  users = {
    subscriber: cast.subscriber,
    companyUser: cast.companyUser,
    owner: cast.owner,
    player: cast.otherPlayer,
    admin: cast.admin,
    noRole: await createUser(t, null),
  };
});
afterAll(async () => {
  await t.close();
});

type Fixture = { galleryId: number; imageId: number };
type Action = (req: ReturnType<typeof request>, f: Fixture) => request.Test;

async function fixture(): Promise<Fixture> {
  const gallery = await createGallery(t, users.owner);
  const image = await createImage(t, users.owner, gallery.id);
  return { galleryId: gallery.id, imageId: image.id };
}

//                                   anonymous subscriber companyUser owner player admin noRole
const MATRIX: [string, Action, number[]][] = [
  ['GET me', (r) => r.get('/api/auth/me'), [401, 200, 200, 200, 200, 200, 200]],
  ['GET roles', (r) => r.get('/api/roles'), [401, 200, 200, 200, 200, 200, 403]],
  ['list galleries', (r) => r.get('/api/gallery/galleries'), [401, 200, 200, 200, 200, 200, 403]],
  ['get gallery', (r, f) => r.get(`/api/gallery/galleries/${f.galleryId}`), [401, 200, 200, 200, 200, 200, 403]],
  ['create gallery', (r) => r.post('/api/gallery/galleries').send({ name: 'm' }), [401, 403, 403, 201, 201, 201, 403]],
  [
    'rename gallery',
    (r, f) => r.patch(`/api/gallery/galleries/${f.galleryId}`).send({ name: 'n' }),
    [401, 403, 403, 200, 403, 200, 403],
  ],
  ['delete gallery', (r, f) => r.delete(`/api/gallery/galleries/${f.galleryId}`), [401, 403, 403, 200, 403, 200, 403]],
  ['list images (full)', (r) => r.get('/api/gallery/images'), [401, 403, 403, 200, 200, 200, 403]],
  ['get image (full)', (r, f) => r.get(`/api/gallery/images/${f.imageId}`), [401, 403, 403, 200, 200, 200, 403]],
  ['list images (view)', (r) => r.get('/api/gallery/view-images'), [401, 200, 200, 200, 200, 200, 403]],
  ['get image (view)', (r, f) => r.get(`/api/gallery/view-images/${f.imageId}`), [401, 200, 200, 200, 200, 200, 403]],
  ['get image file', (r, f) => r.get(`/api/gallery/images/${f.imageId}/file`), [401, 200, 200, 200, 200, 200, 403]],
  [
    'change image',
    (r, f) => r.patch(`/api/gallery/images/${f.imageId}`).send({ title: 'x' }),
    [401, 403, 403, 200, 403, 200, 403],
  ],
  ['delete image', (r, f) => r.delete(`/api/gallery/images/${f.imageId}/delete/`), [401, 403, 403, 200, 403, 200, 403]],
  [
    'write on view-images',
    (r, f) => r.delete(`/api/gallery/view-images/${f.imageId}`),
    [401, 403, 403, 403, 403, 403, 403],
  ],
  ['list users', (r) => r.get('/api/admin/users'), [401, 403, 403, 403, 403, 200, 403]],
  [
    'change a user',
    (r) => r.patch(`/api/admin/users/${users.subscriber.id}`).send({ role: 'subscriber' }),
    [401, 403, 403, 403, 403, 200, 403],
  ],
];

describe('the permission matrix', () => {
  it.each(MATRIX)('%s', async (_name, action, expected) => {
    const actual: Record<string, number> = {};
    for (const caller of CALLERS) {
      const f = await fixture();
      const req = request(t.app);
      let test = action(req, f);
      if (caller !== 'anonymous') test = test.set(users[caller].auth);
      actual[caller] = (await test).status;
    }
    expect(actual).toEqual(Object.fromEntries(CALLERS.map((caller, i) => [caller, expected[i]])));
  });

  it('upload: only into your own gallery, or any as admin', async () => {
    const actual: Record<string, number> = {};
    for (const caller of CALLERS) {
      const f = await fixture();
      let req = request(t.app)
        .post('/api/gallery/images')
        .field('title', 'm')
        .field('gallery', String(f.galleryId))
        .attach('image', await pngBytes(), 'm.png');
      if (caller !== 'anonymous') req = req.set(users[caller].auth);
      actual[caller] = (await req).status;
    }
    expect(actual).toEqual({
      anonymous: 401,
      subscriber: 403,
      companyUser: 403,
      owner: 201,
      player: 403,
      admin: 201,
      noRole: 403,
    });
  });
});
