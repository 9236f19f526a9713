import { createHash, createHmac } from 'node:crypto';
import sharp from 'sharp';
import request from 'supertest';

import { createCast, createGallery, createImage, createUser, upload, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let owner: TestUser;
let otherPlayer: TestUser;
let subscriber: TestUser;
let companyUser: TestUser;
let admin: TestUser;
/** The owner's gallery shared in most tests: a photo with EXIF and two plain images. */
let galleryId: number;
let photoId: number;
let plainIds: number[];
/** An image in another gallery of the same owner. */
let elsewhereId: number;

// Every anonymous call comes from its own address (TRUST_PROXY), so that the failures one test
// counts against an address never lock another test out; the throttling tests pick theirs.
let addressCounter = 0;
const freshAddress = () => `10.20.${(addressCounter >> 8) & 255}.${++addressCounter & 255}`;

beforeAll(async () => {
  t = await startTestApp({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES: '3', LOGIN_ADDRESS_MAX_FAILURES: '5' });
  ({ owner, otherPlayer, subscriber, companyUser, admin } = await createCast(t));
  galleryId = (await createGallery(t, owner, 'Holiday')).id;
  const photo = await upload(
    t,
    owner,
    { gallery: galleryId, title: 'Harbour' },
    { bytes: await phoneJpeg(), filename: 'IMG_1.jpg', contentType: 'image/jpeg' },
  );
  expect(photo.status).toBe(201);
  expect(photo.body).toMatchObject({ cameraModel: 'Canon EOS R5', hasGps: true });
  photoId = photo.body.id;
  plainIds = [(await createImage(t, owner, galleryId)).id, (await createImage(t, owner, galleryId)).id];
  elsewhereId = (await createImage(t, owner, (await createGallery(t, owner)).id)).id;
});
afterAll(async () => {
  await t.close();
});

/** A small JPEG as a phone writes it: camera, capture time and a GPS position in its EXIF. */
function phoneJpeg() {
  return sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
      IFD2: { DateTimeOriginal: '2024:05:01 12:34:56' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 1234/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 3999/100',
      },
    })
    .toBuffer();
}

type Created = { id: number; key: string; url: string; prefix: string; state: string; hasPassword: boolean };

function createLink(by: TestUser, body: Record<string, unknown> = {}, gallery = galleryId) {
  return request(t.app).post(`/api/gallery/galleries/${gallery}/links/`).set(by.auth).send(body);
}

async function newLink(body: Record<string, unknown> = {}, gallery = galleryId): Promise<Created> {
  const res = await createLink(owner, body, gallery);
  expect(res.status).toBe(201);
  return res.body;
}

/** The link's page, anonymously, from `address` (a fresh one unless given). */
function page(key: string, options: { query?: string; password?: string; address?: string } = {}) {
  const req = request(t.app)
    .get(`/api/share/${key}${options.query ?? ''}`)
    .set('X-Forwarded-For', options.address ?? freshAddress());
  return options.password === undefined ? req : req.set('X-Share-Password', options.password);
}

function file(key: string, imageId: number, options: { size?: string; password?: string; address?: string } = {}) {
  const query = options.size ? `?size=${options.size}` : '';
  const req = request(t.app)
    .get(`/api/share/${key}/images/${imageId}/file${query}`)
    .set('X-Forwarded-For', options.address ?? freshAddress());
  return options.password === undefined ? req : req.set('X-Share-Password', options.password);
}

const linkRow = (id: number) => t.db.shareLink.findUniqueOrThrow({ where: { id } });
const NOT_FOUND = { message: 'Share link not found', code: 'NOT_FOUND' };

describe('creating a link', () => {
  it('gives the key once, with its URL, and keeps only its SHA-256 and a bcrypt hash of the password', async () => {
    const res = await createLink(owner, { password: 'correct horse', maxViews: 10 }).expect(201);
    expect(res.body).toMatchObject({
      message: expect.any(String),
      gallery: galleryId,
      state: 'active',
      views: 0,
      maxViews: 10,
      hasPassword: true,
      allowOriginals: false,
      expiresAt: null,
    });
    const { key, url, prefix } = res.body as Created;
    expect(key).toMatch(/^share_[A-Za-z0-9_-]{32}$/);
    expect(url).toMatch(new RegExp(`/api/share/${key}$`));
    expect(prefix).toBe(key.slice(0, 12));
    const row = await linkRow(res.body.id);
    expect(row.keyHash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(row.passwordHash).toMatch(/^\$2[aby]\$/);
    expect(JSON.stringify(row)).not.toContain(key);
    expect(JSON.stringify(res.body)).not.toMatch(/correct horse|\$2[aby]\$|keyHash|passwordHash/);
  });

  it('records the creation in the audit log, without the key or the password', async () => {
    const link = await newLink({ password: 'audit-me-please' });
    const events = await t.db.auditEvent.findMany({ where: { action: 'gallery.link.create', targetId: galleryId } });
    const event = events.find((e) => e.detail?.includes(`link ${link.id} `));
    expect(event).toMatchObject({ actorId: owner.id, targetType: 'gallery', outcome: 'ok' });
    expect(event!.detail).not.toContain(link.key);
    expect(event!.detail).not.toContain('audit-me-please');
  });

  it.each([
    ['an unknown field', { galleryId: 1 }],
    ['an expiry in the past', { expiresAt: new Date(Date.now() - 60_000).toISOString() }],
    ['an expiry that is not a date', { expiresAt: 'tomorrow' }],
    ['a password under 8 characters', { password: 'short' }],
    ['a password that cannot travel in a header', { password: 'pässwörd-long' }],
    ['maxViews of 0', { maxViews: 0 }],
    ['maxViews that is not an integer', { maxViews: 1.5 }],
    ['allowOriginals that is not a boolean', { allowOriginals: 'yes' }],
  ])('refuses %s with 400', async (_what, body) => {
    const res = await createLink(owner, body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('is refused to view-only roles (403), whatever the gallery', async () => {
    for (const user of [subscriber, companyUser]) {
      const res = await createLink(user).expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });

  it("is refused to a Beta Player on another's gallery (403), and 404 for a gallery they cannot see", async () => {
    await createLink(otherPlayer).expect(403);
    const hidden = await t.db.gallery.create({ data: { name: 'Secret', ownerId: owner.id, visibility: 'private' } });
    await createLink(otherPlayer, {}, hidden.id).expect(404);
    await createLink(owner, {}, 999999).expect(404);
  });

  it("lets an admin make a link to anyone's gallery", async () => {
    const res = await createLink(admin).expect(201);
    expect(res.body.createdBy).toEqual({ id: admin.id, username: admin.username });
  });
});

describe("a link's page", () => {
  let link: Created;
  beforeAll(async () => {
    link = await newLink();
  });

  it('shows the gallery and its images to anyone with the key, without a token, and counts the view', async () => {
    const res = await page(link.key).expect(200);
    expect(res.body.gallery).toEqual({ id: galleryId, name: 'Holiday', description: 'about Holiday', imageCount: 3 });
    expect(res.body.images.map((image: { id: number }) => image.id).sort()).toEqual([photoId, ...plainIds].sort());
    expect(res.body).toMatchObject({ next: null, allowOriginals: false, expiresAt: null });
    expect((await linkRow(link.id)).views).toBe(1);
  });

  it('sends no-referrer, noindex and no-store on the page, its files and its refusals', async () => {
    const replies = [
      await page(link.key).expect(200),
      await file(link.key, photoId, { size: 'thumb' }).expect(200),
      await page('share_nope').expect(404),
      await file(link.key, elsewhereId).expect(404),
    ];
    // Refused before the handler runs (a query that does not parse): the same headers.
    replies.push(await request(t.app).get(`/api/share/${link.key}/?limit=nope`).expect(400));
    for (const res of replies) {
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-robots-tag']).toMatch(/noindex/);
      expect(res.headers['cache-control']).toMatch(/private/);
    }
    expect(replies[0].headers['cache-control']).toBe('private, no-store');
  });

  it('never shows EXIF, emails, storage keys, hashes, other galleries or anything to write', async () => {
    const res = await page(link.key).expect(200);
    const text = JSON.stringify(res.body);
    const row = await t.db.image.findUniqueOrThrow({ where: { id: photoId } });
    for (const secret of [
      owner.email,
      row.storageKey,
      row.sha256,
      'Canon',
      '2024-05-01',
      'hasGps',
      'capturedAt',
      'cameraModel',
      'uploader',
      '/api/gallery/',
    ]) {
      expect(text).not.toContain(secret);
    }
    const photo = res.body.images.find((image: { id: number }) => image.id === photoId);
    expect(Object.keys(photo).sort()).toEqual([
      'createdAt',
      'description',
      'favorite',
      'height',
      'id',
      'mimeType',
      'original',
      'preview',
      'size',
      'tags',
      'thumbhash',
      'thumbnail',
      'title',
      'width',
    ]);
    expect(photo.original).toBeNull();
    expect(photo.thumbnail).toMatch(
      new RegExp(`/api/share/${link.key}/images/${photoId}/file\\?v=[0-9a-f]{16}&size=thumb$`),
    );
  });

  it('pages with the same keyset cursors as other lists, each page one view', async () => {
    const counted = await newLink();
    const first = await page(counted.key, { query: '?limit=2&sort=title' }).expect(200);
    expect(first.body.images).toHaveLength(2);
    expect(first.body.next).toEqual(expect.any(String));
    expect(first.headers.link).toContain(`cursor=${first.body.next}`);
    const second = await page(counted.key, { query: `?limit=2&sort=title&cursor=${first.body.next}` }).expect(200);
    expect(second.body.images).toHaveLength(1);
    expect(second.body.next).toBeNull();
    const titles = [...first.body.images, ...second.body.images].map((image: { title: string }) =>
      image.title.toLowerCase(),
    );
    expect(titles).toEqual([...titles].sort());
    await page(counted.key, { query: '?cursor=%%%' }).expect(400);
    expect((await linkRow(counted.id)).views).toBe(2);
  });

  it('serves thumbnails and previews, the preview by default, and refuses the original (403) unless allowed', async () => {
    const thumb = await file(link.key, photoId, { size: 'thumb' }).expect(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const byDefault = await file(link.key, photoId).expect(200);
    expect(byDefault.headers['content-type']).toBe('image/webp');
    const original = await file(link.key, photoId, { size: 'original' }).expect(403);
    expect(original.body.code).toBe('FORBIDDEN');
    const head = await request(t.app)
      .head(`/api/share/${link.key}/images/${photoId}/file?size=preview`)
      .set('X-Forwarded-For', freshAddress())
      .expect(200);
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });

  it('does not count file requests as views', async () => {
    const fresh = await newLink({ maxViews: 1 });
    for (const size of ['thumb', 'preview', 'thumb']) await file(fresh.key, plainIds[0], { size }).expect(200);
    expect((await linkRow(fresh.id)).views).toBe(0);
  });

  it('answers 404 for an image of another gallery, or none, through the link', async () => {
    for (const imageId of [elsewhereId, 999999]) {
      for (const size of ['thumb', 'preview', 'original']) await file(link.key, imageId, { size }).expect(404);
    }
  });

  it('gives originals and the EXIF summary when the link allows originals', async () => {
    const open = await newLink({ allowOriginals: true });
    const res = await page(open.key).expect(200);
    const photo = res.body.images.find((image: { id: number }) => image.id === photoId);
    expect(photo).toMatchObject({
      cameraModel: 'Canon EOS R5',
      hasGps: true,
      capturedAt: '2024-05-01T12:34:56',
      original: expect.stringContaining('size=original'),
    });
    expect(JSON.stringify(res.body)).not.toContain(owner.email);
    const original = await file(open.key, photoId).expect(200);
    expect(original.headers['content-type']).toBe('image/jpeg');
    await file(open.key, photoId, { size: 'original' }).expect(200);
  });
});

describe('the end of a link', () => {
  it('is 404 after the last view, counted in the database, with the same reply as a wrong key; its files stay', async () => {
    const link = await newLink({ maxViews: 2 });
    await page(link.key).expect(200);
    await page(link.key).expect(200);
    const used = await page(link.key).expect(404);
    const wrong = await page(`share_${'x'.repeat(32)}`).expect(404);
    expect(used.body).toEqual(NOT_FOUND);
    expect(wrong.body).toEqual(used.body);
    expect((await linkRow(link.id)).views).toBe(2);
    // The last visitor still loads the thumbnails of the page they were given.
    await file(link.key, plainIds[0], { size: 'thumb' }).expect(200);
  });

  it('lets parallel views pass the limit no further than maxViews', async () => {
    const link = await newLink({ maxViews: 3 });
    const replies = await Promise.all(Array.from({ length: 8 }, () => page(link.key)));
    expect(replies.filter((res) => res.status === 200)).toHaveLength(3);
    expect(replies.filter((res) => res.status === 404)).toHaveLength(5);
    expect((await linkRow(link.id)).views).toBe(3);
  });

  it('is 404 for the page and its files once expired, the same reply as a wrong key', async () => {
    const link = await newLink({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await page(link.key).expect(200);
    await t.db.shareLink.update({ where: { id: link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await page(link.key).expect(404)).body).toEqual(NOT_FOUND);
    expect((await file(link.key, photoId, { size: 'thumb' }).expect(404)).body).toEqual(NOT_FOUND);
  });

  it('is 404 for the page and its files once revoked; the revoke is audited and shown in the list', async () => {
    const link = await newLink();
    await page(link.key).expect(200);
    const res = await request(t.app)
      .delete(`/api/gallery/galleries/${galleryId}/links/${link.id}`)
      .set(owner.auth)
      .expect(200);
    expect(res.body).toMatchObject({ id: link.id, state: 'revoked', revokedAt: expect.any(String) });
    expect((await page(link.key).expect(404)).body).toEqual(NOT_FOUND);
    expect((await file(link.key, photoId, { size: 'thumb' }).expect(404)).body).toEqual(NOT_FOUND);
    const events = await t.db.auditEvent.findMany({ where: { action: 'gallery.link.revoke', targetId: galleryId } });
    const mine = events.filter((e) => e.detail?.startsWith(`link ${link.id} `));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ actorId: owner.id, targetType: 'gallery', outcome: 'ok' });
  });

  it('is 404 once its gallery is deleted', async () => {
    const gallery = await createGallery(t, owner);
    const imageId = (await createImage(t, owner, gallery.id)).id;
    const link = await newLink({}, gallery.id);
    await page(link.key).expect(200);
    await request(t.app).delete(`/api/gallery/galleries/${gallery.id}`).set(owner.auth).expect(200);
    expect((await page(link.key).expect(404)).body).toEqual(NOT_FOUND);
    await file(link.key, imageId, { size: 'thumb' }).expect(404);
  });
  it('is 404 while the user who made it is deactivated', async () => {
    const maker = await createUser(t, 'beta_player');
    const gallery = await createGallery(t, maker);
    const res = await createLink(maker, {}, gallery.id).expect(201);
    await page(res.body.key).expect(200);
    await t.db.user.update({ where: { id: maker.id }, data: { isActive: false } });
    expect((await page(res.body.key).expect(404)).body).toEqual(NOT_FOUND);
  });
});

describe("managing a gallery's links", () => {
  it('lists them without keys, each with its state, to the owner and admins only', async () => {
    const gallery = await createGallery(t, owner);
    const active = await newLink({}, gallery.id);
    const usedUp = await newLink({ maxViews: 1 }, gallery.id);
    const expired = await newLink({}, gallery.id);
    const revoked = await newLink({}, gallery.id);
    await page(usedUp.key).expect(200);
    await t.db.shareLink.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await request(t.app).delete(`/api/gallery/galleries/${gallery.id}/links/${revoked.id}`).set(owner.auth).expect(200);
    const res = await request(t.app).get(`/api/gallery/galleries/${gallery.id}/links`).set(owner.auth).expect(200);
    const states = Object.fromEntries(res.body.map((link: { id: number; state: string }) => [link.id, link.state]));
    expect(states).toEqual({
      [active.id]: 'active',
      [usedUp.id]: 'used-up',
      [expired.id]: 'expired',
      [revoked.id]: 'revoked',
    });
    const text = JSON.stringify(res.body);
    for (const link of [active, usedUp, expired, revoked]) expect(text).not.toContain(link.key);
    expect(text).not.toMatch(/keyHash|passwordHash/);
    await request(t.app).get(`/api/gallery/galleries/${gallery.id}/links`).set(admin.auth).expect(200);
    await request(t.app).get(`/api/gallery/galleries/${gallery.id}/links`).set(otherPlayer.auth).expect(403);
    await request(t.app).get(`/api/gallery/galleries/${gallery.id}/links`).set(subscriber.auth).expect(403);
    const paged = await request(t.app)
      .get(`/api/gallery/galleries/${gallery.id}/links?limit=3`)
      .set(owner.auth)
      .expect(200);
    expect(paged.body).toHaveLength(3);
    expect(paged.headers.link).toContain('rel="next"');
  });

  it('revokes only links of that gallery (404 otherwise), and only for the owner or an admin', async () => {
    const other = await createGallery(t, owner);
    const link = await newLink({}, other.id);
    await request(t.app).delete(`/api/gallery/galleries/${galleryId}/links/${link.id}`).set(owner.auth).expect(404);
    await request(t.app)
      .delete(`/api/gallery/galleries/${other.id}/links/${link.id}`)
      .set(otherPlayer.auth)
      .expect(403);
    await request(t.app).delete(`/api/gallery/galleries/${other.id}/links/${link.id}`).set(admin.auth).expect(200);
    expect((await linkRow(link.id)).revokedAt).not.toBeNull();
  });
});

describe('keys and tokens', () => {
  it('refuses a link key sent as a token with 401', async () => {
    const link = await newLink();
    for (const path of ['/api/auth/me/', '/api/gallery/galleries/']) {
      const res = await request(t.app).get(path).set('Authorization', `Token ${link.key}`).expect(401);
      expect(res.body.code).toBe('INVALID_TOKEN');
    }
  });

  it('answers 404 for an API token used as a link key', async () => {
    expect((await page(owner.token).expect(404)).body).toEqual(NOT_FOUND);
    await file(owner.token, photoId, { size: 'thumb' }).expect(404);
  });
});

describe('guessing keys', () => {
  it('locks an address out (429 with Retry-After) after repeated failures, wrong and expired keys alike, even for a good key', async () => {
    const address = '203.0.113.50';
    const good = await newLink();
    const expired = await newLink();
    await t.db.shareLink.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const replies = [];
    for (const key of [`share_${'a'.repeat(32)}`, expired.key, 'garbage', expired.key, `share_${'b'.repeat(32)}`]) {
      replies.push(await page(key, { address }).expect(404));
    }
    for (const res of replies) expect(res.body).toEqual(NOT_FOUND);
    const locked = await page(good.key, { address }).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.headers['x-robots-tag']).toMatch(/noindex/);
    await file(good.key, photoId, { size: 'thumb', address }).expect(429);
    await page(good.key).expect(200);
  });
});

describe('password links', () => {
  const password = 'open sesame 42';

  it('need the password in X-Share-Password for the page and its files: missing and wrong get the same 401', async () => {
    const link = await newLink({ password });
    const missing = await page(link.key).expect(401);
    const wrong = await page(link.key, { password: 'open sesame 43' }).expect(401);
    expect(missing.body).toEqual({ message: expect.any(String), code: 'SHARE_PASSWORD_REQUIRED' });
    expect(wrong.body).toEqual(missing.body);
    expect(missing.headers['referrer-policy']).toBe('no-referrer');
    // Not from the query string.
    await page(link.key, { query: `?password=${encodeURIComponent(password)}` }).expect(401);
    await page(link.key, { password }).expect(200);
    await file(link.key, photoId, { size: 'thumb' }).expect(401);
    await file(link.key, photoId, { size: 'thumb', password: 'nope-nope' }).expect(401);
    await file(link.key, photoId, { size: 'thumb', password }).expect(200);
    // Refused attempts are not views.
    expect((await linkRow(link.id)).views).toBe(1);
  });

  /** The grant cookie a reply sets (its whole `Set-Cookie`), if any. */
  const grantSet = (res: request.Response) =>
    ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('gallery_share='));
  const grantOf = (setCookie: string) => setCookie.split(';')[0];

  it('set a grant cookie for the right password: for this link only, HttpOnly, for the session, without the password', async () => {
    const link = await newLink({ password });
    expect(grantSet(await page(link.key))).toBeUndefined();
    expect(grantSet(await page(link.key, { password: 'open sesame 43' }))).toBeUndefined();
    const setCookie = grantSet(await page(link.key, { password }).expect(200))!;
    expect(setCookie).toMatch(
      new RegExp(
        `^gallery_share=${link.id}\\.\\d+\\.[\\w-]{43}; Path=/api/share/${link.key}; HttpOnly; SameSite=Strict$`,
      ),
    );
    expect(setCookie).not.toMatch(/Max-Age|Expires/);
    expect(setCookie).not.toContain(password);
    expect(setCookie).not.toContain((await linkRow(link.id)).passwordHash);
    // A link without a password sets none.
    const open = await newLink();
    expect(grantSet(await page(open.key).expect(200))).toBeUndefined();
  });

  it("let the grant stand for the password on the page and the files, until it ends; a forged or other link's is 401", async () => {
    const link = await newLink({ password });
    const grant = grantOf(grantSet(await page(link.key, { password }).expect(200))!);
    const withGrant = (req: request.Test, cookie = grant) => req.set('Cookie', `other=1; ${cookie}`);
    const reply = await withGrant(page(link.key)).expect(200);
    expect(reply.body.images.length).toBe(3);
    expect(grantSet(reply)).toBeUndefined();
    await withGrant(file(link.key, photoId, { size: 'thumb' })).expect(200);
    await withGrant(file(link.key, photoId, { size: 'preview' })).expect(200);
    // Another password link does not take it, even with its own id in place of the first one's.
    const other = await newLink({ password });
    await withGrant(page(other.key)).expect(401);
    await withGrant(page(other.key), grant.replace(`=${link.id}.`, `=${other.id}.`)).expect(401);
    // Changed in its expiry or its MAC: refused.
    const [, expiry, mac] = grant.split('=')[1].split('.');
    await withGrant(page(link.key), `gallery_share=${link.id}.${Number(expiry) + 60}.${mac}`).expect(401);
    // A changed first character (the last one's low bits are padding a decoder may ignore).
    const forged = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    await withGrant(page(link.key), `gallery_share=${link.id}.${expiry}.${forged}`).expect(401);
    // One made the server's way but already past its end: refused as well.
    const { passwordHash } = await linkRow(link.id);
    const past = Math.floor(Date.now() / 1000) - 10;
    const mac2 = createHmac('sha256', passwordHash!).update(`share-grant:${link.id}:${past}`).digest('base64url');
    await withGrant(page(link.key), `gallery_share=${link.id}.${past}.${mac2}`).expect(401);
    // A wrong password sent along with a good grant is still a wrong password.
    await withGrant(page(link.key, { password: 'open sesame 43' })).expect(401);
    // Revoked: the grant opens nothing.
    await request(t.app).delete(`/api/gallery/galleries/${galleryId}/links/${link.id}/`).set(owner.auth).expect(200);
    await withGrant(page(link.key)).expect(404);
  });

  it('let a grant holder in while wrong guesses have locked the link (429 for the password)', async () => {
    const link = await newLink({ password });
    const grant = grantOf(grantSet(await page(link.key, { password }).expect(200))!);
    for (let i = 0; i < 3; i++) await page(link.key, { password: `wrong guess ${i}` }).expect(401);
    await page(link.key, { password }).expect(429);
    await page(link.key).set('Cookie', grant).expect(200);
    await file(link.key, photoId, { size: 'thumb' }).set('Cookie', grant).expect(200);
  });

  it('throttle wrong passwords per link, across addresses: 429 with Retry-After even with the right password', async () => {
    const link = await newLink({ password });
    for (let i = 0; i < 3; i++) await page(link.key, { password: `wrong guess ${i}` }).expect(401);
    const locked = await page(link.key, { password }).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    await file(link.key, photoId, { size: 'thumb', password }).expect(429);
    // Another link's visitors are not affected.
    const other = await newLink({ password });
    await page(other.key, { password }).expect(200);
  });

  it('throttle wrong passwords per address, across links', async () => {
    const address = '198.51.100.77';
    const links = await Promise.all(Array.from({ length: 3 }, () => newLink({ password })));
    for (const link of links) await page(link.key, { password: 'not it at all', address }).expect(401);
    await page(links[0].key, { password: 'still not it', address }).expect(401);
    await page(links[1].key, { password: 'not it either', address }).expect(401);
    await page(links[2].key, { password, address }).expect(429);
    await page(links[2].key, { password }).expect(200);
  });
});
