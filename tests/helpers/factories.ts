import bcrypt from 'bcrypt';
import sharp from 'sharp';
import request from 'supertest';

import type { RoleName } from '../../src/shared/permissions';
import type { TestApp } from './test-app';

let sequence = 0;
const unique = (prefix: string) => `${prefix}${process.pid}_${++sequence}`;

export type TestUser = {
  id: number;
  username: string;
  email: string;
  password: string;
  token: string;
  /** Headers that sign a request in as this user. */
  auth: { Authorization: string };
};

/** A user with the given role (null: no role at all), already logged in. */
export async function createUser(
  t: TestApp,
  role: RoleName | null,
  options: { username?: string; isActive?: boolean } = {},
): Promise<TestUser> {
  const username = options.username ?? unique('user');
  const email = `${username}@example.test`;
  const password = `pw-${username}-secret`;
  const roleRow = role ? await t.db.role.findUniqueOrThrow({ where: { name: role } }) : null;
  const user = await t.db.user.create({
    data: {
      username,
      usernameLower: username.toLowerCase(),
      email,
      emailLower: email.toLowerCase(),
      passwordHash: await bcrypt.hash(password, 4),
      roleId: roleRow?.id ?? null,
    },
  });
  const login = await request(t.app).post('/api/auth/login/').send({ username, password }).expect(200);
  if (options.isActive === false) await t.db.user.update({ where: { id: user.id }, data: { isActive: false } });
  const token = login.body.token as string;
  return { id: user.id, username, email, password, token, auth: { Authorization: `Token ${token}` } };
}

/** One user of each kind, all logged in: two Beta Players, a Subscriber, a Company User, an admin. */
export async function createCast(t: TestApp) {
  const [owner, otherPlayer, subscriber, companyUser, admin] = await Promise.all([
    createUser(t, 'beta_player'),
    createUser(t, 'beta_player'),
    createUser(t, 'subscriber'),
    createUser(t, 'company_user'),
    createUser(t, 'admin'),
  ]);
  return { owner, otherPlayer, subscriber, companyUser, admin };
}

export async function createGallery(t: TestApp, owner: { id: number }, name = unique('gallery')) {
  const description = `about ${name}`;
  return t.db.gallery.create({ data: { name, description, ownerId: owner.id } });
}

let colorCounter = 0;
/**
 * A colour no other call has had: every image made here has its own bytes, since the same bytes
 * twice in a gallery are one image.
 */
export function uniqueColor(): { r: number; g: number; b: number } {
  const n = (colorCounter += 1) * 2654435761;
  return { r: n & 0xff, g: (n >>> 8) & 0xff, b: (n >>> 16) & 0xff };
}

type Color = string | { r: number; g: number; b: number };
const solid = (width: number, height: number, color: Color) =>
  sharp({ create: { width, height, channels: 3, background: color } });

export function pngBytes(width = 4, height = 3, color: Color = uniqueColor()): Promise<Buffer> {
  return solid(width, height, color).png().toBuffer();
}

export function jpegBytes(width = 4, height = 3, color: Color = uniqueColor()): Promise<Buffer> {
  return solid(width, height, color).jpeg({ quality: 100 }).toBuffer();
}

export function webpBytes(width = 4, height = 3, color: Color = uniqueColor()): Promise<Buffer> {
  return solid(width, height, color).webp({ lossless: true }).toBuffer();
}

export function avifBytes(width = 4, height = 3, color: Color = uniqueColor()): Promise<Buffer> {
  return solid(width, height, color).avif({ lossless: true }).toBuffer();
}

export function gifBytes(width = 4, height = 3, color: Color = uniqueColor()): Promise<Buffer> {
  return solid(width, height, color).gif().toBuffer();
}

/** Uploads an image as `user` and returns the reply (status not checked). */
export function upload(
  t: TestApp,
  user: TestUser,
  fields: { gallery: number | string; title?: string; description?: string },
  file: { bytes: Buffer; filename?: string; contentType?: string } | null,
) {
  const req = request(t.app).post('/api/gallery/images/').set(user.auth);
  req.field('title', fields.title ?? 'A picture');
  if (fields.description !== undefined) req.field('description', fields.description);
  req.field('gallery', String(fields.gallery));
  if (file) {
    req.attach('image', file.bytes, {
      filename: file.filename ?? 'picture.png',
      contentType: file.contentType ?? 'image/png',
    });
  }
  return req;
}

/** Uploads a PNG and returns the created image's JSON; fails the test unless it is 201. */
export async function createImage(t: TestApp, user: TestUser, galleryId: number, title = unique('image')) {
  const res = await upload(t, user, { gallery: galleryId, title }, { bytes: await pngBytes() });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number; image: string; title: string; gallery: number };
}
