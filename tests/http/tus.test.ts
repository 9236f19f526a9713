import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import request from 'supertest';

import { createGallery, createUser, jpegBytes, pngBytes, upload, type TestUser } from '../helpers/factories';
import { expectStorageInStep } from '../helpers/storage';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Resumable uploads on the tus 1.0 protocol (core, creation, termination, expiration) under
 * /api/uploads/, through HTTP on one server: what the protocol answers, what is checked when an
 * upload is created and again when it is finished, what a finished upload becomes (the same
 * pipeline and the same replies as a multipart upload), and what is left behind (nothing).
 * Several processes, S3 and restarts: tests/process/tus-*.test.ts.
 */

const MAX_UPLOAD_BYTES = 256 * 1024;

let t: TestApp;
let player: TestUser;
let otherPlayer: TestUser;
let subscriber: TestUser;
let galleryId: number;

beforeAll(async () => {
  t = await startTestApp({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
  [player, otherPlayer, subscriber] = await Promise.all([
    createUser(t, 'beta_player'),
    createUser(t, 'beta_player'),
    createUser(t, 'subscriber'),
  ]);
  galleryId = (await createGallery(t, player)).id;
});
afterAll(async () => {
  await t.close();
});

const TUS = { 'Tus-Resumable': '1.0.0' };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

type Pairs = Record<string, string | number | null>;

/** A tus Upload-Metadata header; a `null` value leaves its key out. */
function metadataHeader(pairs: Pairs) {
  return Object.entries(pairs)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key} ${Buffer.from(String(value)).toString('base64')}`)
    .join(',');
}

function create(user: TestUser, length: number | null, pairs: Pairs = {}) {
  const req = request(t.app).post('/api/uploads/').set(user.auth).set(TUS);
  if (length !== null) req.set('Upload-Length', String(length));
  return req.set('Upload-Metadata', metadataHeader({ gallery: galleryId, title: 'A picture', ...pairs }));
}

function patch(user: TestUser, path: string, offset: number, bytes: Buffer) {
  return request(t.app)
    .patch(path)
    .set(user.auth)
    .set(TUS)
    .set('Upload-Offset', String(offset))
    .set('Content-Type', 'application/offset+octet-stream')
    .send(bytes);
}

const head = (user: TestUser, path: string) => request(t.app).head(path).set(user.auth).set(TUS);

/** A new upload of `bytes`' length; its path. */
async function started(user: TestUser, bytes: Buffer, pairs: Pairs = {}) {
  const res = await create(user, bytes.length, pairs);
  expect(res.status).toBe(201);
  return new URL(res.headers.location).pathname;
}

/** Sends `bytes` in `pieces` PATCHes, checking the offset after each; the last reply. */
async function sendInPieces(user: TestUser, path: string, bytes: Buffer, pieces = 3) {
  const size = Math.ceil(bytes.length / pieces);
  let res: request.Response | undefined;
  for (let offset = 0; offset < bytes.length; offset += size) {
    res = await patch(user, path, offset, bytes.subarray(offset, offset + size));
    const end = Math.min(offset + size, bytes.length);
    if (end < bytes.length) {
      expect(res.status).toBe(204);
      expect(res.headers['upload-offset']).toBe(String(end));
      expect((await head(user, path)).headers['upload-offset']).toBe(String(end));
    }
  }
  return res!;
}

/** A PNG of random pixels: it does not compress, so its size is about side² × 3 bytes. */
const noisePng = (side: number) =>
  sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();

/** Every file under resumable/: the bytes of uploads in progress. */
const resumableFiles = () => t.files().filter((file) => file.startsWith('resumable/'));
/** Images and their files in step, uploads in progress aside. */
const expectInStep = () =>
  expectStorageInStep({ ...t, files: () => t.files().filter((file) => !file.startsWith('resumable/')) });

const uploadRows = () => t.db.resumableUpload.count();
/** The files of upload `path` in the store (UPLOAD_DIR/resumable): the bytes and tus's notes. */
const filesOf = (path: string) => t.files().filter((file) => file.startsWith(`resumable/${path.slice(-32)}`));

describe('discovery', () => {
  it('answers OPTIONS without credentials: version, extensions, the size limit', async () => {
    const res = await request(t.app).options('/api/uploads/').expect(204);
    expect(res.headers['tus-version']).toBe('1.0.0');
    expect(res.headers['tus-extension'].split(',').sort()).toEqual(
      ['creation', 'creation-with-upload', 'expiration', 'termination'].sort(),
    );
    expect(res.headers['tus-max-size']).toBe(String(MAX_UPLOAD_BYTES));
  });
});

describe('a resumable upload', () => {
  it('is created, written in pieces with HEAD telling the offset, and finished with the image', async () => {
    const bytes = await jpegBytes(64, 48);
    const path = await started(player, bytes, { title: 'Harbour', description: 'at dawn' });
    expect(path).toMatch(/^\/api\/uploads\/[a-f0-9]{32}$/);
    const { expiresAt } = await t.db.resumableUpload.findUniqueOrThrow({ where: { id: path.slice(-32) } });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 3600 * 1000); // RESUMABLE_UPLOAD_EXPIRY_SECONDS
    const start = await head(player, path).expect(200);
    expect(start.headers).toMatchObject({ 'upload-offset': '0', 'upload-length': String(bytes.length) });
    expect(start.headers['cache-control']).toBe('no-store');

    // Replies to a write say when the upload expires (the expiration extension).
    const probe = await patch(player, path, 0, Buffer.alloc(0)).expect(204);
    const expires = new Date(probe.headers['upload-expires']).getTime();
    expect(Math.abs(expires - expiresAt.getTime())).toBeLessThan(5000);
    const last = await sendInPieces(player, path, bytes, 3);
    expect(last.status).toBe(201);
    expect(last.headers['upload-offset']).toBe(String(bytes.length));
    expect(last.body).toMatchObject({
      message: 'Image created successfully',
      title: 'Harbour',
      description: 'at dawn',
      gallery: galleryId,
      mimeType: 'image/jpeg',
      size: bytes.length,
      width: 64,
      height: 48,
      sha256: sha256(bytes),
    });
    const file = await request(t.app).get(`/api/gallery/images/${last.body.id}/file?size=original`).set(player.auth);
    expect(sha256(file.body as Buffer)).toBe(sha256(bytes));

    const result = await request(t.app).get(`${path}/result`).set(player.auth).expect(200);
    expect(result.body).toMatchObject({ state: 'done', length: bytes.length, offset: bytes.length, title: 'Harbour' });
    expect(result.body.result).toEqual({ status: 201, body: last.body });
    // Finished: HEAD says every byte is in; the final PATCH again gives the same result.
    expect((await head(player, path).expect(200)).headers['upload-offset']).toBe(String(bytes.length));
    const again = await patch(player, path, bytes.length, Buffer.alloc(0));
    expect([again.status, again.body]).toEqual([201, last.body]);
    expect(filesOf(path)).toEqual([]);
    await expectInStep();
  });

  it('takes the whole file in its creation request (creation-with-upload)', async () => {
    const bytes = await pngBytes(8, 8);
    const res = await create(player, bytes.length).set('Content-Type', 'application/offset+octet-stream').send(bytes);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ message: 'Image created successfully', sha256: sha256(bytes) });
    expect(res.headers.location).toMatch(/\/api\/uploads\/[a-f0-9]{32}$/);
  });

  it('gives back the image already there for the same bytes (200), as a multipart upload does', async () => {
    const bytes = await pngBytes(5, 5);
    const first = await upload(t, player, { gallery: galleryId }, { bytes }).expect(201);
    const res = await sendInPieces(player, await started(player, bytes), bytes, 2);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ message: 'This gallery already has this image', id: first.body.id });
  });

  it('refuses a PATCH at the wrong offset with 409, and one without the tus header with 412', async () => {
    const bytes = await jpegBytes(16, 16);
    const path = await started(player, bytes);
    await patch(player, path, 0, bytes.subarray(0, 10)).expect(204);
    const wrong = await patch(player, path, 0, bytes.subarray(0, 10)).expect(409);
    expect(wrong.body).toMatchObject({ code: 'CONFLICT' });
    await request(t.app)
      .patch(path)
      .set(player.auth)
      .set('Upload-Offset', '10')
      .set('Content-Type', 'application/offset+octet-stream')
      .send(bytes.subarray(10))
      .expect(412);
    expect((await head(player, path)).headers['upload-offset']).toBe('10');
  });

  it('is terminated by DELETE: its bytes and its row go', async () => {
    const bytes = await jpegBytes(16, 16);
    const path = await started(player, bytes);
    await patch(player, path, 0, bytes.subarray(0, 50)).expect(204);
    expect(filesOf(path)).toHaveLength(2);
    const before = await uploadRows();
    await request(t.app).delete(path).set(player.auth).set(TUS).expect(204);
    expect(await uploadRows()).toBe(before - 1);
    expect(filesOf(path)).toEqual([]);
    await head(player, path).expect(404);
    await patch(player, path, 50, bytes.subarray(50)).expect(404);
  });
});

describe('discovery from another origin', () => {
  it('lets a tus client of an allowed origin (CORS_ORIGINS) send and read the protocol headers', async () => {
    const other = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
    try {
      const preflight = await request(other.app)
        .options('/api/uploads/')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization, tus-resumable, upload-offset, content-type')
        .expect(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(preflight.headers['access-control-allow-headers']).toMatch(/Tus-Resumable.*Upload-Offset/);
      const user = await createUser(other, 'beta_player');
      const gallery = await createGallery(other, user);
      const created = await request(other.app)
        .post('/api/uploads/')
        .set(user.auth)
        .set(TUS)
        .set({ Origin: 'https://app.example.com', 'Upload-Length': '100' })
        .set('Upload-Metadata', metadataHeader({ gallery: gallery.id, title: 'Across' }))
        .expect(201);
      expect(created.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(created.headers['access-control-expose-headers']).toMatch(/Location.*Upload-Offset/);
    } finally {
      await other.close();
    }
  });
});

describe('who may', () => {
  it('needs a token (401), the right to upload (403), a token that may write (403)', async () => {
    const anonymous = await request(t.app).post('/api/uploads/').set(TUS).set('Upload-Length', '10').expect(401);
    expect(anonymous.headers['tus-resumable']).toBe('1.0.0');
    const denied = await create(subscriber, 10).expect(403);
    expect(denied.body.message).toBe('You do not have permission to perform this action.');
    const readOnly = (
      await request(t.app).post('/api/auth/tokens').set(player.auth).send({ name: 'ro', scope: 'read' }).expect(201)
    ).body.token as string;
    const res = await request(t.app)
      .post('/api/uploads/')
      .set({ Authorization: `Token ${readOnly}`, ...TUS, 'Upload-Length': '10' })
      .expect(403);
    expect(res.body.message).toBe('This token is read-only.');
  });

  it("shows nobody else an upload: another user's HEAD, PATCH, DELETE and result are 404", async () => {
    const bytes = await jpegBytes(16, 16);
    const path = await started(player, bytes);
    await head(otherPlayer, path).expect(404);
    await patch(otherPlayer, path, 0, bytes).expect(404);
    await request(t.app).delete(path).set(otherPlayer.auth).set(TUS).expect(404);
    await request(t.app).get(`${path}/result`).set(otherPlayer.auth).expect(404);
    expect((await head(player, path).expect(200)).headers['upload-offset']).toBe('0');
  });

  it("takes the web app's session cookie, with its CSRF header on writes", async () => {
    const session = await request(t.app)
      .post('/api/auth/session')
      .set('Host', 'gallery.test')
      .send({ username: player.username, password: player.password })
      .expect(200);
    const cookie = String(session.headers['set-cookie']).split(';')[0];
    const bytes = await pngBytes(7, 7);
    const browser = { Cookie: cookie, Host: 'gallery.test', ...TUS };
    const creation = {
      'Upload-Length': String(bytes.length),
      'Upload-Metadata': metadataHeader({ gallery: galleryId, title: 'From the browser' }),
    };
    const refused = await request(t.app).post('/api/uploads/').set(browser).set(creation).expect(403);
    expect(refused.body.code).toBe('CSRF_REJECTED');
    const created = await request(t.app)
      .post('/api/uploads/')
      .set(browser)
      .set(creation)
      .set({ 'X-Gallery-CSRF': '1', Origin: 'http://gallery.test' })
      .expect(201);
    const path = new URL(created.headers.location).pathname;
    expect((await request(t.app).head(path).set(browser).expect(200)).headers['upload-offset']).toBe('0');
    const done = await request(t.app)
      .patch(path)
      .set(browser)
      .set({ 'X-Gallery-CSRF': '1', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' })
      .send(bytes)
      .expect(201);
    expect(done.body).toMatchObject({ title: 'From the browser', uploader: { id: player.id } });
  });

  it('needs write access to the gallery named in the metadata', async () => {
    const theirs = await createGallery(t, otherPlayer);
    const res = await create(player, 10, { gallery: theirs.id }).expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });
});

describe('creation checks', () => {
  it.each([
    ['no gallery', { gallery: '' }, 'gallery'],
    ['a gallery that is no id', { gallery: '1.5' }, 'gallery'],
    ['a gallery nobody has', { gallery: 999999 }, 'gallery'],
    ['no title nor file name', { title: '' }, 'title'],
    ['a title of control characters', { title: 'a\u0001b' }, 'title'],
    ['a NUL in the description', { description: 'a\u0000b' }, 'description'],
  ])('refuses %s with 400 JSON naming the field, and keeps nothing', async (_name, pairs, field) => {
    const [before, files] = [await uploadRows(), resumableFiles()];
    const res = await create(player, 100, pairs).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toMatch(new RegExp(`^${field}: `));
    expect(await uploadRows()).toBe(before);
    expect(resumableFiles()).toEqual(files);
  });

  it('takes the title from the file name tus clients send', async () => {
    const bytes = await pngBytes(6, 6);
    const res = await sendInPieces(
      player,
      await started(player, bytes, { title: null, filename: 'beach.png' }),
      bytes,
      1,
    );
    expect(res.body.title).toBe('beach.png');
  });

  it('refuses Upload-Metadata that is not tus metadata, and a missing or deferred length', async () => {
    const bad = await request(t.app)
      .post('/api/uploads/')
      .set(player.auth)
      .set(TUS)
      .set('Upload-Length', '10')
      .set('Upload-Metadata', 'gallery not-base64!')
      .expect(400);
    expect(bad.body.message).toMatch(/^Upload-Metadata: /);
    const missing = await create(player, null).expect(400);
    expect(missing.body.message).toMatch(/^Upload-Length: /);
    const deferred = await create(player, null).set('Upload-Defer-Length', '1').expect(400);
    expect(deferred.body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a length over MAX_UPLOAD_BYTES with 413 JSON, as a multipart upload', async () => {
    const res = await create(player, MAX_UPLOAD_BYTES + 1).expect(413);
    expect(res.body).toEqual({ message: 'The file is larger than the upload limit.', code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a length over the remaining quota with 413 JSON, before any byte is sent', async () => {
    const tight = await createUser(t, 'beta_player');
    await t.db.user.update({ where: { id: tight.id }, data: { storageQuotaMb: 0 } });
    const own = await createGallery(t, tight);
    const res = await create(tight, 1000, { gallery: own.id }).expect(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.body.message).toMatch(/^Storage quota exceeded/);
  });
});

describe('what a finished upload becomes', () => {
  it('is refused with 415 when it is not an image: nothing stored, the refusal kept as its result', async () => {
    const bytes = Buffer.from('%PDF-1.7 this is not an image at all, whatever its name says'.repeat(4));
    const images = await t.db.image.count();
    const path = await started(player, bytes, { filename: 'photo.jpg', title: 'Not a photo' });
    const res = await sendInPieces(player, path, bytes, 2);
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await t.db.image.count()).toBe(images);
    const result = await request(t.app).get(`${path}/result`).set(player.auth).expect(200);
    expect(result.body).toMatchObject({ state: 'done', result: { status: 415, body: res.body } });
    expect(filesOf(path)).toEqual([]);
    await expectInStep();
  });

  it('is refused with 413 when the quota filled up while it was sent: nothing stored', async () => {
    const user = await createUser(t, 'beta_player');
    await t.db.user.update({ where: { id: user.id }, data: { storageQuotaMb: 1 } });
    const own = await createGallery(t, user);
    const bytes = await noisePng(256);
    const path = await started(user, bytes, { gallery: own.id });
    await patch(user, path, 0, bytes.subarray(0, 1000)).expect(204);
    // Meanwhile, multipart uploads take 5 × ~200 KB of the 1 MiB: no room left for this one.
    for (let i = 0; i < 5; i += 1)
      await upload(t, user, { gallery: own.id }, { bytes: await noisePng(256) }).expect(201);
    const images = await t.db.image.count({ where: { galleryId: own.id } });
    const res = await patch(user, path, 1000, bytes.subarray(1000));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(res.body.message).toMatch(/^Storage quota exceeded/);
    expect(await t.db.image.count({ where: { galleryId: own.id } })).toBe(images);
    expect(filesOf(path)).toEqual([]);
    await expectInStep();
  });
});

describe('expiry', () => {
  it('hides an upload past its expiry (404), and the sweep removes its bytes and its row', async () => {
    const { createUploadSweeper } = await import('../../src/features/uploads');
    const { createLogger } = await import('../../src/shared/logger');
    const bytes = await jpegBytes(20, 20);
    const path = await started(player, bytes);
    await patch(player, path, 0, bytes.subarray(0, 40)).expect(204);
    const id = path.slice(-32);
    const sweeper = createUploadSweeper({ db: t.db, config: t.config, logger: createLogger('silent') });
    expect(await sweeper.sweep()).toEqual([]);
    await t.db.resumableUpload.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await head(player, path).expect(404);
    expect(await sweeper.sweep()).toEqual([id]);
    expect(await t.db.resumableUpload.count({ where: { id } })).toBe(0);
    expect(filesOf(path)).toEqual([]);
    sweeper.close();
  });
});

describe('one writer at a time', () => {
  it('lets exactly one of 120 parallel PATCHes of the same bytes write them; the others get 423 or 409', async () => {
    const bytes = await jpegBytes(120, 90);
    const path = await started(player, bytes);
    const replies = await Promise.all(Array.from({ length: 120 }, () => patch(player, path, 0, bytes)));
    const statuses = replies.map((res) => res.status);
    const written = replies.filter((res) => res.status === 201);
    expect(written).toHaveLength(1);
    expect(statuses.filter((status) => status !== 201 && status !== 423 && status !== 409)).toEqual([]);
    expect(replies.filter((res) => res.status === 423).every((res) => res.body.code === 'LOCKED')).toBe(true);
    const image = await t.db.image.findUniqueOrThrow({ where: { id: written[0].body.id } });
    expect(image.sha256).toBe(sha256(bytes));
    const file = await request(t.app).get(`/api/gallery/images/${image.id}/file?size=original`).set(player.auth);
    expect(sha256(file.body as Buffer)).toBe(sha256(bytes));
    expect(filesOf(path)).toEqual([]);
  });
});
