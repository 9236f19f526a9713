import request from 'supertest';

import { createGallery, createUser, upload, type TestUser } from '../helpers/factories';
import { photo } from '../helpers/photo-metadata';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * IMPORT_KEYWORDS: the keywords a photo carries (XMP dc:subject, IPTC Keywords) become its tags at
 * upload, normalised as tags are, only those that can be tags, the first 50; off, none.
 */
const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

async function setUp(env: Record<string, string> = {}) {
  const t = await startTestApp(env);
  apps.push(t);
  const user = await createUser(t, 'beta_player');
  return { t, user };
}

async function uploadPhoto(t: TestApp, user: TestUser, bytes: Buffer) {
  const gallery = await createGallery(t, user);
  const res = await upload(t, user, { gallery: gallery.id }, { bytes, filename: 'p.jpg', contentType: 'image/jpeg' });
  expect(res.status).toBe(201);
  return res.body as { id: number; title: string; tags: string[] };
}

describe('keywords of an upload', () => {
  it('become its tags: normalised, each once, those that can be tags, in the search text and the audit log', async () => {
    const { t, user } = await setUp();
    const bytes = await photo({ xmp: { keywords: ['Beach', '  Sunset   Glow ', 'BEACH', 'x'.repeat(65)] } });
    const image = await uploadPhoto(t, user, bytes);
    expect(image.tags).toEqual(['beach', 'sunset glow']);
    const shown = await request(t.app).get(`/api/gallery/images/${image.id}`).set(user.auth).expect(200);
    expect(shown.body.tags).toEqual(['beach', 'sunset glow']);
    const row = await t.db.image.findUniqueOrThrow({ where: { id: image.id }, select: { searchText: true } });
    expect(row.searchText).toBe(`${image.title}\n\nbeach sunset glow`);
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { action: 'image.upload', targetId: image.id } });
    expect(event.detail).toContain('tags from its keywords: beach, sunset glow');
  });

  it('only the first 50 (IPTC keywords)', async () => {
    const { t, user } = await setUp();
    const keywords = Array.from({ length: 60 }, (_, n) => `word ${String(n).padStart(2, '0')}`);
    const image = await uploadPhoto(t, user, await photo({ iptc: { keywords } }));
    expect(image.tags).toHaveLength(50);
    expect(image.tags).toEqual(keywords.slice(0, 50));
    expect(await t.db.imageTag.count({ where: { imageId: image.id } })).toBe(50);
  });

  it('IMPORT_KEYWORDS=false: an upload gets none', async () => {
    const { t, user } = await setUp({ IMPORT_KEYWORDS: 'false' });
    const image = await uploadPhoto(t, user, await photo({ xmp: { keywords: ['beach'] } }));
    expect(image.tags).toEqual([]);
    expect(await t.db.tag.count()).toBe(0);
  });
});
