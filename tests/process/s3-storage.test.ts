import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
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

/**
 * The server as shipped with STORAGE=s3, against s3rver (a local emulator of the S3 API): uploads,
 * files, replacement and delete go to the bucket, and a kill -9 at each step of the upload and
 * delete protocol leaves, after a restart, every row with its objects and no object without a row
 * — found from the notes of staged uploads, without listing the bucket. The storage does not
 * depend on the database: this file runs once, with the SQLite pass.
 */
jest.setTimeout(60_000);

type World = Awaited<ReturnType<typeof prepareWorld>>;
let world: World;
let s3: Awaited<ReturnType<typeof startS3Emulator>>;
let client: S3Client;
const PREFIX = 'gallery/';

const suite = testDbKind() === 'sqlite' ? describe : describe.skip;

beforeEach(async () => {
  [world, s3] = await Promise.all([prepareWorld(), startS3Emulator()]);
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});
afterEach(async () => {
  await stopAllServers();
  client?.destroy();
  await Promise.all([world?.close(), s3?.stop()]);
});

const env = () => ({ ...world.env, ...s3.env, S3_PREFIX: PREFIX });
/** After a crash: the start-up check repairs, and takes every note and temp file as left behind. */
const RECOVER = { RECONCILE_ON_START: 'repair', UPLOAD_TEMP_MAX_AGE_SECONDS: '0' };

async function objectKeys(): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  return (page.Contents ?? []).map((object) => object.Key!).sort();
}

const objectsOf = (storageKey: string) =>
  [storageKey, `${storageKey.slice(0, 32)}.preview.webp`, `${storageKey.slice(0, 32)}.thumb.webp`]
    .map((key) => `${PREFIX}${key}`)
    .sort();

/** Every row has its three objects, no object lacks a row, and no note of a staged upload is left. */
async function expectInStep() {
  const rows = await world.db.image.findMany({ select: { storageKey: true } });
  expect(await objectKeys()).toEqual(rows.flatMap((row) => objectsOf(row.storageKey)).sort());
  expect(await world.db.stagedUpload.count()).toBe(0);
}

const photo = (seed: number) =>
  sharp({ create: { width: 300, height: 200, channels: 3, background: { r: seed, g: 90, b: 200 } } })
    .jpeg()
    .toBuffer();

function upload(server: ServerProcess, auth: Record<string, string>, file: Buffer) {
  const { contentType, body } = multipart({ title: 'on S3', gallery: String(world.galleryId) }, file);
  return send(server.url, {
    method: 'POST',
    path: '/api/gallery/images/',
    headers: { ...auth, 'Content-Type': contentType },
    body,
  });
}

const CONNECTION_DIED = /socket hang up|ECONNRESET|EPIPE/;

suite('STORAGE=s3', () => {
  it('stores uploads in the bucket under the prefix, serves them whole and by range, replaces and deletes them', async () => {
    const server = await startServer(env());
    expect(server.logged('Gallery Server listening')[0]).toMatchObject({ storage: 's3' });
    const auth = await login(server.url, world.credentials);
    const jpeg = await photo(1);
    const created = await upload(server, auth, jpeg);
    expect(created.status).toBe(201);
    const id = created.json().id as number;
    const { storageKey } = await world.db.image.findUniqueOrThrow({ where: { id } });
    expect(await objectKeys()).toEqual(objectsOf(storageKey));

    const original = await send(server.url, { path: `/api/gallery/images/${id}/file/?size=original`, headers: auth });
    expect(original.status).toBe(200);
    expect(Buffer.compare(original.body, jpeg)).toBe(0);
    const part = await send(server.url, {
      path: `/api/gallery/images/${id}/file/?size=original`,
      headers: { ...auth, Range: 'bytes=2-11' },
    });
    expect(part.status).toBe(206);
    expect(Buffer.compare(part.body, jpeg.subarray(2, 12))).toBe(0);
    const thumb = await send(server.url, { path: `/api/gallery/images/${id}/file/?size=thumb`, headers: auth });
    expect((await sharp(thumb.body).metadata()).format).toBe('webp');

    const replacement = await photo(2);
    const { contentType, body } = multipart({ title: 'new bytes' }, replacement);
    expect(
      (
        await send(server.url, {
          method: 'PUT',
          path: `/api/gallery/images/${id}/`,
          headers: { ...auth, 'Content-Type': contentType },
          body,
        })
      ).status,
    ).toBe(200);
    const replaced = await world.db.image.findUniqueOrThrow({ where: { id } });
    expect(replaced.storageKey).not.toBe(storageKey);
    await expectInStep();

    expect(
      (await send(server.url, { method: 'DELETE', path: `/api/gallery/images/${id}/`, headers: auth })).status,
    ).toBe(200);
    // In the trash its objects stay; deleted for good from there, they go.
    expect(await objectKeys()).toHaveLength(3);
    expect(
      (await send(server.url, { method: 'DELETE', path: `/api/gallery/trash/images/${id}/`, headers: auth })).status,
    ).toBe(200);
    expect(await objectKeys()).toEqual([]);
    await expectInStep();
  });

  it.each(['upload-staged', 'upload-committed', 'upload-stored'] as const)(
    'a kill -9 at %s leaves, after a restart, every row with its objects and no object without a row',
    async (faultPoint) => {
      const crashing = await startServer({ ...env(), FAULT_POINT: faultPoint });
      const auth = await login(crashing.url, world.credentials);
      const jpeg = await photo(3);
      await expect(upload(crashing, auth, jpeg)).rejects.toThrow(CONNECTION_DIED);
      expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // Staged in place: the objects are in the bucket whether or not the row was committed.
      expect(await objectKeys()).toHaveLength(3);
      const committed = await world.db.image.count();
      expect(committed).toBe(faultPoint === 'upload-staged' ? 0 : 1);
      expect(await world.db.stagedUpload.count()).toBe(faultPoint === 'upload-staged' ? 1 : 0);

      const server = await startServer({ ...env(), ...RECOVER });
      expect(server.logged('storage check')[0]).toMatchObject({
        stagedRemoved: faultPoint === 'upload-staged' ? 1 : 0,
        rowsWithoutFile: 0,
        filesWithoutRow: 0,
      });
      await expectInStep();
      const again = await upload(server, auth, jpeg);
      expect(again.status).toBe(committed ? 200 : 201);
      const file = await send(server.url, {
        path: `/api/gallery/images/${again.json().id as number}/file/?size=original`,
        headers: auth,
      });
      expect(Buffer.compare(file.body, jpeg)).toBe(0);
      await expectInStep();
    },
  );

  it('a kill -9 after a delete marked its row: the restart removes the objects and the row', async () => {
    const first = await startServer(env());
    const auth = await login(first.url, world.credentials);
    const id = (await upload(first, auth, await photo(4))).json().id as number;
    await first.stop();
    const crashing = await startServer({ ...env(), TRASH_DAYS: '0', FAULT_POINT: 'delete-marked' });
    await expect(
      send(crashing.url, {
        method: 'DELETE',
        path: `/api/gallery/images/${id}/`,
        headers: await login(crashing.url, world.credentials),
      }),
    ).rejects.toThrow(CONNECTION_DIED);
    expect(await objectKeys()).toHaveLength(3);
    const server = await startServer({ ...env(), ...RECOVER });
    expect(server.logged('storage check')[0]).toMatchObject({ deletionsFinished: 1 });
    expect(await world.db.image.count()).toBe(0);
    await expectInStep();
  });

  it('answers 503, not 500, when the bucket is unreachable, leaving no row; /ready names the storage', async () => {
    const server = await startServer(env());
    const auth = await login(server.url, world.credentials);
    const id = (await upload(server, auth, await photo(5))).json().id as number;
    expect((await send(server.url, { path: '/ready' })).status).toBe(200);
    await s3.stop();
    const down = await send(server.url, { path: '/ready' });
    expect(down.status).toBe(503);
    expect(down.json()).toMatchObject({ storage: 'unavailable' });
    const refused = await upload(server, auth, await photo(250));
    expect(refused.status).toBe(503);
    expect(refused.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    const file = await send(server.url, { path: `/api/gallery/images/${id}/file/?size=original`, headers: auth });
    expect(file.status).toBe(503);
    expect(await world.db.image.count()).toBe(1);
  });
});
