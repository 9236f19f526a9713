import { existsSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

import { createImageFiles } from '../../src/features/images/image-files';
import {
  checkStorage,
  reconcileWhileServing,
  sweepStaleUploads,
} from '../../src/features/images/storage-check.service';
import { createLogger } from '../../src/shared/logger';
import { createGallery, createImage, createUser, jpegBytes, type TestUser } from '../helpers/factories';
import { expectStorageInStep } from '../helpers/storage';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let owner: TestUser;
let galleryId: number;

beforeEach(async () => {
  t = await startTestApp();
  owner = await createUser(t, 'beta_player');
  galleryId = (await createGallery(t, owner)).id;
});
afterEach(async () => {
  await t.close();
});

function check(repair: boolean, tempMaxAgeMs = 3_600_000) {
  const logger = createLogger('silent');
  return checkStorage(
    {
      db: t.db,
      storage: t.storage,
      files: createImageFiles({ db: t.db, storage: t.storage, logger, config: {} }),
      logger,
    },
    { repair, tempMaxAgeMs, maxImagePixels: 50_000_000, verifyHashes: true },
  );
}

const stored = (key: string) => join(t.uploadDir, 'images', key.slice(0, 2), key);
const keyOf = async (id: number) => (await t.db.image.findUniqueOrThrow({ where: { id } })).storageKey;

describe('the storage check', () => {
  it('finds nothing to do when files and rows are in step', async () => {
    await createImage(t, owner, galleryId);
    const report = await check(false);
    expect(report).toEqual({
      tempRemoved: [],
      stagedRemoved: [],
      rolledForward: [],
      deletionsFinished: [],
      galleryDeletionsFinished: [],
      replacedFilesRemoved: [],
      variantsRebuilt: [],
      rowsWithoutFile: [],
      damaged: [],
      filesWithoutRow: [],
      repaired: false,
    });
  });

  it('makes missing variants again from the original', async () => {
    const image = await createImage(t, owner, galleryId);
    const key = await keyOf(image.id);
    const thumb = stored(`${key.slice(0, 32)}.thumb.webp`);
    rmSync(thumb);
    const report = await check(false);
    expect(report.variantsRebuilt).toEqual([key]);
    expect(existsSync(thumb)).toBe(true);
    await request(t.app)
      .get(`/api/gallery/images/${image.id}/file/?size=thumb`)
      .set(owner.auth)
      .expect(200)
      .expect('Content-Type', 'image/webp');
    await expectStorageInStep(t);
  });

  it('makes a missing variant on demand when it is asked for, before any check has run', async () => {
    const image = await createImage(t, owner, galleryId);
    const key = await keyOf(image.id);
    const preview = stored(`${key.slice(0, 32)}.preview.webp`);
    rmSync(preview);
    const replies = await Promise.all(
      Array.from({ length: 3 }, () =>
        request(t.app).get(`/api/gallery/images/${image.id}/file/?size=preview`).set(owner.auth).buffer(true),
      ),
    );
    for (const res of replies) {
      expect(res.status).toBe(200);
      expect((res.body as Buffer).subarray(8, 12).toString()).toBe('WEBP');
    }
    expect(existsSync(preview)).toBe(true);
    await expectStorageInStep(t);
  });

  it('finishes a delete that had begun, and rolls a committed upload forward from its staged files', async () => {
    const deleting = await createImage(t, owner, galleryId);
    await t.db.image.update({ where: { id: deleting.id }, data: { deleting: true } });
    const committed = await createImage(t, owner, galleryId);
    const key = await keyOf(committed.id);
    for (const name of [key, `${key.slice(0, 32)}.thumb.webp`, `${key.slice(0, 32)}.preview.webp`]) {
      renameSync(stored(name), t.storage.stagingPath(name));
    }
    const report = await check(false);
    expect(report.deletionsFinished).toEqual([deleting.id]);
    expect(report.rolledForward).toHaveLength(3);
    expect(await t.db.image.count({ where: { id: deleting.id } })).toBe(0);
    await expectStorageInStep(t);
  });

  it("removes an image's old files noted for removal when a new file replaced them, even when only reporting", async () => {
    const image = await createImage(t, owner, galleryId);
    const oldKey = await keyOf(image.id);
    // As a crash right after the change would leave it: the row on the new file, the old files
    // still there, and the note that they are to go.
    await request(t.app)
      .put(`/api/gallery/images/${image.id}/`)
      .set(owner.auth)
      .attach('image', await jpegBytes(12, 12), { filename: 'n.jpg', contentType: 'image/jpeg' })
      .expect(200);
    const newKey = await keyOf(image.id);
    for (const name of [oldKey, `${oldKey.slice(0, 32)}.thumb.webp`, `${oldKey.slice(0, 32)}.preview.webp`]) {
      mkdirSync(join(t.uploadDir, 'images', name.slice(0, 2)), { recursive: true });
      writeFileSync(stored(name), 'old');
    }
    await t.db.pendingFileRemoval.create({ data: { storageKey: oldKey } });
    // A note whose key is still in use (the change was rolled back) removes nothing.
    await t.db.pendingFileRemoval.create({ data: { storageKey: newKey } });

    const report = await check(false);
    expect(report.replacedFilesRemoved).toEqual([oldKey]);
    expect(report.filesWithoutRow).toEqual([]);
    expect(await t.db.pendingFileRemoval.count()).toBe(0);
    await expectStorageInStep(t);
  });

  it('removes temp files only once they are older than the limit', async () => {
    const fresh = join(t.storage.tempDir, 'fresh.upload');
    const stale = join(t.storage.tempDir, 'stale.upload');
    writeFileSync(fresh, 'x');
    writeFileSync(stale, 'x');
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, hourAgo, hourAgo);
    expect((await check(false)).tempRemoved).toEqual(['stale.upload']);
    expect(existsSync(fresh)).toBe(true);
    expect(await sweepStaleUploads(t.storage, 0)).toBe(1);
    expect(existsSync(fresh)).toBe(false);
  });

  it('reports rows without files, damaged files and files without rows, and deletes them only when repairing', async () => {
    const lost = await createImage(t, owner, galleryId);
    const damaged = await createImage(t, owner, galleryId);
    const lostKey = await keyOf(lost.id);
    rmSync(stored(lostKey));
    writeFileSync(stored(await keyOf(damaged.id)), 'not the bytes that were uploaded');
    const orphan = `${'ab'.repeat(16)}.jpg`;
    mkdirSync(join(t.uploadDir, 'images', 'ab'), { recursive: true });
    writeFileSync(stored(orphan), await jpegBytes());

    const report = await check(false);
    expect(report.rowsWithoutFile).toEqual([lost.id]);
    expect(report.damaged).toEqual([damaged.id]);
    expect(report.filesWithoutRow).toEqual([orphan]);
    expect(await t.db.image.count({ where: { id: lost.id } })).toBe(1);
    expect(existsSync(stored(orphan))).toBe(true);

    const repaired = await check(true);
    expect(repaired.rowsWithoutFile).toEqual([lost.id]);
    expect(await t.db.image.count({ where: { id: lost.id } })).toBe(0);
    expect(existsSync(stored(orphan))).toBe(false);
    // A damaged file is only reported: its row still describes what the user uploaded.
    expect(await t.db.image.count({ where: { id: damaged.id } })).toBe(1);
  });
});

describe('the audit while the server serves', () => {
  const logger = createLogger('silent');
  const audit = (changedBefore: Date) =>
    reconcileWhileServing(
      {
        db: t.db,
        storage: t.storage,
        files: createImageFiles({ db: t.db, storage: t.storage, logger, config: {} }),
        logger,
      },
      { tempMaxAgeMs: 3_600_000, maxImagePixels: 50_000_000 },
      { changedBefore },
    );

  it('takes no upload, change or delete in progress for a problem, and changes nothing', async () => {
    const before = await Promise.all(Array.from({ length: 6 }, () => createImage(t, owner, galleryId)));
    const since = new Date();
    let busy = true;
    const reports: Awaited<ReturnType<typeof audit>>[] = [];
    const auditing = (async () => {
      while (busy) reports.push(await audit(since));
    })();
    const work = [
      ...Array.from({ length: 6 }, () => createImage(t, owner, galleryId)),
      ...before
        .slice(0, 3)
        .map((image) => request(t.app).delete(`/api/gallery/images/${image.id}`).set(owner.auth).expect(200)),
      ...before.slice(3).map(async (image) =>
        request(t.app)
          .put(`/api/gallery/images/${image.id}`)
          .set(owner.auth)
          .attach('image', await jpegBytes(20, 20), 'new.jpg')
          .expect(200),
      ),
    ];
    await Promise.all(work);
    busy = false;
    await auditing;
    reports.push(await audit(since));
    expect(reports.length).toBeGreaterThan(1);
    for (const report of reports) {
      expect({
        rowsWithoutFile: report.rowsWithoutFile,
        damaged: report.damaged,
        filesWithoutRow: report.filesWithoutRow,
      }).toEqual({
        rowsWithoutFile: [],
        damaged: [],
        filesWithoutRow: [],
      });
    }
    await expectStorageInStep(t);
  });

  it('takes the states of an upload, a new file and a delete in progress for what they are', async () => {
    const deleting = await createImage(t, owner, galleryId);
    const replaced = await createImage(t, owner, galleryId);
    const since = new Date();
    await new Promise((done) => setTimeout(done, 5));
    // A delete that has marked its row and not yet removed the files.
    await t.db.image.update({ where: { id: deleting.id }, data: { deleting: true } });
    // A new file committed, the old files still there with their note.
    const oldKey = await keyOf(replaced.id);
    await t.db.$transaction([
      t.db.image.update({ where: { id: replaced.id }, data: { storageKey: `${'ef'.repeat(16)}.png` } }),
      t.db.pendingFileRemoval.create({ data: { storageKey: oldKey } }),
    ]);
    for (const name of [`${'ef'.repeat(16)}.png`, `${'ef'.repeat(16)}.thumb.webp`, `${'ef'.repeat(16)}.preview.webp`]) {
      mkdirSync(join(t.uploadDir, 'images', 'ef'), { recursive: true });
      writeFileSync(stored(name), 'new');
    }
    // An upload committed, its files still staged.
    const uploading = await createImage(t, owner, galleryId);
    const key = await keyOf(uploading.id);
    for (const name of [key, `${key.slice(0, 32)}.thumb.webp`, `${key.slice(0, 32)}.preview.webp`])
      renameSync(stored(name), t.storage.stagingPath(name));

    const report = await audit(since);
    expect({
      rowsWithoutFile: report.rowsWithoutFile,
      damaged: report.damaged,
      filesWithoutRow: report.filesWithoutRow,
    }).toEqual({
      rowsWithoutFile: [],
      damaged: [],
      filesWithoutRow: [],
    });
  });

  it('reports what is wrong with rows from before it started, and deletes nothing', async () => {
    const lost = await createImage(t, owner, galleryId);
    rmSync(stored(await keyOf(lost.id)));
    const orphan = `${'cd'.repeat(16)}.jpg`;
    mkdirSync(join(t.uploadDir, 'images', 'cd'), { recursive: true });
    writeFileSync(stored(orphan), await jpegBytes());
    const report = await audit(new Date());
    expect(report.rowsWithoutFile).toEqual([lost.id]);
    expect(report.filesWithoutRow).toEqual([orphan]);
    expect(report.repaired).toBe(false);
    expect(await t.db.image.count({ where: { id: lost.id } })).toBe(1);
    expect(existsSync(stored(orphan))).toBe(true);
  });
});
