import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import request from 'supertest';

import { loadConfig } from '../../src/shared/config';
import { createCast, createGallery, createUser, pngBytes, upload, type TestUser } from '../helpers/factories';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { readZip } from '../helpers/zip';

/**
 * Zip downloads through HTTP, on the suite's database: a gallery, a selection and a share link's
 * gallery as one stored archive that standard tools read (unzip -t, Python's zipfile), with the
 * uploaded bytes in it, its exact length up front, resumable by byte ranges, the same bytes on
 * every request; originals only for those who may fetch them; the visibility of every image query.
 */
let t: TestApp;
let owner: TestUser;
let otherPlayer: TestUser;
let subscriber: TestUser;
let admin: TestUser;
let galleryId: number;
/** What was uploaded to the gallery, in upload order: the bytes, their name in the archive. */
const uploaded: { id: number; title: string; bytes: Buffer; name: string }[] = [];
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let addressCounter = 0;
const freshAddress = () => `10.30.${(addressCounter >> 8) & 255}.${++addressCounter & 255}`;

/** A JPEG with a camera, a capture time and a GPS position in its EXIF. */
const photo = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
      IFD2: { DateTimeOriginal: '2024:05:01 12:34:56' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    })
    .toBuffer();

async function add(user: TestUser, gallery: number, title: string, bytes: Buffer, contentType = 'image/png') {
  const res = await upload(t, user, { gallery, title, description: `about ${title}` }, { bytes, contentType });
  expect(res.status).toBe(201);
  return res.body as { id: number };
}

beforeAll(async () => {
  t = await startTestApp({
    TRUST_PROXY: 'true',
    ZIP_MAX_IMAGES: '6',
    ZIP_MAX_CONCURRENT: '500',
    ZIP_MAX_CONCURRENT_PER_USER: '500',
  });
  ({ owner, otherPlayer, subscriber, admin } = await createCast(t));
  galleryId = (await createGallery(t, owner, 'Summer / 2026')).id;
  const files: [string, Buffer, string, string][] = [
    ['Harbour', await photo(), 'image/jpeg', 'Harbour.jpg'],
    ['Beach', await pngBytes(8, 6), 'image/png', 'Beach.png'],
    ['beach', await pngBytes(6, 8), 'image/png', 'beach (2).png'],
    ['../../etc/passwd', await pngBytes(5, 5), 'image/png', '_.._etc_passwd.png'],
    ['...hidden: a<b>|c?*', await pngBytes(3, 3), 'image/png', 'hidden_ a_b__c__.png'],
    ['CON', await pngBytes(2, 2), 'image/png', '_CON.png'],
  ];
  for (const [title, bytes, type, name] of files) {
    uploaded.push({ id: (await add(owner, galleryId, title, bytes, type)).id, title, bytes, name });
  }
});
afterAll(async () => {
  await t.close();
});

/** A GET or POST whose body is kept as bytes, whatever its type. */
function fetchBytes(method: 'get' | 'post' | 'head', path: string, headers: Record<string, string> = {}) {
  return request(t.app)
    [method](path)
    .set(headers)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

const galleryZip = (user: TestUser, headers: Record<string, string> = {}) =>
  fetchBytes('get', `/api/gallery/galleries/${galleryId}/download`, { ...user.auth, ...headers });

describe('a gallery as one zip', () => {
  it('holds every original, as uploaded, under safe unique names, with a manifest', async () => {
    await request(t.app)
      .post(`/api/gallery/images/${uploaded[0].id}/tags`)
      .set(owner.auth)
      .send({ tags: ['Harbour', 'boats'] })
      .expect(200);
    const res = await galleryZip(owner).expect(200);
    const body = res.body as Buffer;
    expect(res.headers['content-type']).toBe('application/zip');
    expect(Number(res.headers['content-length'])).toBe(body.length);
    expect(res.headers['x-gallery-zip-contents']).toBe('originals');
    expect(res.headers['accept-ranges']).toBe('bytes');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="Summer _ 2026.zip"');
    const zip = readZip(body);
    expect(zip.firstBadEntry).toBeNull();
    expect(zip.entries.map((entry) => entry.name)).toEqual([...uploaded.map((file) => file.name), 'manifest.json']);
    for (const [i, file] of uploaded.entries()) {
      expect(zip.entries[i]).toMatchObject({ size: file.bytes.length, sha256: sha256(file.bytes), compressType: 0 });
    }
    expect(zip.manifest).toMatchObject({
      format: 'gallery-server-zip/1',
      source: { kind: 'gallery', gallery: { id: galleryId, name: 'Summer / 2026' } },
      contents: 'originals',
    });
    expect(zip.manifest.note).toBeUndefined();
    expect(zip.manifest.images[0]).toMatchObject({
      file: 'Harbour.jpg',
      id: uploaded[0].id,
      title: 'Harbour',
      description: 'about Harbour',
      contents: 'original',
      mimeType: 'image/jpeg',
      sha256: sha256(uploaded[0].bytes),
      originalSha256: sha256(uploaded[0].bytes),
      width: 64,
      height: 48,
      exif: {
        capturedAt: '2024-05-01T12:34:56',
        cameraModel: 'Canon EOS R5',
        lensModel: null,
        iso: null,
        hasGps: true,
      },
      tags: ['boats', 'harbour'],
    });
    expect(zip.manifest.images[1]).toMatchObject({ tags: [] });
    expect(zip.manifest.images.map((image) => image.title)).toEqual(uploaded.map((file) => file.title));
  });

  it('gives every entry its upload time, and the same bytes on every request', async () => {
    const [first, second] = [await galleryZip(owner), await galleryZip(owner)];
    expect(Buffer.compare(first.body, second.body)).toBe(0);
    expect(second.headers.etag).toBe(first.headers.etag);
    const image = await request(t.app).get(`/api/gallery/images/${uploaded[1].id}/`).set(owner.auth).expect(200);
    const at = new Date(image.body.createdAt as string);
    const [entry] = readZip(first.body as Buffer).entries.slice(1, 2);
    const local = [at.getFullYear(), at.getMonth() + 1, at.getDate(), at.getHours(), at.getMinutes()];
    expect(entry.dateTime.slice(0, 5)).toEqual(local);
    expect(Math.abs(entry.dateTime[5] - at.getSeconds())).toBeLessThanOrEqual(1);
  });

  it('gives previews, and says so, to a viewer who may not fetch the originals', async () => {
    const res = await galleryZip(subscriber).expect(200);
    expect(res.headers['x-gallery-zip-contents']).toBe('previews');
    const zip = readZip(res.body as Buffer);
    expect(zip.entries.map((entry) => entry.name)).toEqual([
      ...uploaded.map((file) => file.name.replace(/\.(png|jpg)$/, '.webp')),
      'manifest.json',
    ]);
    expect(zip.manifest).toMatchObject({ contents: 'previews', note: expect.stringContaining('preview') });
    for (const [i, file] of uploaded.entries()) {
      const preview = await fetchBytes('get', `/api/gallery/images/${file.id}/file?size=preview`, subscriber.auth);
      expect(zip.entries[i].sha256).toBe(sha256(preview.body as Buffer));
      expect(zip.manifest.images[i]).toMatchObject({
        contents: 'preview',
        mimeType: 'image/webp',
        sha256: sha256(preview.body as Buffer),
        originalSha256: sha256(file.bytes),
      });
    }
    // The same rule as the original file route: the subscriber is refused the original there too.
    await request(t.app)
      .get(`/api/gallery/images/${uploaded[0].id}/file?size=original`)
      .set(subscriber.auth)
      .expect(403);
  });

  it('mixes originals and previews for an editor who uploaded some of the images', async () => {
    const shared = (await createGallery(t, owner)).id;
    await request(t.app)
      .post(`/api/gallery/galleries/${shared}/members/`)
      .set(owner.auth)
      .send({ username: otherPlayer.username, role: 'editor' })
      .expect(201);
    const theirs = await pngBytes(4, 4);
    await add(owner, shared, 'by the owner', await pngBytes(4, 4));
    await add(otherPlayer, shared, 'by the editor', theirs);
    const res = await fetchBytes('get', `/api/gallery/galleries/${shared}/download`, otherPlayer.auth).expect(200);
    expect(res.headers['x-gallery-zip-contents']).toBe('mixed');
    const zip = readZip(res.body as Buffer);
    expect(zip.entries.map((entry) => entry.name)).toEqual(['by the owner.webp', 'by the editor.png', 'manifest.json']);
    expect(zip.entries[1].sha256).toBe(sha256(theirs));
  });

  it('is a valid zip with only its manifest for an empty gallery', async () => {
    const empty = (await createGallery(t, owner)).id;
    const res = await fetchBytes('get', `/api/gallery/galleries/${empty}/download`, owner.auth).expect(200);
    expect(res.headers['x-gallery-zip-contents']).toBe('none');
    const zip = readZip(res.body as Buffer);
    expect(zip.entries.map((entry) => entry.name)).toEqual(['manifest.json']);
    expect(zip.manifest).toMatchObject({ contents: 'none', images: [] });
  });

  it('is 404 for a private gallery the caller cannot see, as the gallery itself is', async () => {
    const secret = await request(t.app)
      .post('/api/gallery/galleries/')
      .set(owner.auth)
      .send({ name: 'Secret', visibility: 'private' })
      .expect(201);
    const path = `/api/gallery/galleries/${secret.body.id}`;
    const itself = await request(t.app).get(path).set(otherPlayer.auth).expect(404);
    const zip = await request(t.app).get(`${path}/download`).set(otherPlayer.auth).expect(404);
    expect(zip.body).toEqual(itself.body);
    await request(t.app).get(`${path}/download`).set(admin.auth).expect(200);
    await request(t.app).get('/api/gallery/galleries/999999/download').set(owner.auth).expect(404);
  });

  it('comes in parts past ZIP_MAX_IMAGES', async () => {
    const big = (await createGallery(t, owner)).id;
    for (let i = 1; i <= 7; i++) await add(owner, big, `n${i}`, await pngBytes(2, 2));
    const path = `/api/gallery/galleries/${big}/download`;
    const whole = await request(t.app).get(path).set(owner.auth).expect(400);
    expect(whole.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('?part=1 to ?part=2'),
    });
    const names = async (part: number) =>
      readZip((await fetchBytes('get', `${path}?part=${part}`, owner.auth).expect(200)).body as Buffer).entries.map(
        (entry) => entry.name,
      );
    expect(await names(1)).toEqual(['n1.png', 'n2.png', 'n3.png', 'n4.png', 'n5.png', 'n6.png', 'manifest.json']);
    expect(await names(2)).toEqual(['n7.png', 'manifest.json']);
    await request(t.app).get(`${path}?part=3`).set(owner.auth).expect(400);
    await request(t.app).get(`${path}?part=0`).set(owner.auth).expect(400);
  });
});

describe('resuming', () => {
  it('sends the rest of a cut download from a Range, to the same bytes', async () => {
    const whole = await galleryZip(owner).expect(200);
    const full = whole.body as Buffer;
    const etag = whole.headers.etag;
    for (const cut of [1, 100, Math.floor(full.length / 2), full.length - 30, full.length - 1]) {
      const rest = await galleryZip(owner, { Range: `bytes=${cut}-`, 'If-Range': etag }).expect(206);
      expect(rest.headers['content-range']).toBe(`bytes ${cut}-${full.length - 1}/${full.length}`);
      expect(Number(rest.headers['content-length'])).toBe(full.length - cut);
      expect(rest.headers.etag).toBe(etag);
      expect(Buffer.compare(Buffer.concat([full.subarray(0, cut), rest.body as Buffer]), full)).toBe(0);
    }
    const middle = await galleryZip(owner, { Range: 'bytes=200-299' }).expect(206);
    expect(Buffer.compare(middle.body as Buffer, full.subarray(200, 300))).toBe(0);
    const tail = await galleryZip(owner, { Range: 'bytes=-50' }).expect(206);
    expect(Buffer.compare(tail.body as Buffer, full.subarray(full.length - 50))).toBe(0);
  });

  it('sends the whole new archive when If-Range names an older one', async () => {
    const before = await galleryZip(owner).expect(200);
    await request(t.app)
      .patch(`/api/gallery/images/${uploaded[1].id}/`)
      .set(owner.auth)
      .send({ description: 'changed' })
      .expect(200);
    const after = await galleryZip(owner, { Range: 'bytes=100-', 'If-Range': before.headers.etag }).expect(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(Number(after.headers['content-length'])).toBe((after.body as Buffer).length);
    expect(readZip(after.body as Buffer).manifest.images[1]).toMatchObject({ description: 'changed' });
    // The names change the tag too.
    await request(t.app)
      .patch(`/api/gallery/images/${uploaded[2].id}/`)
      .set(owner.auth)
      .send({ title: 'Beach' })
      .expect(200);
    const renamed = await galleryZip(owner).expect(200);
    expect(renamed.headers.etag).not.toBe(after.headers.etag);
    expect(readZip(renamed.body as Buffer).entries[2].name).toBe('Beach (2).png');
  });

  it('answers 416 outside the archive, HEAD with its length, If-None-Match with 304', async () => {
    const whole = await galleryZip(owner).expect(200);
    const length = (whole.body as Buffer).length;
    const outside = await request(t.app)
      .get(`/api/gallery/galleries/${galleryId}/download`)
      .set({ ...owner.auth, Range: `bytes=${length}-` })
      .expect(416);
    expect(outside.headers['content-range']).toBe(`bytes */${length}`);
    expect(outside.body).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE' });
    const head = await request(t.app).head(`/api/gallery/galleries/${galleryId}/download`).set(owner.auth).expect(200);
    expect(Number(head.headers['content-length'])).toBe(length);
    expect(head.headers.etag).toBe(whole.headers.etag);
    await request(t.app)
      .get(`/api/gallery/galleries/${galleryId}/download`)
      .set({ ...owner.auth, 'If-None-Match': whole.headers.etag })
      .expect(304);
  });
});

describe('a selection', () => {
  const ids = () => [uploaded[3].id, uploaded[0].id];

  it('holds the images asked for, in that order, by GET or POST alike', async () => {
    const got = await fetchBytes('get', `/api/gallery/images/download?ids=${ids().join(',')}`, owner.auth).expect(200);
    const posted = await fetchBytes('post', '/api/gallery/images/download', {
      ...owner.auth,
      'Content-Type': 'application/json',
    })
      .send({ ids: [...ids(), uploaded[3].id] })
      .expect(200);
    expect(Buffer.compare(got.body as Buffer, posted.body as Buffer)).toBe(0);
    expect(posted.headers['accept-ranges']).toBe('none');
    const zip = readZip(got.body as Buffer);
    expect(zip.entries.map((entry) => entry.name)).toEqual(['_.._etc_passwd.png', 'Harbour.jpg', 'manifest.json']);
    expect(zip.entries[1].sha256).toBe(sha256(uploaded[0].bytes));
    expect(zip.manifest.source).toEqual({ kind: 'selection' });
    expect(zip.manifest.images[0]).toMatchObject({ gallery: { id: galleryId, name: 'Summer / 2026' } });
  });

  it('refuses, naming them, the ids a single request would refuse', async () => {
    const privateGallery = await request(t.app)
      .post('/api/gallery/galleries/')
      .set(otherPlayer.auth)
      .send({ name: 'Mine only', visibility: 'private' })
      .expect(201);
    const hidden = await add(otherPlayer, privateGallery.body.id as number, 'hidden', await pngBytes(3, 2));
    await request(t.app).get(`/api/gallery/images/${hidden.id}/`).set(owner.auth).expect(404);
    const asked = [uploaded[0].id, hidden.id, 999999];
    const refused = await request(t.app)
      .get(`/api/gallery/images/download?ids=${asked.join(',')}`)
      .set(owner.auth)
      .expect(404);
    expect(refused.body).toMatchObject({
      code: 'NOT_FOUND',
      details: [
        { path: 'ids[1]', message: `Image ${hidden.id} not found` },
        { path: 'ids[2]', message: 'Image 999999 not found' },
      ],
    });
    await request(t.app).get(`/api/gallery/images/download?ids=${hidden.id}`).set(otherPlayer.auth).expect(200);
  });

  it('refuses bad lists with 400', async () => {
    for (const query of [
      'ids=',
      'ids=1,x',
      'ids=0',
      'ids=1.5',
      `ids=${Array.from({ length: 501 }, (_, i) => i + 1).join(',')}`,
    ]) {
      const res = await request(t.app).get(`/api/gallery/images/download?${query}`).set(owner.auth);
      expect({ query: query.slice(0, 20), status: res.status, code: res.body.code }).toEqual({
        query: query.slice(0, 20),
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    for (const body of [{}, { ids: [] }, { ids: ['a'] }, { ids: [1], extra: true }]) {
      await request(t.app).post('/api/gallery/images/download').set(owner.auth).send(body).expect(400);
    }
    await request(t.app).get('/api/gallery/images/download?ids=1').expect(401);
  });
});

describe('a share link', () => {
  async function link(options: Record<string, unknown>) {
    const res = await request(t.app)
      .post(`/api/gallery/galleries/${galleryId}/links/`)
      .set(owner.auth)
      .send(options)
      .expect(201);
    return { key: res.body.key as string, id: res.body.id as number };
  }
  const shareZip = (key: string, headers: Record<string, string> = {}) =>
    fetchBytes('get', `/api/share/${key}/download`, { 'X-Forwarded-For': freshAddress(), ...headers });

  it('gives previews, without the EXIF summary, unless the link shares originals', async () => {
    const { key } = await link({});
    const res = await shareZip(key).expect(200);
    expect(res.headers['x-gallery-zip-contents']).toBe('previews');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const zip = readZip(res.body as Buffer);
    expect(zip.manifest.source).toMatchObject({ kind: 'share-link', gallery: { name: 'Summer / 2026' } });
    expect(zip.manifest.images[0]).not.toHaveProperty('exif');
    expect(zip.manifest.images[0]).not.toHaveProperty('originalSha256');
    expect(zip.manifest.images[0]).not.toHaveProperty('gallery');
    expect(zip.manifest.images[0]).not.toHaveProperty('tags');
    const originals = await link({ allowOriginals: true });
    const full = readZip((await shareZip(originals.key).expect(200)).body as Buffer);
    expect(full.manifest.contents).toBe('originals');
    expect(full.entries[0].sha256).toBe(sha256(uploaded[0].bytes));
    expect(full.manifest.images[0]).toMatchObject({ exif: { cameraModel: 'Canon EOS R5' } });
  });

  it('asks for the password of a password link, and is 404 once revoked; a used-up link still serves it', async () => {
    const guarded = await link({ password: 'open sesame', maxViews: 1 });
    await shareZip(guarded.key).expect(401);
    await request(t.app).get(`/api/share/${guarded.key}`).set({ 'X-Share-Password': 'open sesame' }).expect(200);
    await request(t.app).get(`/api/share/${guarded.key}`).set({ 'X-Share-Password': 'open sesame' }).expect(404);
    await shareZip(guarded.key, { 'X-Share-Password': 'open sesame' }).expect(200);
    await request(t.app).delete(`/api/gallery/galleries/${galleryId}/links/${guarded.id}`).set(owner.auth).expect(200);
    await shareZip(guarded.key, { 'X-Share-Password': 'open sesame' }).expect(404);
    await shareZip('not-a-key').expect(404);
  });
});

describe('the audit log and the limits', () => {
  it('reads its limits from the environment, and refuses bad ones at start', () => {
    expect(loadConfig({}).zip).toEqual({ maxImages: 5000, maxConcurrent: 32, maxConcurrentPerUser: 4 });
    expect(loadConfig({ ZIP_MAX_IMAGES: '10', ZIP_MAX_CONCURRENT: '2', ZIP_MAX_CONCURRENT_PER_USER: '1' }).zip).toEqual(
      {
        maxImages: 10,
        maxConcurrent: 2,
        maxConcurrentPerUser: 1,
      },
    );
    for (const [name, value] of [
      ['ZIP_MAX_IMAGES', '0'],
      ['ZIP_MAX_CONCURRENT', 'many'],
      ['ZIP_MAX_CONCURRENT_PER_USER', '1.5'],
    ]) {
      expect(() => loadConfig({ [name]: value })).toThrow(name);
    }
  });

  it('records one event per download', async () => {
    const before = await t.db.auditEvent.count({ where: { action: 'gallery.download', actorId: subscriber.id } });
    await galleryZip(subscriber).expect(200);
    await request(t.app).head(`/api/gallery/galleries/${galleryId}/download`).set(subscriber.auth).expect(200);
    const events = await t.db.auditEvent.findMany({
      where: { action: 'gallery.download', actorId: subscriber.id },
      orderBy: { id: 'desc' },
    });
    expect(events.length).toBe(before + 1);
    expect(events[0]).toMatchObject({ targetType: 'gallery', targetId: galleryId, outcome: 'ok' });
    expect(events[0].detail).toMatch(/^images=6 contents=previews bytes=\d+ range=whole$/);
  });
});

/** Listens on a free port for requests from outside supertest (many at once, held open). */
async function listen(app: TestApp['app']) {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A GET whose reply is given at its headers, its body left unread (the caller reads or drops it). */
function open(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((done, fail) => {
    const req = httpRequest(url, { headers: { ...headers, Connection: 'close' } }, done);
    req.on('error', fail);
    req.end();
  });
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('many downloads at once', () => {
  it('streams 120 at once within the limits, every one whole and the same', async () => {
    const { server, base } = await listen(t.app);
    try {
      const url = `${base}/api/gallery/galleries/${galleryId}/download`;
      const reference = (await galleryZip(owner).expect(200)).body as Buffer;
      const before = await t.db.auditEvent.count({ where: { action: 'gallery.download' } });
      const replies = await Promise.all(
        Array.from({ length: 120 }, async (_, i) => {
          const res = await open(url, (i % 2 ? owner : admin).auth);
          return { status: res.statusCode, length: Number(res.headers['content-length']), body: await readAll(res) };
        }),
      );
      for (const reply of replies) {
        expect({ status: reply.status, length: reply.length, sha256: sha256(reply.body) }).toEqual({
          status: 200,
          length: reference.length,
          sha256: sha256(reference),
        });
      }
      expect(await t.db.auditEvent.count({ where: { action: 'gallery.download' } })).toBe(before + 120);
    } finally {
      server.close();
    }
  }, 60_000);

  it('caps the archives streamed at once, and takes slots back from clients that finish or leave', async () => {
    const capped = await startTestApp({ ZIP_MAX_CONCURRENT: '3', ZIP_MAX_CONCURRENT_PER_USER: '2' });
    const { server, base } = await listen(capped.app);
    try {
      const [first, second, third] = [
        await createUser(capped, 'beta_player'),
        await createUser(capped, 'admin'),
        await createUser(capped, 'admin'),
      ];
      const big = (await createGallery(capped, first)).id;
      // Noise does not compress: an archive (12 MB) larger than what the two ends of a loopback
      // socket hold (a few MB each once the kernel has grown its buffers), so a reader that stops
      // reading keeps its download (and its slot) open.
      const noise = await sharp(randomBytes(2000 * 2000 * 3), { raw: { width: 2000, height: 2000, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toBuffer();
      const res = await upload(capped, first, { gallery: big, title: 'noise' }, { bytes: noise });
      expect(res.status).toBe(201);
      const url = `${base}/api/gallery/galleries/${big}/download`;
      const fds = () => readdirSync('/proc/self/fd').length;
      const openBefore = fds();
      const held = [await open(url, first.auth), await open(url, first.auth)];
      expect(held.map((reply) => reply.statusCode)).toEqual([200, 200]);
      const mine = await open(url, first.auth);
      expect(mine.statusCode).toBe(429);
      expect(mine.headers['retry-after']).toBe('5');
      expect(JSON.parse((await readAll(mine)).toString())).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      held.push(await open(url, second.auth));
      expect(held[2].statusCode).toBe(200);
      const anyone = await open(url, third.auth);
      expect(anyone.statusCode).toBe(429);
      await readAll(anyone);
      // One reads to the end, the others leave half way: every slot comes back, every file closes.
      expect((await readAll(held[0])).length).toBe(Number(held[0].headers['content-length']));
      for (const reply of held.slice(1)) reply.destroy();
      const deadline = Date.now() + 5000;
      let again: IncomingMessage[] = [];
      do {
        await new Promise((resume) => setTimeout(resume, 50));
        for (const reply of again) reply.destroy();
        again = [await open(url, first.auth), await open(url, first.auth), await open(url, second.auth)];
      } while (again.some((reply) => reply.statusCode !== 200) && Date.now() < deadline);
      expect(again.map((reply) => reply.statusCode)).toEqual([200, 200, 200]);
      for (const reply of again) reply.destroy();
      await new Promise((resume) => setTimeout(resume, 300));
      expect(fds()).toBeLessThanOrEqual(openBefore + 2);
    } finally {
      server.close();
      await capped.close();
    }
  }, 60_000);
});
