import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';

import { startS3Emulator } from '../helpers/s3-emulator';
import { login, prepareWorld, startServer, stopAllServers, type ServerProcess } from '../helpers/server-process';
import { createUpload, deleteUpload, offsetOf, openPatch, patchUpload } from '../helpers/tus-client';

/**
 * Resumable uploads with STORAGE=s3, against s3rver: the upload's state lives in the bucket (the tus
 * project's S3 store: a multipart upload, `.info` and `.part` objects under <S3_PREFIX>resumable/),
 * so a server killed in the middle of an upload (kill -9) answers HEAD, once started again, with
 * what the bucket has, and the client resumes from there. Termination, a non-image and expiry leave
 * nothing in the bucket.
 */
jest.setTimeout(120_000);

/** A busy machine may take long to start a server (two at once, beside other tests). */
const SLOW_START = { timeoutMs: 60_000 };

const PREFIX = 'gallery/';
let world: Awaited<ReturnType<typeof prepareWorld>>;
let s3: Awaited<ReturnType<typeof startS3Emulator>>;
let client: S3Client;
let server: ServerProcess;
let auth: Record<string, string>;

const env = (extra: Record<string, string> = {}) => ({ ...world.env, ...s3.env, S3_PREFIX: PREFIX, ...extra });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  [world, s3] = await Promise.all([prepareWorld(), startS3Emulator()]);
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  server = await startServer(env(), SLOW_START);
  auth = await login(server.url, world.credentials);
});
afterAll(async () => {
  await stopAllServers();
  client?.destroy();
  await Promise.all([world?.close(), s3?.stop()]);
});

async function keys(prefix = PREFIX): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key!).sort();
}
async function multipartUploads(): Promise<string[]> {
  const page = await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
  return (page.Uploads ?? []).map((upload) => upload.Key!);
}
const resumableKeys = () => keys(`${PREFIX}resumable/`);

/** A PNG of random pixels: it does not compress, so it is about side² × 3 bytes. */
const noisePng = (side: number) =>
  sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();

async function restart(extra: Record<string, string> = {}) {
  server.kill('SIGKILL');
  await server.exited;
  server = await startServer(env(extra), SLOW_START);
}

describe('resumable uploads on S3', () => {
  it('resume after a kill -9, between two PATCHes and in the middle of one, from the offset HEAD reports', async () => {
    const bytes = await noisePng(1400); // ~5.9 MB: more than one 5 MiB part
    const path = await createUpload(server.url, auth, bytes.length, { gallery: world.galleryId, title: 'Harbour' });
    const id = path.slice(-32);
    const first = 3 * 1024 * 1024;
    expect((await patchUpload(server.url, auth, path, 0, bytes.subarray(0, first))).status).toBe(204);
    expect(await resumableKeys()).toEqual([`${PREFIX}resumable/${id}.info`, `${PREFIX}resumable/${id}.part`]);

    await restart();
    expect(await offsetOf(server.url, auth, path)).toBe(first);

    // Killed while the next PATCH is under way: the bucket has what it has, HEAD says so.
    const cut = openPatch(server.url, auth, path, first, bytes.length - first);
    cut.replied.catch(() => undefined);
    await cut.write(bytes.subarray(first, first + 1024 * 1024));
    await new Promise((done) => setTimeout(done, 300));
    await restart();
    const offset = await offsetOf(server.url, auth, path);
    expect(typeof offset).toBe('number');
    expect(offset).toBeLessThanOrEqual(first + 1024 * 1024);

    const last = await patchUpload(server.url, auth, path, offset as number, bytes.subarray(offset as number));
    expect(last.status).toBe(201);
    const image = last.json();
    expect(image).toMatchObject({ message: 'Image created successfully', sha256: sha256(bytes), size: bytes.length });
    const row = await world.db.image.findUniqueOrThrow({ where: { id: image.id as number } });
    const stem = row.storageKey.slice(0, 32);
    expect(await keys()).toEqual(
      [row.storageKey, `${stem}.preview.webp`, `${stem}.thumb.webp`].map((key) => `${PREFIX}${key}`).sort(),
    );
    expect(await multipartUploads()).toEqual([]);
  });

  it('finishes an upload whose server died after S3 completed it, before noting it: a PATCH at the end', async () => {
    await restart({ FAULT_POINT: 'resumable-written' });
    const bytes = await noisePng(150);
    const path = await createUpload(server.url, auth, bytes.length, { gallery: world.galleryId, title: 'Late' });
    await expect(patchUpload(server.url, auth, path, 0, bytes)).rejects.toThrow();
    await server.exited;
    server = await startServer(env(), SLOW_START);
    expect(await offsetOf(server.url, auth, path)).toBe(bytes.length);
    const end = await patchUpload(server.url, auth, path, bytes.length, Buffer.alloc(0));
    expect(end.status).toBe(201);
    expect(end.json()).toMatchObject({ sha256: sha256(bytes), title: 'Late' });
    expect(await resumableKeys()).toEqual([]);
  });

  it('terminates an upload: its objects and its multipart upload go', async () => {
    const bytes = await noisePng(200);
    const path = await createUpload(server.url, auth, bytes.length, { gallery: world.galleryId, title: 'Gone' });
    expect((await patchUpload(server.url, auth, path, 0, bytes.subarray(0, 50_000))).status).toBe(204);
    expect(await multipartUploads()).toHaveLength(1);
    expect(await deleteUpload(server.url, auth, path)).toBe(204);
    expect(await resumableKeys()).toEqual([]);
    expect(await multipartUploads()).toEqual([]);
    expect(await offsetOf(server.url, auth, path)).toBe('status 404');
  });

  it('refuses a finished upload that is not an image with 415, and stores nothing', async () => {
    const before = await keys();
    const images = await world.db.image.count();
    const bytes = randomBytes(300_000);
    const path = await createUpload(server.url, auth, bytes.length, { gallery: world.galleryId, filename: 'a.jpg' });
    const reply = await patchUpload(server.url, auth, path, 0, bytes);
    expect(reply.status).toBe(415);
    expect(reply.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await keys()).toEqual(before);
    expect(await multipartUploads()).toEqual([]);
    expect(await world.db.image.count()).toBe(images);
  });

  it('sweeps an upload past its expiry from the bucket when the server starts', async () => {
    const bytes = await noisePng(200);
    const path = await createUpload(server.url, auth, bytes.length, { gallery: world.galleryId, title: 'Late' });
    expect((await patchUpload(server.url, auth, path, 0, bytes.subarray(0, 10_000))).status).toBe(204);
    expect(await resumableKeys()).toHaveLength(2);
    // RESUMABLE_UPLOAD_EXPIRY_SECONDS later:
    const id = path.slice(-32);
    await world.db.resumableUpload.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await offsetOf(server.url, auth, path)).toBe('status 404');
    await restart();
    expect(await resumableKeys()).toEqual([]);
    expect(await multipartUploads()).toEqual([]);
    expect(await world.db.resumableUpload.count({ where: { id } })).toBe(0);
  });
});
