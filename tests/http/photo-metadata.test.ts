import sharp from 'sharp';
import request from 'supertest';

import { createCast, createGallery, jpegBytes, type TestUser } from '../helpers/factories';
import { CAMERAS, photo } from '../helpers/photo-metadata';
import { startTestApp, type TestApp } from '../helpers/test-app';

/*
 * What is read from a photo's metadata, end to end: stored at upload and with a new file, in every
 * image reply; its GPS position never, anywhere; a batch upload's default title from the file.
 */

let t: TestApp;
let cast: Awaited<ReturnType<typeof createCast>>;
let galleryId: number;

beforeAll(async () => {
  t = await startTestApp();
  cast = await createCast(t);
  galleryId = (await createGallery(t, cast.owner)).id;
});
afterAll(async () => {
  await t.close();
});

const FIELDS = ['capturedAt', 'cameraModel', 'lensModel', 'focalLength', 'fNumber', 'exposureTime', 'iso', 'hasGps'];
const NONE = {
  capturedAt: null,
  cameraModel: null,
  lensModel: null,
  focalLength: null,
  fNumber: null,
  exposureTime: null,
  iso: null,
  hasGps: false,
};

function uploadPhoto(user: TestUser, bytes: Buffer, title = 'A photo') {
  return request(t.app)
    .post('/api/gallery/images/')
    .set(user.auth)
    .field('title', title)
    .field('gallery', String(galleryId))
    .attach('image', bytes, { filename: 'photo.jpg', contentType: 'image/jpeg' });
}

/** The GPS numbers of the fixtures, as they would look in any JSON: degrees, or degrees and minutes. */
const POSITION = /latitude|longitude|51\.5|37\.77|122\.4|GPS[A-Z]/i;

describe('photo metadata in image replies', () => {
  it.each(Object.entries(CAMERAS))('stores and replies every field of a %s-style photo', async (_, camera) => {
    const bytes = await photo({ exif: camera.exif, orientation: camera.orientation, width: 20 + camera.orientation });
    const created = await uploadPhoto(cast.owner, bytes).expect(201);
    expect(created.body).toMatchObject({ ...camera.read, orientation: camera.orientation });
    const row = await t.db.image.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row).toMatchObject(camera.read);
    // The same in the single reply, the owner's list, and a viewer's list.
    const one = await request(t.app).get(`/api/gallery/images/${created.body.id}/`).set(cast.owner.auth).expect(200);
    expect(one.body).toMatchObject(camera.read);
    const list = await request(t.app).get('/api/gallery/view-images/').set(cast.subscriber.auth).expect(200);
    const listed = (list.body as { id: number }[]).find((image) => image.id === created.body.id);
    expect(listed).toMatchObject(camera.read);
  });

  it('replies null for what a file does not record, and never leaves a field out', async () => {
    const created = await uploadPhoto(cast.owner, await jpegBytes(6, 4)).expect(201);
    for (const field of FIELDS) expect(created.body).toHaveProperty(field);
    expect(created.body).toMatchObject(NONE);
  });

  it('stores the facts of a new file when a file is replaced, and clears what the new one lacks', async () => {
    const created = await uploadPhoto(cast.owner, await photo({ exif: CAMERAS.canon.exif, width: 31 })).expect(201);
    const nikon = await request(t.app)
      .put(`/api/gallery/images/${created.body.id}`)
      .set(cast.owner.auth)
      .attach('image', await photo({ exif: CAMERAS.nikon.exif, width: 32 }), 'nikon.jpg')
      .expect(200);
    expect(nikon.body).toMatchObject(CAMERAS.nikon.read);
    const plain = await request(t.app)
      .put(`/api/gallery/images/${created.body.id}`)
      .set(cast.owner.auth)
      .attach('image', await jpegBytes(7, 5), 'plain.jpg')
      .expect(200);
    expect(plain.body).toMatchObject(NONE);
    expect(await t.db.image.findUniqueOrThrow({ where: { id: created.body.id } })).toMatchObject(NONE);
  });

  it('never gives a GPS position: not to a viewer who may not fetch originals, not in the files they get', async () => {
    const created = await uploadPhoto(cast.owner, await photo({ exif: CAMERAS.apple.exif, width: 33 })).expect(201);
    const id = created.body.id as number;
    for (const user of [cast.subscriber, cast.companyUser]) {
      const one = await request(t.app).get(`/api/gallery/view-images/${id}/`).set(user.auth).expect(200);
      expect(one.body.original).toBeNull();
      expect(JSON.stringify(one.body)).not.toMatch(POSITION);
      const file = await request(t.app).get(`/api/gallery/images/${id}/file`).set(user.auth).buffer(true).expect(200);
      const served = await sharp(file.body as Buffer).metadata();
      expect(served.format).toBe('webp');
      expect(served.exif).toBeUndefined();
      expect(served.xmp).toBeUndefined();
    }
    // The owner sees that there is a position, and may fetch the original; the reply has no position either.
    const own = await request(t.app).get(`/api/gallery/images/${id}/`).set(cast.owner.auth).expect(200);
    expect(own.body.hasGps).toBe(true);
    expect(own.body.original).not.toBeNull();
    expect(JSON.stringify(own.body)).not.toMatch(POSITION);
    const columns = Object.keys(await t.db.image.findUniqueOrThrow({ where: { id } }));
    expect(columns.filter((name) => /lat|lon|gps/i.test(name))).toEqual(['hasGps']);
  });
});

describe('a batch upload without a title', () => {
  function send(parts: { bytes: Buffer; name: string; title?: string }[]) {
    const req = request(t.app).post(`/api/gallery/galleries/${galleryId}/images/`).set(cast.owner.auth);
    parts.forEach((part, n) => {
      if (part.title !== undefined) req.field(`title[${n}]`, part.title);
    });
    for (const part of parts) req.attach('image', part.bytes, { filename: part.name, contentType: 'image/jpeg' });
    return req;
  }

  it("takes the file's XMP or IPTC title, else its name; a title sent wins", async () => {
    const res = await send([
      {
        bytes: await photo({ xmp: { title: 'Evening at the sea' }, iptc: { title: 'Not this one' }, width: 41 }),
        name: 'IMG_0001.jpg',
      },
      { bytes: await photo({ iptc: { title: 'Harbour, \u202Eleft\u202C' }, width: 42 }), name: 'IMG_0002.jpg' },
      { bytes: await photo({ width: 43 }), name: 'IMG_0003.jpg' },
      { bytes: await photo({ xmp: { title: 'Ignored' }, width: 44 }), name: 'IMG_0004.jpg', title: 'Sent' },
      { bytes: await photo({ xmp: { title: '   ' }, width: 45 }), name: 'IMG_0005.jpg' },
    ]).expect(200);
    const titles = (res.body.results as { image: { title: string } }[]).map((result) => result.image.title);
    expect(titles).toEqual(['Evening at the sea', 'Harbour, left', 'IMG_0003', 'Sent', 'IMG_0005']);
  });
});
