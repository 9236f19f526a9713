import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

import {
  login,
  multipart,
  prepareWorld,
  send,
  startServer,
  stopAllServers,
  type Exit,
  type ServerProcess,
} from '../helpers/server-process';
import { testDbKind } from '../helpers/test-env';

// The purge of what has been in the trash TRASH_DAYS, run by the real server (dist/server.js) right
// after it listens: killed halfway through, and run by two processes on one database at once.
jest.setTimeout(60_000);

type World = Awaited<ReturnType<typeof prepareWorld>>;
let world: World;

beforeEach(async () => {
  world = await prepareWorld();
});
afterEach(async () => {
  await stopAllServers();
  await world.close();
});

const DAY_MS = 24 * 60 * 60 * 1000;
const TRASH = { TRASH_DAYS: '30' };
const PURGED_LOG = 'trash: expired items deleted for good';
const EXPIRED_DETAIL = 'expired after 30 days in the trash';

/** A small JPEG of noise: other bytes on every call. */
const noiseJpeg = () =>
  sharp({
    create: {
      width: 160,
      height: 120,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg()
    .toBuffer();

/** Every file under the upload folder's images/, as `<first two>/<name>`. */
const storedFiles = () =>
  (readdirSync(join(world.uploadDir, 'images'), { recursive: true }) as string[])
    .filter((name) => name.includes('/'))
    .sort();

/** The three stored files of an image (original, thumbnail, preview). */
const filesOf = (storageKey: string) =>
  [storageKey, `${storageKey.slice(0, 32)}.thumb.webp`, `${storageKey.slice(0, 32)}.preview.webp`].map(
    (name) => `${name.slice(0, 2)}/${name}`,
  );

/** Every image row has its three files, none is being deleted, and no stored file lacks a row. */
async function expectRowsAndFilesInStep() {
  const rows = await world.db.image.findMany({ select: { storageKey: true, deleting: true } });
  expect(rows.filter((row) => row.deleting)).toEqual([]);
  expect(storedFiles()).toEqual(rows.flatMap((row) => filesOf(row.storageKey)).sort());
  expect(readdirSync(join(world.uploadDir, 'tmp'))).toEqual([]);
}

/** A client of one server: uploads, deletes, galleries. */
async function clientOf(server: ServerProcess) {
  const auth = await login(server.url, world.credentials);
  const json = (method: string, path: string, body?: unknown) =>
    send(server.url, {
      method,
      path,
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
  return {
    auth,
    json,
    async upload(galleryId: number) {
      const bytes = await noiseJpeg();
      const { contentType, body } = multipart({ title: 'purge', gallery: String(galleryId) }, bytes);
      const reply = await send(server.url, {
        method: 'POST',
        path: '/api/gallery/images/',
        headers: { ...auth, 'Content-Type': contentType },
        body,
      });
      expect(reply.status).toBe(201);
      return { id: reply.json().id as number, bytes };
    },
    async gallery(name: string) {
      const reply = await json('POST', '/api/gallery/galleries/', { name });
      expect(reply.status).toBe(201);
      return reply.json().id as number;
    },
    async trash(kind: 'images' | 'galleries', id: number) {
      const reply = await json('DELETE', `/api/gallery/${kind}/${id}/`);
      expect(reply.status).toBe(200);
      expect(reply.json()).toMatchObject({ trashed: true });
    },
  };
}

/** Puts items back in time: the purge's clock is the data's. */
async function trashedDaysAgo(days: number, items: { images?: number[]; galleries?: number[] }) {
  const trashedAt = new Date(Date.now() - days * DAY_MS);
  await world.db.image.updateMany({ where: { id: { in: items.images ?? [] } }, data: { trashedAt } });
  await world.db.gallery.updateMany({ where: { id: { in: items.galleries ?? [] } }, data: { trashedAt } });
}

/** The purge events in the audit log, in a stable order. */
async function purgeEvents() {
  const events = await world.db.auditEvent.findMany({
    where: { action: { in: ['image.purge', 'gallery.purge'] } },
    select: { action: true, targetId: true, actorId: true, detail: true },
  });
  return events.sort((a, b) => a.action.localeCompare(b.action) || a.targetId! - b.targetId!);
}

const purgeEvent = (action: 'image.purge' | 'gallery.purge', targetId: number) => ({
  action,
  targetId,
  actorId: null,
  detail: EXPIRED_DETAIL,
});

/** The exit of a server that is to die on its own (a fault point), or a clear failure when it does not. */
function diedWithin(server: ServerProcess, ms: number): Promise<Exit | 'still running'> {
  return Promise.race([
    server.exited,
    new Promise<'still running'>((done) => setTimeout(() => done('still running'), ms).unref()),
  ]);
}

describe('a server killed (kill -9) while it purges the trash', () => {
  it('finishes the purge at its next start: the expired items and their files gone, the rest kept', async () => {
    const first = await startServer({ ...world.env, ...TRASH });
    const client = await clientOf(first);
    const live = [await client.upload(world.galleryId), await client.upload(world.galleryId)];
    const expiredImages = [await client.upload(world.galleryId), await client.upload(world.galleryId)];
    const recentImage = await client.upload(world.galleryId);
    const expiredGallery = await client.gallery('Expired');
    const inExpiredGallery = [await client.upload(expiredGallery), await client.upload(expiredGallery)];
    const recentGallery = await client.gallery('Recent');
    const inRecentGallery = await client.upload(recentGallery);
    for (const image of [...expiredImages, recentImage]) await client.trash('images', image.id);
    for (const id of [expiredGallery, recentGallery]) await client.trash('galleries', id);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    await trashedDaysAgo(31, { images: expiredImages.map((image) => image.id), galleries: [expiredGallery] });
    await trashedDaysAgo(10, { images: [recentImage.id], galleries: [recentGallery] });
    const keysOf = async (ids: number[]) =>
      (await world.db.image.findMany({ where: { id: { in: ids } }, select: { storageKey: true } })).map(
        (row) => row.storageKey,
      );
    const doomedKeys = await keysOf([...expiredImages, ...inExpiredGallery].map((image) => image.id));
    expect(storedFiles()).toHaveLength(8 * 3);

    // The purge after start marks the first expired image and the process dies there.
    const crashing = await startServer({ ...world.env, ...TRASH, FAULT_POINT: 'trash-purge-marked' });
    expect(await diedWithin(crashing, 15_000)).toEqual({ code: null, signal: 'SIGKILL' });
    const marked = await world.db.image.findMany({ where: { deleting: true }, select: { id: true } });
    expect(marked).toHaveLength(1);
    expect(expiredImages.map((image) => image.id)).toContain(marked[0].id);
    expect(await purgeEvents()).toEqual([purgeEvent('image.purge', marked[0].id)]);
    expect(storedFiles()).toHaveLength(8 * 3);

    // Started again: the check before it listens finishes the marked one, the purge after it the rest.
    const server = await startServer({ ...world.env, ...TRASH });
    expect(server.logged('storage check')[0]).toMatchObject({ deletionsFinished: 1 });
    expect(await server.waitForLog(PURGED_LOG)).toMatchObject({ images: 1, galleries: 1 });
    // The audit of rows against files runs too, after the purge (not skipped for its lease).
    const audit = await server.waitForLog('storage audit');
    expect(audit).toMatchObject({ rowsWithoutFile: 0, filesWithoutRow: 0, damaged: 0 });
    expect(audit.sharedPartSkipped).toBeUndefined();

    expect(await purgeEvents()).toEqual([
      purgeEvent('gallery.purge', expiredGallery),
      ...expiredImages.map((image) => purgeEvent('image.purge', image.id)).sort((a, b) => a.targetId - b.targetId),
    ]);
    expect(await world.db.gallery.findUnique({ where: { id: expiredGallery } })).toBeNull();
    const left = await world.db.image.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
    expect(left.map((row) => row.id)).toEqual(
      [...live, recentImage, inRecentGallery].map((image) => image.id).sort((a, b) => a - b),
    );
    for (const file of doomedKeys.flatMap(filesOf))
      expect(existsSync(join(world.uploadDir, 'images', file))).toBe(false);
    await expectRowsAndFilesInStep();

    // What had not been there 30 days is still in the trash; what was live is served as it was.
    const reader = await clientOf(server);
    const trash = await reader.json('GET', '/api/gallery/trash/');
    expect(trash.status).toBe(200);
    expect(
      (JSON.parse(trash.body.toString()) as { type: string; id: number }[]).map(({ type, id }) => ({ type, id })),
    ).toEqual(
      expect.arrayContaining([
        { type: 'image', id: recentImage.id },
        { type: 'gallery', id: recentGallery },
      ]),
    );
    expect(JSON.parse(trash.body.toString())).toHaveLength(2);
    for (const image of live) {
      const file = await send(server.url, {
        path: `/api/gallery/images/${image.id}/file/?size=original`,
        headers: reader.auth,
      });
      expect(file.status).toBe(200);
      expect(Buffer.compare(file.body, image.bytes)).toBe(0);
    }
  });
});

describe('two servers on one database, started together with expired items in the trash', () => {
  it('purge each item exactly once (one node at a time), and leave nothing of them', async () => {
    const first = await startServer({ ...world.env, ...TRASH });
    const client = await clientOf(first);
    const live = await client.upload(world.galleryId);
    const expired: number[] = [];
    for (let batch = 0; batch < 8; batch++) {
      const uploaded = await Promise.all([1, 2, 3, 4].map(() => client.upload(world.galleryId)));
      expired.push(...uploaded.map((image) => image.id));
    }
    const expiredGallery = await client.gallery('Expired');
    await Promise.all([client.upload(expiredGallery), client.upload(expiredGallery)]);
    await Promise.all(expired.map((id) => client.trash('images', id)));
    await client.trash('galleries', expiredGallery);
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    await trashedDaysAgo(31, { images: expired, galleries: [expiredGallery] });

    // On PostgreSQL, a row of one expired image stays locked until both nodes listen: whichever
    // purges first is held there while the other tries too. (SQLite has no lock of one row: there
    // the two purges overlap or not, as the two processes happen to start.)
    const onPostgres = testDbKind() === 'postgres';
    const starting = Promise.all([startServer({ ...world.env, ...TRASH }), startServer({ ...world.env, ...TRASH })]);
    if (onPostgres) {
      await world.db.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT "id" FROM "Image" WHERE "id" = ${expired[0]} FOR UPDATE`;
          await starting.catch(() => undefined);
          await new Promise((done) => setTimeout(done, 500));
        },
        { timeout: 30_000 },
      );
    }
    const nodes = await starting;
    const purged = await Promise.any(nodes.map((node) => node.waitForLog(PURGED_LOG, 30_000)));
    // Each node audits after its own purge: once both have, neither purge is still running.
    await Promise.all(nodes.map((node) => node.waitForLog('storage audit', 30_000)));
    if (onPostgres) {
      // The two purges overlapped: both nodes listened (and began theirs) before the purge was done.
      for (const node of nodes) {
        const listening = await node.waitForLog('Gallery Server listening');
        expect(Date.parse(listening.time as string)).toBeLessThan(Date.parse(purged.time as string));
      }
    }

    // One node purged everything; the other ran none of it.
    const logged = nodes.map((node) => node.logged(PURGED_LOG));
    expect(logged.flat()).toEqual([purged]);
    expect(purged).toMatchObject({ images: expired.length, galleries: 1 });
    expect(await purgeEvents()).toEqual([
      purgeEvent('gallery.purge', expiredGallery),
      ...[...expired].sort((a, b) => a - b).map((id) => purgeEvent('image.purge', id)),
    ]);
    expect((await world.db.image.findMany({ select: { id: true } })).map((row) => row.id)).toEqual([live.id]);
    expect(await world.db.gallery.findUnique({ where: { id: expiredGallery } })).toBeNull();
    await expectRowsAndFilesInStep();
    expect(nodes.flatMap((node) => node.logged('trash purge failed'))).toEqual([]);
  });
});
