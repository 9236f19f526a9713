import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

import { createImageFiles } from '../../src/features/images/image-files';
import { checkStorage, STORAGE_CHECK_LEASE } from '../../src/features/images/storage-check.service';
import { createLogger } from '../../src/shared/logger';
import { createGallery, createImage, createUser, jpegBytes, type TestUser } from '../helpers/factories';
import { expectStorageInStep } from '../helpers/storage';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** Two server nodes: two apps, each with its own connections, caches and memory, on one database and one upload folder. */
async function twoNodes(env: Record<string, string> = {}): Promise<[TestApp, TestApp]> {
  const a = await startTestApp(env);
  const b = await startTestApp(env, { sameDatabaseAs: a });
  return [a, b];
}

/**
 * Two nodes, a Beta Player and their gallery. Deletes are final here (TRASH_DAYS=0): the races
 * between nodes over a file are those of a delete for good, which the trash's purge shares.
 */
async function twoNodesWithAGallery() {
  const nodes = await twoNodes({ TRASH_DAYS: '0' });
  const owner = await createUser(nodes[0], 'beta_player');
  return { nodes, owner, galleryId: (await createGallery(nodes[0], owner)).id };
}

async function closeBoth([a, b]: [TestApp, TestApp]) {
  await b.close();
  await a.close();
}

/** Rate-limit windows are whole minutes: a test that counts waits out the last seconds of one. */
async function awayFromAMinuteBoundary() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe('the rate limit with several server processes', () => {
  it('holds on every node when counted in the database (RATE_LIMIT_STORE=database)', async () => {
    const nodes = await twoNodes({ RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_STORE: 'database' });
    const [a, b] = nodes;
    try {
      await awayFromAMinuteBoundary();
      await request(a.app).get('/health').expect(200);
      const second = await request(b.app).get('/health').expect(200);
      expect(second.headers['ratelimit-remaining']).toBe('1');
      await request(a.app).get('/health').expect(200);
      const over = await request(b.app).get('/health').expect(429);
      expect(over.body.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      await request(a.app).get('/health').expect(429);
    } finally {
      await closeBoth(nodes);
    }
  });

  it('is counted by each node on its own in memory (the default)', async () => {
    const nodes = await twoNodes({ RATE_LIMIT_PER_MINUTE: '2' });
    const [a, b] = nodes;
    try {
      await awayFromAMinuteBoundary();
      await request(a.app).get('/health').expect(200);
      await request(a.app).get('/health').expect(200);
      await request(a.app).get('/health').expect(429);
      await request(b.app).get('/health').expect(200);
    } finally {
      await closeBoth(nodes);
    }
  });
});

describe('changes to one image from two server processes', () => {
  let nodes: [TestApp, TestApp];
  let owner: TestUser;
  let galleryId: number;

  beforeEach(async () => {
    ({ nodes, owner, galleryId } = await twoNodesWithAGallery());
  });
  afterEach(() => closeBoth(nodes));

  const replace = (t: TestApp, id: number, bytes: Buffer) =>
    request(t.app)
      .put(`/api/gallery/images/${id}`)
      .set(owner.auth)
      .attach('image', bytes, { filename: 'new.jpg', contentType: 'image/jpeg' });

  async function expectNothingLeftOver() {
    const [a] = nodes;
    await expectStorageInStep(a);
    expect(await a.db.pendingFileRemoval.count()).toBe(0);
    expect(await a.db.stagedUpload.count()).toBe(0);
  }

  it('end with one new file when two replacements race: one 200, one 409, the loser’s files removed', async () => {
    const [a, b] = nodes;
    const image = await createImage(a, owner, galleryId);
    const [bytesA, bytesB] = await Promise.all([jpegBytes(640, 480), jpegBytes(640, 480)]);
    const replies = await Promise.all([replace(a, image.id, bytesA), replace(b, image.id, bytesB)]);
    expect(replies.map((reply) => reply.status).sort()).toEqual([200, 409]);
    const loser = replies.find((reply) => reply.status === 409)!;
    expect(loser.body).toEqual({ message: 'The image changed meanwhile; try again.', code: 'CONFLICT' });
    const winner = replies.find((reply) => reply.status === 200)!;
    const row = await a.db.image.findUniqueOrThrow({ where: { id: image.id } });
    expect(row.size).toBe(winner === replies[0] ? bytesA.length : bytesB.length);
    await expectNothingLeftOver();
    // The winner's file is served by either node.
    await request(b.app).get(`/api/gallery/images/${image.id}/file`).set(owner.auth).expect(200);
  });

  it('end in step when a delete races a replacement: whichever loses gets 409 or 404 and leaves nothing behind', async () => {
    const [a, b] = nodes;
    const image = await createImage(a, owner, galleryId);
    const [replaced, deleted] = await Promise.all([
      replace(a, image.id, await jpegBytes(640, 480)),
      request(b.app).delete(`/api/gallery/images/${image.id}`).set(owner.auth),
    ]);
    const outcome = [replaced.status, deleted.status];
    // Either the delete won (the replacement found the image gone or going), or the replacement
    // committed first and the delete, prepared against the old file, was refused.
    expect([
      [409, 200],
      [404, 200],
      [200, 409],
    ]).toContainEqual(outcome);
    expect(await a.db.image.count({ where: { id: image.id } })).toBe(deleted.status === 200 ? 0 : 1);
    await expectNothingLeftOver();
  });

  it('refuses a delete prepared against a file that another node has replaced since', async () => {
    const [a, b] = nodes;
    const image = await createImage(a, owner, galleryId);
    const before = await a.db.image.findUniqueOrThrow({ where: { id: image.id } });
    await replace(b, image.id, await jpegBytes()).expect(200);
    // What a delete that read the row before the replacement committed sends to the database.
    const { markDeleted } = await import('../../src/features/images/images.repository');
    expect(await markDeleted(a.db, image.id, before.storageKey)).toBe('changed');
    await request(a.app).delete(`/api/gallery/images/${image.id}`).set(owner.auth).expect(200);
    expect(await markDeleted(a.db, image.id, before.storageKey)).toBe('gone');
    await expectNothingLeftOver();
  });
});

describe('the storage check with several server processes', () => {
  let nodes: [TestApp, TestApp];
  let owner: TestUser;
  let galleryId: number;

  beforeEach(async () => {
    ({ nodes, owner, galleryId } = await twoNodesWithAGallery());
  });
  afterEach(() => closeBoth(nodes));

  function check(t: TestApp) {
    const logger = createLogger('silent');
    return checkStorage(
      {
        db: t.db,
        storage: t.storage,
        files: createImageFiles({ db: t.db, storage: t.storage, logger, config: {} }),
        logger,
      },
      { repair: false, tempMaxAgeMs: 3_600_000, maxImagePixels: 50_000_000 },
    );
  }

  /** An image whose delete began (a node crashed after marking it): shared work for the check. */
  async function beganDelete() {
    const image = await createImage(nodes[0], owner, galleryId);
    await nodes[0].db.image.update({ where: { id: image.id }, data: { deleting: true } });
    return image.id;
  }

  /** An upload temp file an hour and a minute old, in the upload folder's temp area. */
  function staleTempFile(t: TestApp, name: string) {
    const dir = join(t.uploadDir, 'tmp');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, name);
    writeFileSync(path, 'partial');
    const old = new Date(Date.now() - 3_660_000);
    utimesSync(path, old, old);
  }

  it('runs on one node at a time: of two checks at once, one does the shared work and the other says it skipped it', async () => {
    const [a, b] = nodes;
    const id = await beganDelete();
    const reports = await Promise.all([check(a), check(b)]);
    const ran = reports.filter((report) => !report.sharedPartSkipped);
    const skipped = reports.filter((report) => report.sharedPartSkipped);
    expect(ran).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    expect(ran[0].deletionsFinished).toEqual([id]);
    expect(skipped[0].deletionsFinished).toEqual([]);
    expect(skipped[0].sharedPartSkipped!.heldBy).toEqual(expect.any(String));
    expect(await a.db.maintenanceLease.count()).toBe(0);
    await expectStorageInStep(a);
  });

  it('leaves the shared work to the node that holds the lease, and still sweeps its own temp files', async () => {
    const [a] = nodes;
    const id = await beganDelete();
    staleTempFile(a, 'stale.upload');
    await a.db.maintenanceLease.create({
      data: { name: STORAGE_CHECK_LEASE, holder: 'node-2:4242:abcd', expiresAt: new Date(Date.now() + 60_000) },
    });
    const report = await check(a);
    expect(report.sharedPartSkipped).toEqual({ heldBy: 'node-2:4242:abcd' });
    expect(report.deletionsFinished).toEqual([]);
    expect(report.tempRemoved).toEqual(['stale.upload']);
    expect(await a.db.image.count({ where: { id } })).toBe(1);
    expect((await a.db.maintenanceLease.findUniqueOrThrow({ where: { name: STORAGE_CHECK_LEASE } })).holder).toBe(
      'node-2:4242:abcd',
    );
  });

  it('takes over a lease that expired (its holder died) and releases it at the end', async () => {
    const [a] = nodes;
    const id = await beganDelete();
    await a.db.maintenanceLease.create({
      data: { name: STORAGE_CHECK_LEASE, holder: 'dead-node:1:0000', expiresAt: new Date(Date.now() - 1_000) },
    });
    const report = await check(a);
    expect(report.sharedPartSkipped).toBeUndefined();
    expect(report.deletionsFinished).toEqual([id]);
    expect(await a.db.maintenanceLease.count()).toBe(0);
    await expectStorageInStep(a);
  });

  it('never takes the files of an upload being staged on another node for files without a row, even when repairing', async () => {
    const [a] = nodes;
    const image = await createImage(a, owner, galleryId);
    const row = await a.db.image.findUniqueOrThrow({ where: { id: image.id } });
    // Another node's upload in progress: noted, its files where they will stay (as object storage stages them).
    await a.db.image.delete({ where: { id: image.id } });
    await a.db.stagedUpload.create({ data: { storageKey: row.storageKey } });
    const logger = createLogger('silent');
    const report = await checkStorage(
      {
        db: a.db,
        storage: a.storage,
        files: createImageFiles({ db: a.db, storage: a.storage, logger, config: {} }),
        logger,
      },
      { repair: true, tempMaxAgeMs: 3_600_000, maxImagePixels: 50_000_000 },
    );
    expect(report.filesWithoutRow).toEqual([]);
    expect(await a.storage.stat(row.storageKey)).not.toBeNull();
    expect(await a.db.stagedUpload.count()).toBe(1);
  });
});
