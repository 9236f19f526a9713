import request from 'supertest';

import { createCast, createGallery, createImage, jpegBytes, upload, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-env';

// Every change and the audit event that records it are one transaction. Here the database refuses
// every audit event (a trigger), as a full disk or a broken table would: each change must then be
// refused whole, leaving no trace, rather than happen unrecorded.

let t: TestApp;
let owner: TestUser;
let admin: TestUser;
let subscriber: TestUser;
let galleryId: number;
let imageId: number;

async function refuseAuditEvents(on: boolean) {
  if (testDbKind() === 'sqlite') {
    await t.db.$executeRawUnsafe(
      on
        ? `CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditEvent" BEGIN SELECT RAISE(ABORT, 'the audit log is unavailable'); END`
        : 'DROP TRIGGER refuse_audit',
    );
    return;
  }
  if (on) {
    await t.db.$executeRawUnsafe(
      `CREATE OR REPLACE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the audit log is unavailable'; END $$ LANGUAGE plpgsql`,
    );
    await t.db.$executeRawUnsafe(
      'CREATE TRIGGER refuse_audit BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION refuse_audit()',
    );
  } else {
    await t.db.$executeRawUnsafe('DROP TRIGGER refuse_audit ON "AuditEvent"');
  }
}

beforeAll(async () => {
  // Reply checking off: how the refusal maps to a status is the database adapter's (SQLite's
  // trigger error reads as a foreign-key conflict), and not what this file is about.
  t = await startTestApp({ VALIDATE_RESPONSES: 'false' });
  ({ owner, admin, subscriber } = await createCast(t));
  galleryId = (await createGallery(t, owner)).id;
  imageId = (await createImage(t, owner, galleryId)).id;
  await refuseAuditEvents(true);
});
afterAll(async () => {
  await t.close();
});

const counts = async () => ({
  users: await t.db.user.count(),
  tokens: await t.db.token.count(),
  liveTokens: await t.db.token.count({ where: { revokedAt: null } }),
  galleries: await t.db.gallery.count({ where: { deleting: false } }),
  images: await t.db.image.count({ where: { deleting: false } }),
  files: t.files().sort(),
  events: await t.db.auditEvent.count(),
});

/** Refused with an error reply; what counts here is that nothing changed. */
function refused(res: request.Response) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(typeof res.body.code).toBe('string');
}

describe('when the audit event cannot be written, the change it records does not happen', () => {
  let before: Awaited<ReturnType<typeof counts>>;
  beforeEach(async () => {
    before = await counts();
  });
  afterEach(async () => {
    expect(await counts()).toEqual(before);
  });

  it('an upload: no row, no file', async () => {
    refused(
      await upload(
        t,
        owner,
        { gallery: galleryId, title: 'unrecorded' },
        { bytes: await jpegBytes(), filename: 'x.jpg', contentType: 'image/jpeg' },
      ),
    );
  });

  it('a change of title', async () => {
    refused(await request(t.app).patch(`/api/gallery/images/${imageId}`).set(owner.auth).send({ title: 'unrecorded' }));
    const res = await request(t.app).get(`/api/gallery/images/${imageId}`).set(owner.auth).expect(200);
    expect(res.body.title).not.toBe('unrecorded');
  });

  it('a new file for an image: the old one stays', async () => {
    const image = await request(t.app).get(`/api/gallery/images/${imageId}`).set(owner.auth).expect(200);
    refused(
      await request(t.app)
        .put(`/api/gallery/images/${imageId}`)
        .set(owner.auth)
        .attach('image', await jpegBytes(), 'new.jpg'),
    );
    const after = await request(t.app).get(`/api/gallery/images/${imageId}`).set(owner.auth).expect(200);
    expect(after.body.sha256).toBe(image.body.sha256);
  });

  it('an image delete', async () => {
    refused(await request(t.app).delete(`/api/gallery/images/${imageId}`).set(owner.auth));
    await request(t.app).get(`/api/gallery/images/${imageId}/file/`).set(owner.auth).expect(200);
  });

  it('a gallery delete', async () => {
    refused(await request(t.app).delete(`/api/gallery/galleries/${galleryId}`).set(owner.auth));
    await request(t.app).get(`/api/gallery/galleries/${galleryId}`).set(owner.auth).expect(200);
  });

  it('a registration', async () => {
    refused(
      await request(t.app).post('/api/auth/register/').send({
        username: 'unrecorded',
        email: 'unrecorded@example.test',
        password: 'a fine passphrase',
        password2: 'a fine passphrase',
      }),
    );
  });

  it('a login: no token is issued', async () => {
    refused(await request(t.app).post('/api/auth/login/').send({ username: owner.username, password: owner.password }));
  });

  it('a logout: the token still works', async () => {
    refused(await request(t.app).post('/api/auth/logout/').set(subscriber.auth));
    await request(t.app).get('/api/auth/me/').set(subscriber.auth).expect(200);
  });

  it('a personal token, and revoking tokens', async () => {
    refused(await request(t.app).post('/api/auth/tokens/').set(owner.auth).send({ name: 'unrecorded' }));
    refused(await request(t.app).delete('/api/auth/tokens/').set(owner.auth));
    refused(await request(t.app).delete(`/api/admin/users/${subscriber.id}/tokens/`).set(admin.auth));
  });

  it('a password change: the password stays', async () => {
    const hash = async () => (await t.db.user.findUniqueOrThrow({ where: { id: subscriber.id } })).passwordHash;
    const old = await hash();
    refused(
      await request(t.app).post('/api/auth/password/').set(subscriber.auth).send({
        currentPassword: subscriber.password,
        newPassword: 'another fine passphrase',
        newPassword2: 'another fine passphrase',
      }),
    );
    expect(await hash()).toBe(old);
  });

  it("an admin's change of a user's role", async () => {
    refused(
      await request(t.app).patch(`/api/admin/users/${subscriber.id}`).set(admin.auth).send({ role: 'beta_player' }),
    );
    const res = await request(t.app).get(`/api/admin/users/${subscriber.id}`).set(admin.auth).expect(200);
    expect(res.body.role).toBe('subscriber');
  });
});
