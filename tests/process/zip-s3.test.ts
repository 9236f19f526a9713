import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';

import { startS3Emulator } from '../helpers/s3-emulator';
import {
  login,
  multipart,
  prepareWorld,
  send,
  startServer,
  stopAllServers,
  type ServerProcess,
} from '../helpers/server-process';
import { testDbKind } from '../helpers/test-env';
import { readZip } from '../helpers/zip';

/**
 * Zip downloads from the server as shipped with STORAGE=s3, against s3rver: the originals and
 * previews come out of the bucket (ranged reads, HEADs for the previews' sizes) into one archive
 * with the uploaded bytes, a cut download resumes to the same bytes, and a preview missing from
 * the bucket is made again on the way. The storage does not depend on the database: this file
 * runs once, with the SQLite pass.
 */
jest.setTimeout(90_000);

const suite = testDbKind() === 'sqlite' ? describe : describe.skip;
const PREFIX = 'gallery/';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const photo = (seed: number) =>
  sharp({ create: { width: 320, height: 200, channels: 3, background: { r: seed, g: 80, b: 160 } } })
    .jpeg()
    .toBuffer();

async function uploadPhoto(server: ServerProcess, auth: Record<string, string>, gallery: number, title: string) {
  const bytes = await photo(title.length * 20);
  const { contentType, body } = multipart({ title, gallery: String(gallery) }, bytes);
  const reply = await send(server.url, {
    method: 'POST',
    path: '/api/gallery/images/',
    headers: { ...auth, 'Content-Type': contentType },
    body,
  });
  expect(reply.status).toBe(201);
  return { bytes, image: reply.json() as { id: number } };
}

suite('zip downloads on S3', () => {
  afterAll(async () => {
    await stopAllServers();
  });

  it('stream the bucket’s files into an archive that resumes to the same bytes', async () => {
    const [world, s3] = await Promise.all([prepareWorld(), startS3Emulator()]);
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    try {
      const server = await startServer({ ...world.env, ...s3.env, S3_PREFIX: PREFIX });
      const auth = await login(server.url, world.credentials);
      const files = [
        await uploadPhoto(server, auth, world.galleryId, 'Quay'),
        await uploadPhoto(server, auth, world.galleryId, 'Lighthouse'),
      ];
      const path = `/api/gallery/galleries/${world.galleryId}/download`;
      const whole = await send(server.url, { path, headers: auth });
      expect(whole.status).toBe(200);
      const zip = readZip(whole.body);
      expect(zip.entries.map((entry) => [entry.name, entry.sha256])).toEqual([
        ['Quay.jpg', sha256(files[0].bytes)],
        ['Lighthouse.jpg', sha256(files[1].bytes)],
        ['manifest.json', expect.any(String)],
      ]);

      // A download cut half way, resumed with its ETag.
      const cut = Math.floor(whole.body.length / 2);
      const first = await send(server.url, { path, headers: { ...auth, Range: `bytes=0-${cut - 1}` } });
      expect(first.status).toBe(206);
      const etag = await etagOf(server, path, auth);
      const rest = await send(server.url, { path, headers: { ...auth, Range: `bytes=${cut}-`, 'If-Range': etag } });
      expect(rest.status).toBe(206);
      expect(Buffer.compare(Buffer.concat([first.body, rest.body]), whole.body)).toBe(0);

      // A subscriber gets the previews, from the bucket; one that went missing is made again.
      const { storageKey } = await world.db.image.findUniqueOrThrow({ where: { id: files[1].image.id } });
      const preview = `${PREFIX}${storageKey.slice(0, 32)}.preview.webp`;
      await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: preview }));
      const viewer = await register(server);
      const previews = await send(server.url, { path, headers: viewer });
      expect(previews.status).toBe(200);
      const seen = readZip(previews.body);
      expect(seen.entries.map((entry) => entry.name)).toEqual(['Quay.webp', 'Lighthouse.webp', 'manifest.json']);
      expect(seen.manifest.contents).toBe('previews');
      for (const [i, file] of files.entries()) {
        const previewPath = `/api/gallery/images/${file.image.id}/file?size=preview`;
        expect(seen.entries[i].sha256).toBe(
          sha256((await send(server.url, { path: previewPath, headers: viewer })).body),
        );
      }
    } finally {
      await stopAllServers();
      client.destroy();
      await Promise.all([world.close(), s3.stop()]);
    }
  });
});

function etagOf(server: ServerProcess, path: string, auth: Record<string, string>) {
  return new Promise<string>((done, fail) => {
    const req = request(`${server.url}${path}`, { method: 'HEAD', headers: auth }, (res) => {
      res.resume();
      done(res.headers.etag ?? '');
    });
    req.on('error', fail);
    req.end();
  });
}

async function register(server: ServerProcess) {
  const username = `viewer${Date.now()}`;
  const password = 'a viewer password';
  const body = Buffer.from(
    JSON.stringify({ username, email: `${username}@example.test`, password, password2: password }),
  );
  const made = await send(server.url, {
    method: 'POST',
    path: '/api/auth/register/',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  expect(made.status).toBe(201);
  return login(server.url, { username, password });
}
