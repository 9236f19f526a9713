import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

import { openStorage } from '../../src/app/storage';
import { loadConfig } from '../../src/shared/config';
import { createCast, createGallery, type TestUser } from '../helpers/factories';
import { CAMERAS, photo } from '../helpers/photo-metadata';
import { startS3Emulator } from '../helpers/s3-emulator';
import { startTestApp, type TestApp } from '../helpers/test-app';

/*
 * `npm run metadata:backfill` (src/cli/metadata-backfill.ts, run as a process): images stored
 * before the reader read lens and exposure get them from their originals, and a missing ThumbHash,
 * in id order; a run stopped part way goes on where it stopped; on disk and on S3.
 */

let t: TestApp;
let owner: TestUser;
let galleryId: number;

beforeAll(async () => {
  t = await startTestApp();
  owner = (await createCast(t)).owner;
  galleryId = (await createGallery(t, owner)).id;
});
afterAll(async () => {
  await t.close();
});

const CLEARED = { lensModel: null, focalLength: null, fNumber: null, exposureTime: null, iso: null, thumbhash: null };

/** Runs the CLI to its end: its exit code, its report (stdout, JSON) and its progress (stderr). */
function backfill(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/metadata-backfill.ts', ...args], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: t.config.databaseUrl,
      UPLOAD_DIR: t.uploadDir,
      LOG_LEVEL: 'silent',
      ...env,
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise<{ code: number | null; report: Record<string, unknown>; progress: string }>((resolve) => {
    child.on('close', (code) =>
      resolve({ code, report: out ? (JSON.parse(out) as Record<string, unknown>) : {}, progress: err }),
    );
  });
}

/** Uploads the three camera fixtures, then makes their rows look stored before: columns cleared, version 0. */
async function storedBefore(salt: number): Promise<number[]> {
  const ids: number[] = [];
  for (const [n, camera] of Object.values(CAMERAS).entries()) {
    const bytes = await photo({ exif: camera.exif, width: 50 + salt * 3 + n });
    const res = await request(t.app)
      .post('/api/gallery/images/')
      .set(owner.auth)
      .field('title', `old ${n}`)
      .field('gallery', String(galleryId))
      .attach('image', bytes, { filename: 'old.jpg', contentType: 'image/jpeg' })
      .expect(201);
    ids.push(res.body.id as number);
  }
  await t.db.image.updateMany({ where: { id: { in: ids } }, data: { ...CLEARED, metadataVersion: 0 } });
  return ids;
}

/** Where the disk storage keeps an original. */
const originalPath = (key: string) => join(t.uploadDir, 'images', key.slice(0, 2), key);

async function rowsOf(ids: number[]) {
  return t.db.image.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
}

describe('metadata backfill', () => {
  it('fills the columns and ThumbHash of images stored before, in id order, and resumes where it stopped', async () => {
    const ids = await storedBefore(1);
    const before = await rowsOf(ids);
    // A run of one row: the first image only.
    const first = await backfill(['--limit', '1', '--batch-size', '1']);
    expect(first.code).toBe(0);
    expect(first.report).toMatchObject({ updated: 1, thumbhashes: 1, failed: [], left: 2 });
    expect(first.progress).toContain(`1 images read (last id ${ids[0]})`);
    let rows = await rowsOf(ids);
    expect(rows.map((row) => row.metadataVersion)).toEqual([1, 0, 0]);
    expect(rows[0]).toMatchObject(CAMERAS.canon.read);
    expect(rows[1]).toMatchObject(CLEARED);
    // The next run goes on with the other two, in batches of two.
    const rest = await backfill(['--batch-size', '2']);
    expect(rest.report).toMatchObject({ updated: 2, thumbhashes: 2, failed: [], left: 0 });
    rows = await rowsOf(ids);
    expect(rows.map((row) => row.metadataVersion)).toEqual([1, 1, 1]);
    Object.values(CAMERAS).forEach((camera, n) => {
      expect(rows[n]).toMatchObject(camera.read);
      expect(rows[n].thumbhash).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(rows[n].title).toBe(before[n].title);
      expect(rows[n].updatedAt.getTime()).toBeGreaterThan(before[n].updatedAt.getTime());
    });
    // The replies carry them, and a run with nothing left to do changes nothing.
    const one = await request(t.app).get(`/api/gallery/images/${ids[2]}/`).set(owner.auth).expect(200);
    expect(one.body).toMatchObject(CAMERAS.apple.read);
    expect((await backfill([])).report).toMatchObject({ updated: 0, left: 0 });
  });

  it('leaves a row whose original is missing for a later run, reports it, and exits 2', async () => {
    const ids = await storedBefore(2);
    const [missing] = await rowsOf([ids[1]]);
    const path = originalPath(missing.storageKey);
    const saved = readFileSync(path);
    rmSync(path);
    const run = await backfill([]);
    expect(run.code).toBe(2);
    expect(run.report).toMatchObject({ updated: 2, left: 1, failed: [{ id: ids[1] }] });
    expect((await rowsOf([ids[1]]))[0]).toMatchObject({ ...CLEARED, metadataVersion: 0 });
    // Once the file is back, the next run reads it.
    writeFileSync(path, saved);
    expect((await backfill([])).report).toMatchObject({ updated: 1, left: 0, failed: [] });
    expect((await rowsOf([ids[1]]))[0]).toMatchObject(CAMERAS.nikon.read);
  });

  it('reads the originals from S3 storage', async () => {
    const ids = await storedBefore(3);
    const s3 = await startS3Emulator();
    try {
      const storage = await openStorage(
        loadConfig({ NODE_ENV: 'test', DATABASE_URL: t.config.databaseUrl, UPLOAD_DIR: t.uploadDir, ...s3.env }),
      );
      for (const row of await rowsOf(ids)) {
        const local = originalPath(row.storageKey);
        const copy = `${local}.to-s3`;
        copyFileSync(local, copy);
        await storage.put(row.storageKey, copy);
        rmSync(local);
      }
      storage.close?.();
      const run = await backfill([], s3.env);
      expect(run.progress).not.toMatch(/error/i);
      expect(run.report).toMatchObject({ updated: 3, thumbhashes: 3, failed: [], left: 0 });
      const rows = await rowsOf(ids);
      Object.values(CAMERAS).forEach((camera, n) => expect(rows[n]).toMatchObject(camera.read));
    } finally {
      await s3.stop();
    }
  });
});
