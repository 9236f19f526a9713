import { createHash } from 'node:crypto';
import request from 'supertest';

import type { AppDeps } from '../../src/app/deps';
import { createGallery, createUser, jpegBytes, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

/*
 * POST /api/gallery/images/check: which of these SHA-256 hashes the caller can already see, and
 * where; one query whatever the number of hashes; never an image of a gallery the caller may not see.
 */

let t: TestApp;
let sql = 0;
let owner: TestUser;
let stranger: TestUser;
let member: TestUser;
let admin: TestUser;
let shared: { id: number };
let hidden: { id: number };
const uploaded: Record<string, { sha256: string; id: number }> = {};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const randomHash = () => createHash('sha256').update(String(Math.random())).digest('hex');

async function put(user: TestUser, gallery: number, name: string, bytes?: Buffer) {
  const file = bytes ?? (await jpegBytes());
  const res = await request(t.app)
    .post(`/api/gallery/galleries/${gallery}/images`)
    .set(user.auth)
    .attach('image', file, `${name}.jpg`)
    .expect(200);
  uploaded[name] = { sha256: sha256(file), id: res.body.results[0].image.id as number };
}

const check = (user: TestUser, body: object) =>
  request(t.app).post('/api/gallery/images/check/').set(user.auth).send(body);

beforeAll(async () => {
  t = await startTestApp(
    {},
    {
      wrap: (deps: AppDeps) => ({
        ...deps,
        reader: {
          ...deps.reader,
          rows: (text, params) => ((sql += 1), deps.reader.rows(text, params)),
          all: (text, params) => ((sql += 1), deps.reader.all(text, params)),
        },
      }),
    },
  );
  [owner, stranger, member, admin] = await Promise.all([
    createUser(t, 'beta_player'),
    createUser(t, 'beta_player'),
    createUser(t, 'subscriber'),
    createUser(t, 'admin'),
  ]);
  shared = await createGallery(t, owner);
  hidden = await t.db.gallery.create({ data: { name: 'Private', ownerId: owner.id, visibility: 'private' } });
  await put(owner, shared.id, 'open');
  await put(owner, hidden.id, 'secret');
  // The same bytes in both galleries.
  const both = await jpegBytes();
  await put(owner, shared.id, 'twiceShared', both);
  await put(owner, hidden.id, 'twiceHidden', both);
});
afterAll(async () => {
  await t.close();
});

describe('POST /api/gallery/images/check', () => {
  it('tells the owner where each hash is, in the order asked, and which are missing', async () => {
    const unknown = randomHash();
    const res = await check(owner, {
      sha256: [uploaded.secret.sha256.toUpperCase(), unknown, uploaded.open.sha256, uploaded.twiceShared.sha256],
    }).expect(200);
    expect(res.body).toEqual({
      found: [
        { sha256: uploaded.secret.sha256, image: uploaded.secret.id, gallery: hidden.id },
        { sha256: uploaded.open.sha256, image: uploaded.open.id, gallery: shared.id },
        { sha256: uploaded.twiceShared.sha256, image: uploaded.twiceShared.id, gallery: shared.id },
        { sha256: uploaded.twiceShared.sha256, image: uploaded.twiceHidden.id, gallery: hidden.id },
      ],
      missing: [unknown],
    });
  });

  it('narrows to one gallery when asked', async () => {
    const res = await check(owner, {
      gallery: hidden.id,
      sha256: [uploaded.open.sha256, uploaded.twiceShared.sha256],
    }).expect(200);
    expect(res.body).toEqual({
      found: [{ sha256: uploaded.twiceShared.sha256, image: uploaded.twiceHidden.id, gallery: hidden.id }],
      missing: [uploaded.open.sha256],
    });
  });

  it("never reveals a private gallery's hashes to someone who may not see it", async () => {
    const asked = [uploaded.secret.sha256, uploaded.open.sha256, uploaded.twiceShared.sha256];
    const res = await check(stranger, { sha256: asked }).expect(200);
    expect(res.body).toEqual({
      found: [
        { sha256: uploaded.open.sha256, image: uploaded.open.id, gallery: shared.id },
        { sha256: uploaded.twiceShared.sha256, image: uploaded.twiceShared.id, gallery: shared.id },
      ],
      missing: [uploaded.secret.sha256],
    });
    const narrowed = await check(stranger, { gallery: hidden.id, sha256: asked }).expect(200);
    expect(narrowed.body).toEqual({ found: [], missing: asked });
  });

  it('shows a private gallery to its members and to admins', async () => {
    const before = await check(member, { sha256: [uploaded.secret.sha256] }).expect(200);
    expect(before.body.found).toEqual([]);
    await t.db.galleryMember.create({ data: { galleryId: hidden.id, userId: member.id, role: 'viewer' } });
    const after = await check(member, { sha256: [uploaded.secret.sha256] }).expect(200);
    expect(after.body.found).toEqual([
      { sha256: uploaded.secret.sha256, image: uploaded.secret.id, gallery: hidden.id },
    ]);
    const asAdmin = await check(admin, { sha256: [uploaded.secret.sha256] }).expect(200);
    expect(asAdmin.body.found).toHaveLength(1);
  });

  it('forgets an image once it is deleted', async () => {
    await put(owner, shared.id, 'gone');
    await request(t.app).delete(`/api/gallery/images/${uploaded.gone.id}/`).set(owner.auth).expect(200);
    const res = await check(owner, { sha256: [uploaded.gone.sha256] }).expect(200);
    expect(res.body).toEqual({ found: [], missing: [uploaded.gone.sha256] });
  });

  it('asks the database once for 1000 hashes', async () => {
    const hashes = [...Array.from({ length: 999 }, randomHash), uploaded.open.sha256];
    await check(owner, { sha256: hashes }).expect(200); // the first use of a token notes it
    sql = 0;
    const res = await check(owner, { sha256: hashes }).expect(200);
    expect(res.body.found).toEqual([{ sha256: uploaded.open.sha256, image: uploaded.open.id, gallery: shared.id }]);
    expect(res.body.missing).toHaveLength(999);
    expect(sql).toBe(1);
  });

  it('refuses bad input with 400 JSON', async () => {
    const cases: [object, RegExp][] = [
      [{}, /^sha256: /],
      [{ sha256: [] }, /^sha256: /],
      [{ sha256: ['abc'] }, /^sha256\.0: A SHA-256 in hex/],
      [{ sha256: ['g'.repeat(64)] }, /^sha256\.0: A SHA-256 in hex/],
      [{ sha256: Array.from({ length: 1001 }, randomHash) }, /^sha256: /],
      [{ sha256: [randomHash()], gallery: 'one' }, /^gallery: /],
      [{ sha256: [randomHash()], other: 1 }, /other/],
      [{ sha256: randomHash() }, /^sha256: /],
    ];
    for (const [body, message] of cases) {
      const res = await check(owner, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
    }
  });

  it('needs a signed-in caller', async () => {
    const res = await request(t.app)
      .post('/api/gallery/images/check')
      .send({ sha256: [randomHash()] })
      .expect(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });
});
