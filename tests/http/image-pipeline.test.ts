import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import Sqlite from 'better-sqlite3';
import { Client } from 'pg';
import sharp from 'sharp';
import request from 'supertest';

import { sqliteFilePath } from '../../src/platform/db/client';
import { createCast, createGallery, jpegBytes, pngBytes, upload, type TestUser } from '../helpers/factories';
import { expectStorageInStep } from '../helpers/storage';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-env';

let t: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;
let galleryId: number;

beforeAll(async () => {
  t = await startTestApp({ MAX_UPLOAD_BYTES: String(8 * 1024 * 1024) });
  cast = await createCast(t);
  galleryId = (await createGallery(t, cast.owner)).id;
});
afterAll(async () => {
  await t.close();
});

/** A JPEG as a phone writes it: camera, capture time, GPS position, turned by its EXIF orientation. */
async function phoneJpeg(width = 1600, height = 1200) {
  const noise = await sharp({
    create: { width, height, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .raw()
    .toBuffer();
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .withMetadata({ orientation: 6 })
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

/** The chunk types of a WebP file (RIFF): VP8/VP8L/VP8X for the picture, EXIF/XMP/ICCP for metadata. */
function webpChunks(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 12; at + 8 <= bytes.length;) {
    types.push(bytes.toString('latin1', at, at + 4));
    const size = bytes.readUInt32LE(at + 4);
    at += 8 + size + (size % 2);
  }
  return types;
}

const file = (id: number, query: string, user: TestUser) =>
  request(t.app).get(`/api/gallery/images/${id}/file/?${query}`).set(user.auth);

describe('decode check, metadata and variants', () => {
  let phone: Buffer;
  let image: Record<string, unknown> & { id: number };

  beforeAll(async () => {
    phone = await phoneJpeg();
    const res = await upload(
      t,
      cast.owner,
      { gallery: galleryId, title: 'Harbour' },
      { bytes: phone, filename: 'IMG_0001.jpg', contentType: 'image/jpeg' },
    );
    expect(res.status).toBe(201);
    image = res.body;
  });

  it('stores dimensions, orientation, capture time and camera, and only whether there is a GPS position', async () => {
    // 1600×1200 as encoded, shown turned a quarter (orientation 6): 1200 wide, 1600 high.
    expect(image).toMatchObject({
      width: 1200,
      height: 1600,
      orientation: 6,
      capturedAt: '2024-05-01T12:34:56',
      cameraModel: 'Canon EOS R5',
      hasGps: true,
    });
    const row = await t.db.image.findUniqueOrThrow({ where: { id: image.id } });
    expect(Object.keys(row).filter((column) => /gps|lat|lon/i.test(column))).toEqual(['hasGps']);
  });

  it('makes an upright WebP thumbnail and preview without any metadata: no GPS in their bytes', async () => {
    // The chunk reader sees metadata where there is some.
    const tagged = await sharp(phone)
      .webp()
      .withExif({ IFD0: { Model: 'X' } })
      .toBuffer();
    expect(webpChunks(tagged)).toEqual(expect.arrayContaining(['VP8X', 'EXIF']));
    for (const [size, longSide] of [
      ['thumb', 256],
      ['preview', 1440],
    ] as const) {
      const res = await file(image.id, `size=${size}`, cast.subscriber).buffer(true).expect(200);
      expect(res.headers['content-type']).toBe('image/webp');
      const body = res.body as Buffer;
      const meta = await sharp(body).metadata();
      // 1600×1200 turned a quarter (orientation 6) is 1200 wide, 1600 high.
      expect(meta.height).toBe(longSide);
      expect(meta.width).toBe(Math.round((longSide * 1200) / 1600));
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      // WebP keeps metadata in EXIF and XMP chunks: there are none, and no EXIF block hides elsewhere.
      expect(webpChunks(body)[0]).toMatch(/^VP8/);
      expect(webpChunks(body)).toEqual(expect.not.arrayContaining(['EXIF', 'XMP ', 'ICCP']));
      for (const marker of ['Exif\0\0', 'Canon EOS R5', '2024:05:01 12:34:56'])
        expect(body.includes(Buffer.from(marker, 'latin1'))).toBe(false);
    }
  });

  it('refuses the original to a Subscriber and a Company User, and gives them the preview by default', async () => {
    for (const viewer of [cast.subscriber, cast.companyUser]) {
      const refused = await file(image.id, 'size=original', viewer).expect(403);
      expect(refused.body.code).toBe('FORBIDDEN');
      const byDefault = await file(image.id, '', viewer).buffer(true).expect(200);
      expect(byDefault.headers['content-type']).toBe('image/webp');
      expect(webpChunks(byDefault.body as Buffer)).not.toContain('EXIF');
      const json = await request(t.app).get(`/api/gallery/view-images/${image.id}/`).set(viewer.auth).expect(200);
      expect(json.body.original).toBeNull();
      expect(json.body.image).toBe(json.body.preview);
      expect(json.body.hasGps).toBe(true);
    }
  });

  it('serves the original, EXIF and all, to its uploader, the gallery owner and admins', async () => {
    for (const user of [cast.owner, cast.admin]) {
      const res = await file(image.id, 'size=original', user).buffer(true).expect(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(Buffer.compare(res.body as Buffer, phone)).toBe(0);
      const json = await request(t.app).get(`/api/gallery/images/${image.id}/`).set(user.auth).expect(200);
      expect(json.body.image).toBe(json.body.original);
      expect(json.body.original).toMatch(/size=original$/);
    }
  });

  it('sends each size with its own ETag, nosniff, a locked-down CSP and a Content-Disposition naming the size', async () => {
    const thumb = await file(image.id, 'size=thumb', cast.owner).expect(200);
    const original = await file(image.id, 'size=original', cast.owner).expect(200);
    expect(thumb.headers.etag).not.toBe(original.headers.etag);
    expect(thumb.headers['x-content-type-options']).toBe('nosniff');
    expect(thumb.headers['content-security-policy']).toBe("default-src 'none'");
    expect(thumb.headers['content-disposition']).toBe('inline; filename="Harbour (thumb).webp"');
    await file(image.id, 'size=thumb', cast.owner).set('If-None-Match', thumb.headers.etag).expect(304);
    const part = await file(image.id, 'size=preview', cast.owner).set('Range', 'bytes=0-9').expect(206);
    expect(part.headers['content-range']).toMatch(/^bytes 0-9\/\d+$/);
  });

  it('refuses an unknown size with 400', async () => {
    const res = await file(image.id, 'size=huge', cast.owner).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('shows originals to every viewer when ORIGINALS_VISIBLE_TO=everyone', async () => {
    const open = await startTestApp({ ORIGINALS_VISIBLE_TO: 'everyone' });
    try {
      const people = await createCast(open);
      const gallery = await createGallery(open, people.owner);
      const created = await upload(
        open,
        people.owner,
        { gallery: gallery.id },
        { bytes: await jpegBytes(), contentType: 'image/jpeg' },
      ).expect(201);
      await request(open.app)
        .get(`/api/gallery/images/${created.body.id}/file/?size=original`)
        .set(people.subscriber.auth)
        .expect(200);
    } finally {
      await open.close();
    }
  });
});

describe('de-duplication', () => {
  it('answers the same bytes in the same gallery with 200 and the image already there', async () => {
    const bytes = await pngBytes(20, 20);
    const first = await upload(t, cast.owner, { gallery: galleryId, title: 'first' }, { bytes }).expect(201);
    const again = await upload(t, cast.owner, { gallery: galleryId, title: 'again' }, { bytes }).expect(200);
    expect(again.body).toMatchObject({
      id: first.body.id,
      title: 'first',
      message: 'This gallery already has this image',
    });
    const elsewhere = await createGallery(t, cast.owner);
    const copy = await upload(t, cast.owner, { gallery: elsewhere.id }, { bytes }).expect(201);
    expect(copy.body.id).not.toBe(first.body.id);
    await expectStorageInStep(t);
  });

  it('turns 20 parallel identical uploads into exactly one row and one set of files', async () => {
    const gallery = await createGallery(t, cast.owner);
    const bytes = await jpegBytes(300, 200);
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        upload(t, cast.owner, { gallery: gallery.id }, { bytes, contentType: 'image/jpeg' }),
      ),
    );
    const statuses = replies.map((res) => res.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    expect(new Set(replies.map((res) => res.body.id)).size).toBe(1);
    expect(await t.db.image.count({ where: { galleryId: gallery.id } })).toBe(1);
    await expectStorageInStep(t);
  });

  it('answers "do you have sha256 X in gallery Y?" with 200 or 404, on GET and HEAD', async () => {
    const bytes = await pngBytes(7, 7);
    const created = await upload(t, cast.owner, { gallery: galleryId }, { bytes }).expect(201);
    const sha = created.body.sha256 as string;
    const found = await request(t.app)
      .get(`/api/gallery/galleries/${galleryId}/images/${sha.toUpperCase()}`)
      .set(cast.subscriber.auth)
      .expect(200);
    expect(found.body.id).toBe(created.body.id);
    await request(t.app)
      .head(`/api/gallery/galleries/${galleryId}/images/${sha}`)
      .set(cast.subscriber.auth)
      .expect(200);
    await request(t.app)
      .head(`/api/gallery/galleries/${galleryId}/images/${'0'.repeat(64)}`)
      .set(cast.subscriber.auth)
      .expect(404);
    // Like any malformed id in a path: no such resource.
    await request(t.app).get(`/api/gallery/galleries/${galleryId}/images/xyz`).set(cast.subscriber.auth).expect(404);
    await request(t.app).get(`/api/gallery/galleries/${galleryId}/images/${sha}`).expect(401);
  });

  it('refuses with 409 to move an image, or replace its file, so that a gallery would hold the same bytes twice', async () => {
    const bytes = await pngBytes(9, 9);
    const other = await createGallery(t, cast.owner);
    const there = await upload(t, cast.owner, { gallery: other.id }, { bytes }).expect(201);
    const here = await upload(t, cast.owner, { gallery: galleryId }, { bytes }).expect(201);
    const move = await request(t.app)
      .patch(`/api/gallery/images/${here.body.id}/`)
      .set(cast.owner.auth)
      .send({ gallery: other.id })
      .expect(409);
    expect(move.body.message).toBe(
      `Gallery ${other.id} already has an image with the same bytes (image ${there.body.id}).`,
    );

    const neighbour = await upload(t, cast.owner, { gallery: other.id }, { bytes: await pngBytes(9, 9) }).expect(201);
    const replace = await request(t.app)
      .put(`/api/gallery/images/${neighbour.body.id}/`)
      .set(cast.owner.auth)
      .attach('image', bytes, { filename: 'same.png', contentType: 'image/png' })
      .expect(409);
    expect(replace.body.code).toBe('CONFLICT');
    const unchanged = await t.db.image.findUniqueOrThrow({ where: { id: neighbour.body.id } });
    expect(unchanged.sha256).toBe(neighbour.body.sha256);
    await expectStorageInStep(t);
  });
});

/** A PNG whose header claims width×height pixels, with one tiny compressed row behind it. */
function pngClaiming(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('hostile and broken files: all 4xx, nothing stored', () => {
  const cases: [string, () => Promise<{ bytes: Buffer; filename: string; contentType: string }>, number][] = [
    [
      'a 16000×16000 PNG pixel bomb',
      () => Promise.resolve({ bytes: pngClaiming(16000, 16000), filename: 'bomb.png', contentType: 'image/png' }),
      413,
    ],
    [
      'a truncated JPEG',
      async () => {
        const whole = await phoneJpeg(800, 600);
        return {
          bytes: whole.subarray(0, Math.floor(whole.length * 0.6)),
          filename: 'cut.jpg',
          contentType: 'image/jpeg',
        };
      },
      415,
    ],
    [
      'a PNG header followed by HTML',
      async () => ({
        bytes: Buffer.concat([
          (await pngBytes()).subarray(0, 33),
          Buffer.from('<html><script>alert(1)</script></html>'),
        ]),
        filename: 'page.png',
        contentType: 'image/png',
      }),
      415,
    ],
    [
      'an SVG',
      () =>
        Promise.resolve({
          bytes: Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>',
          ),
          filename: 'x.svg',
          contentType: 'image/svg+xml',
        }),
      415,
    ],
    [
      'JSON named .png',
      () =>
        Promise.resolve({
          bytes: Buffer.from(JSON.stringify({ hello: 'world', padding: 'x'.repeat(100) })),
          filename: 'data.png',
          contentType: 'image/png',
        }),
      415,
    ],
  ];

  it.each(cases)('refuses %s', async (_name, make, status) => {
    const before = await t.db.image.count();
    const res = await upload(t, cast.owner, { gallery: galleryId }, await make());
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'UNSUPPORTED_MEDIA_TYPE');
    expect(await t.db.image.count()).toBe(before);
    await expectStorageInStep(t);
  });
});

describe('many refusals at once', () => {
  it('leave no temp file, even when a refusal comes before the temp file is open', async () => {
    const json = Buffer.from(JSON.stringify({ not: 'an image', padding: 'x'.repeat(64) }));
    const replies = await Promise.all(
      Array.from({ length: 40 }, () =>
        upload(t, cast.owner, { gallery: galleryId }, { bytes: json, filename: 'a.png' }),
      ),
    );
    expect(new Set(replies.map((res) => res.status))).toEqual(new Set([415]));
    await expectStorageInStep(t);
  });
});

describe('a client that goes away mid-upload', () => {
  it('leaves no temp file behind', async () => {
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const boundary = 'x-boundary-x';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nhalf\r\n--${boundary}\r\nContent-Disposition: form-data; name="gallery"\r\n\r\n${galleryId}\r\n--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
      );
      const jpeg = await phoneJpeg(1200, 900);
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/gallery/images/',
        headers: {
          ...cast.owner.auth,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': String(head.length + jpeg.length * 2),
        },
      });
      req.on('error', () => undefined);
      req.write(head);
      req.write(jpeg.subarray(0, jpeg.length / 2));
      // Wait until the server has started writing the temp file, then vanish.
      const deadline = Date.now() + 5000;
      while (!t.files().some((f) => f.startsWith('tmp/')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      expect(t.files().some((f) => f.startsWith('tmp/'))).toBe(true);
      req.destroy();
      const gone = Date.now() + 5000;
      while (t.files().some((f) => f.startsWith('tmp/')) && Date.now() < gone)
        await new Promise((r) => setTimeout(r, 10));
      await expectStorageInStep(t);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('a database that cannot take the insert', () => {
  it('answers 503 with Retry-After, and leaves no file and no row', async () => {
    const locked = await startTestApp({ DATABASE_LOCK_TIMEOUT_MS: '300' });
    const url = locked.config.databaseUrl;
    try {
      const people = await createCast(locked);
      const gallery = await createGallery(locked, people.owner);
      await request(locked.app).get('/api/auth/me/').set(people.owner.auth).expect(200);
      const bytes = await jpegBytes(64, 64);
      // Another client holds the write lock on images: reads go on, the insert cannot.
      let release: () => Promise<void>;
      if (testDbKind() === 'sqlite') {
        const other = new Sqlite(sqliteFilePath(url));
        other.exec('BEGIN IMMEDIATE');
        release = () => {
          other.exec('ROLLBACK');
          other.close();
          return Promise.resolve();
        };
      } else {
        const other = new Client({ connectionString: url });
        await other.connect();
        await other.query('BEGIN');
        await other.query('LOCK TABLE "Image" IN EXCLUSIVE MODE');
        release = async () => {
          await other.query('ROLLBACK');
          await other.end();
        };
      }
      let res;
      try {
        res = await upload(locked, people.owner, { gallery: gallery.id }, { bytes, contentType: 'image/jpeg' });
      } finally {
        await release();
      }
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('5');
      expect(await locked.db.image.count()).toBe(0);
      expect(locked.files()).toEqual([]);
      // Once the lock is gone the same upload works.
      await upload(locked, people.owner, { gallery: gallery.id }, { bytes, contentType: 'image/jpeg' }).expect(201);
    } finally {
      await locked.close();
    }
  });
});

describe('a store that fails after the row is committed', () => {
  it('takes the row back and leaves no file', async () => {
    const broken = await startTestApp();
    try {
      const people = await createCast(broken);
      const gallery = await createGallery(broken, people.owner);
      // Every folder a file could be stored in is taken by a plain file: moving into place fails.
      for (let n = 0; n < 256; n++)
        writeFileSync(join(broken.uploadDir, 'images', n.toString(16).padStart(2, '0')), '');
      const res = await upload(
        broken,
        people.owner,
        { gallery: gallery.id },
        { bytes: await jpegBytes(32, 32), contentType: 'image/jpeg' },
      );
      expect(res.status).toBe(500);
      expect(await broken.db.image.count()).toBe(0);
      expect(broken.files().filter((file) => !/^images\/[0-9a-f]{2}$/.test(file))).toEqual([]);
    } finally {
      await broken.close();
    }
  });
});

describe('delete, read and update of one image at once', () => {
  it('never yields a 500 or a truncated body', async () => {
    const big = await phoneJpeg(1200, 900);
    for (let round = 0; round < 5; round++) {
      const created = await upload(
        t,
        cast.owner,
        { gallery: galleryId, title: `race ${round}` },
        { bytes: await jpegBytes(800, 600), contentType: 'image/jpeg' },
      ).expect(201);
      const id = created.body.id as number;
      const reads = Array.from({ length: 4 }, () => file(id, 'size=original', cast.owner).buffer(true));
      const update = request(t.app)
        .put(`/api/gallery/images/${id}/`)
        .set(cast.owner.auth)
        .attach('image', big, { filename: 'b.jpg', contentType: 'image/jpeg' });
      const remove = request(t.app).delete(`/api/gallery/images/${id}/`).set(cast.owner.auth);
      const [updated, removed, ...read] = await Promise.all([update, remove, ...reads]);
      expect([200, 404]).toContain(updated.status);
      expect(removed.status).toBe(200);
      for (const res of read) {
        expect([200, 404]).toContain(res.status);
        if (res.status === 200) {
          expect((res.body as Buffer).length).toBe(Number(res.headers['content-length']));
          await sharp(res.body as Buffer).stats(); // decodes: a truncated body would throw
        }
      }
    }
    await expectStorageInStep(t);
  });
});
