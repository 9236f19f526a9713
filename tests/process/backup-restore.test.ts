import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import bcrypt from 'bcrypt';
import { Client } from 'pg';
import sharp from 'sharp';

import { restoreBackup, RestoreRefused } from '../../src/app/backup/restore';
import { takeBackup } from '../../src/app/backup/take-backup';
import { ensureRoles } from '../../src/features/roles';
import { openDatabase } from '../../src/platform/db/client';
import { deployMigrations, loadMigrations } from '../../src/platform/db/migrate';
import { loadConfig } from '../../src/shared/config';
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
import { freshDatabase } from '../helpers/test-app';
import { postgresBaseUrl, testDbKind, withDatabase } from '../helpers/test-env';

/*
 * `npm run backup`, `restore` and `verify` as shipped (dist/cli/*.js; the sources in the fast loop)
 * against real server processes: a backup under upload and delete load restored into a fresh
 * instance, a crash-left upload, a non-empty target, damaged and missing files, S3 both ways.
 */
jest.setTimeout(90_000);

const ROOT = resolve(__dirname, '../..');
const cli = (name: string) =>
  process.env.TEST_FAST === '1'
    ? [process.execPath, '--import', 'tsx', `src/cli/${name}.ts`]
    : [process.execPath, `dist/cli/${name}.js`];

type Run = { code: number | null; stdout: string; stderr: string };

function run(name: 'backup' | 'restore' | 'verify', args: string[], env: Record<string, string>): Promise<Run> {
  const [command, ...rest] = cli(name);
  const child = spawn(command, [...rest, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let colour = 0;
/** A small JPEG of noise: other bytes on every call. */
function jpeg(): Promise<Buffer> {
  colour += 1;
  return sharp({
    create: {
      width: 96,
      height: 64,
      channels: 3,
      background: { r: colour % 256, g: 80, b: 160 },
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .jpeg()
    .toBuffer();
}

type World = Awaited<ReturnType<typeof prepareWorld>>;
let world: World;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  world = await prepareWorld();
});
afterEach(async () => {
  await stopAllServers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await world.close();
});

/** A new folder under the test's temp dir. */
function folder(name: string): string {
  const path = join(process.env.TEST_TMP_DIR!, `${name}-${randomUUID().slice(0, 8)}`);
  cleanups.push(() => rmSync(path, { recursive: true, force: true }));
  return path;
}

/** A fresh instance's settings: a new database (migrated, roles only) and an empty upload folder. */
async function freshTarget(extra: Record<string, string> = {}) {
  const dir = folder('target');
  mkdirSync(dir, { recursive: true });
  const database = await freshDatabase(dir);
  cleanups.push(() => database.drop());
  return { DATABASE_URL: database.url, UPLOAD_DIR: join(dir, 'uploads'), ...extra };
}

async function upload(server: ServerProcess, auth: Record<string, string>, bytes: Buffer) {
  const { contentType, body } = multipart({ title: 'backup test', gallery: String(world.galleryId) }, bytes);
  const reply = await send(server.url, {
    method: 'POST',
    path: '/api/gallery/images/',
    headers: { ...auth, 'Content-Type': contentType },
    body,
  });
  return { status: reply.status, id: reply.status === 201 ? (reply.json().id as number) : null };
}

/** More users with known passwords, so that every one of them can be tried on the restored server. */
async function addUsers(count: number) {
  const users = [world.credentials];
  for (let i = 0; i < count; i++) {
    const username = `member${i}${randomUUID().slice(0, 6)}`;
    const password = `password of ${username}`;
    await world.db.user.create({
      data: {
        username,
        usernameLower: username,
        email: `${username}@example.test`,
        emailLower: `${username}@example.test`,
        passwordHash: await bcrypt.hash(password, 4),
      },
    });
    users.push({ username, password });
  }
  return users;
}

type ManifestImage = { id: number; sha256: string; files: { key: string; sha256?: string }[] };
type Manifest = {
  counts: { users: number; galleries: number; images: number; files: number };
  storage: { files: string };
  images: ManifestImage[];
};
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;

/**
 * Every image of the manifest served by `server` with its original's, thumbnail's and preview's
 * SHA-256; those that were in the trash came back in it, and are restored from it first.
 */
async function expectServed(server: ServerProcess, auth: Record<string, string>, manifest: Manifest) {
  const trash = await send(server.url, { path: '/api/gallery/trash/?limit=200', headers: auth });
  const trashed = (JSON.parse(trash.body.toString()) as { type: string; id: number }[])
    .filter((entry) => entry.type === 'image')
    .map((entry) => entry.id);
  if (trashed.length > 0) {
    const restored = await send(server.url, {
      method: 'POST',
      path: '/api/gallery/trash/restore',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ images: trashed })),
    });
    expect(restored.status).toBe(200);
  }
  for (const image of manifest.images) {
    const sizes = ['original', 'thumb', 'preview'] as const;
    for (const [i, size] of sizes.entries()) {
      const reply = await send(server.url, {
        path: `/api/gallery/images/${image.id}/file/?size=${size}`,
        headers: auth,
      });
      expect(reply.status).toBe(200);
      expect(sha256(reply.body)).toBe(i === 0 ? image.sha256 : image.files[i].sha256);
    }
  }
  const page = await send(server.url, { path: `/api/gallery/images/?limit=200`, headers: auth });
  const ids = (JSON.parse(page.body.toString()) as { id: number }[]).map((image) => image.id).sort((a, b) => a - b);
  expect(ids).toEqual(manifest.images.map((image) => image.id).sort((a, b) => a - b));
}

/** Every file under `root` (relative), folders left out. */
function filesUnder(root: string, sub = ''): string[] {
  if (!existsSync(join(root, sub))) return [];
  return readdirSync(join(root, sub), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(root, join(sub, entry.name)) : [join(sub, entry.name)],
  );
}

describe('a backup taken while the server takes uploads and deletes', () => {
  it('restores into a fresh instance: every image with its SHA-256, every user signs in, counts equal', async () => {
    const users = await addUsers(3);
    const source = await startServer(world.env);
    const auth = await login(source.url, world.credentials);
    const before: number[] = [];
    for (let i = 0; i < 12; i++) before.push((await upload(source, auth, await jpeg())).id!);
    const pool = await Promise.all(Array.from({ length: 40 }, () => jpeg()));

    // Four uploaders and one deleter run until the backup has finished.
    let stop = false;
    const during: number[] = [];
    const uploader = async () => {
      while (!stop) {
        const { status, id } = await upload(source, auth, pool[Math.floor(Math.random() * pool.length)]);
        expect([200, 201]).toContain(status);
        if (id && !stop) during.push(id);
      }
    };
    const deleter = async () => {
      while (!stop && before.length > 6) {
        const id = before.pop()!;
        expect(
          (await send(source.url, { method: 'DELETE', path: `/api/gallery/images/${id}/`, headers: auth })).status,
        ).toBe(200);
        await new Promise((done) => setTimeout(done, 100));
      }
    };
    const load = Promise.all([uploader(), uploader(), uploader(), uploader(), deleter()]);
    await new Promise((done) => setTimeout(done, 300));
    const dir = join(folder('backup'), 'nightly');
    const backup = await run('backup', ['--to', dir], world.env);
    const uploadsDuringBackup = during.length;
    stop = true;
    await load;
    expect(backup).toMatchObject({ code: 0, stdout: expect.stringContaining('backup written to') });
    expect(uploadsDuringBackup).toBeGreaterThan(0);

    const manifest = manifestOf(dir);
    expect(manifest.counts.users).toBe(users.length);
    expect(manifest.counts.images).toBe(manifest.images.length);
    expect(manifest.counts.files).toBe(manifest.images.length * 3);
    // What was there before the backup began and not deleted is in it.
    const kept = new Set(manifest.images.map((image) => image.id));
    for (const id of before) expect(kept.has(id)).toBe(true);

    const target = await freshTarget();
    const restored = await run('restore', ['--from', dir, '--json'], target);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({
      users: manifest.counts.users,
      galleries: manifest.counts.galleries,
      images: manifest.counts.images,
      files: { copied: manifest.counts.files, kept: 0, removed: 0 },
    });
    expect(filesUnder(join(target.UPLOAD_DIR, 'tmp'))).toEqual([]);
    expect(filesUnder(join(target.UPLOAD_DIR, 'images'))).toHaveLength(manifest.counts.files);

    const server = await startServer(target);
    expect(server.logged('storage check')[0]).toMatchObject({ rolledForward: 0, tempRemoved: 0, stagedRemoved: 0 });
    for (const user of users) await login(server.url, user);
    await expectServed(server, await login(server.url, world.credentials), manifest);
  });
});

describe('a backup of a server a crash left with staged uploads', () => {
  it('holds the committed upload whose files were still staged, and restores without leftovers', async () => {
    // Killed with its files staged and no row, then (a younger leftover is kept at start) with its
    // row committed and its files still staged: both stay in tmp/, one note of staged files remains.
    for (const faultPoint of ['upload-staged', 'upload-committed']) {
      const crashing = await startServer({ ...world.env, FAULT_POINT: faultPoint });
      await expect(upload(crashing, await login(crashing.url, world.credentials), await jpeg())).rejects.toThrow();
      await crashing.exited;
    }
    expect(filesUnder(join(world.uploadDir, 'tmp'))).toHaveLength(6);
    expect(await world.db.stagedUpload.count()).toBe(1);
    expect(await world.db.image.count()).toBe(1);

    const dir = folder('backup');
    expect(await run('backup', ['--to', dir], world.env)).toMatchObject({ code: 0 });
    const manifest = manifestOf(dir);
    expect(manifest.images).toHaveLength(1);
    expect(filesUnder(join(dir, 'files'))).toHaveLength(3);

    const target = await freshTarget();
    const restored = await run('restore', ['--from', dir, '--json'], target);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ images: 1, forgotten: { stagedNotes: 1 } });
    expect(filesUnder(join(target.UPLOAD_DIR, 'tmp'))).toEqual([]);
    expect(filesUnder(join(target.UPLOAD_DIR, 'images'))).toHaveLength(3);
    const check = openDatabase(target.DATABASE_URL);
    cleanups.push(() => check.close());
    expect(await check.db.stagedUpload.count()).toBe(0);

    const restarted = await startServer(target);
    expect(restarted.logged('storage check')[0]).toMatchObject({ rolledForward: 0, tempRemoved: 0, stagedRemoved: 0 });
    await expectServed(restarted, await login(restarted.url, world.credentials), manifest);
    const audit = await restarted.waitForLog('storage audit');
    expect(audit).toMatchObject({ rowsWithoutFile: 0, filesWithoutRow: 0, damaged: 0 });
  });
});

describe('restore into a target that is not empty', () => {
  it('is refused without --force, touching nothing; with --force it replaces database and files', async () => {
    const server = await startServer(world.env);
    const auth = await login(server.url, world.credentials);
    for (let i = 0; i < 3; i++) expect((await upload(server, auth, await jpeg())).status).toBe(201);
    const dir = folder('backup');
    expect(await run('backup', ['--to', dir, '--copy'], world.env)).toMatchObject({ code: 0 });
    const later = await upload(server, auth, await jpeg());
    await server.stop();
    const filesBefore = filesUnder(world.uploadDir).sort();

    const refused = await run('restore', ['--from', dir], world.env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /restore refused: the target is not empty \(users: 1, galleries: 1, images: 4, stored files .*--force/s,
    );
    expect(await world.db.image.count()).toBe(4);
    expect(filesUnder(world.uploadDir).sort()).toEqual(filesBefore);

    const forced = await run('restore', ['--from', dir, '--force', '--json'], world.env);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ images: 3, files: { copied: 0, kept: 9, removed: 3 } });
    const reopened = openDatabase(world.env.DATABASE_URL);
    cleanups.push(() => reopened.close());
    expect(await reopened.db.image.findUnique({ where: { id: later.id! } })).toBeNull();
    expect(filesUnder(join(world.uploadDir, 'images'))).toHaveLength(9);
  });
});

describe('verify', () => {
  it('finds a flipped byte and a missing file, in the storage and in a backup; restore refuses a damaged backup', async () => {
    const server = await startServer(world.env);
    const auth = await login(server.url, world.credentials);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await upload(server, auth, await jpeg())).id!);
    expect(await run('verify', [], world.env)).toMatchObject({ code: 0 });

    const dir = folder('backup');
    expect(await run('backup', ['--to', dir, '--copy'], world.env)).toMatchObject({ code: 0 });
    expect(await run('verify', ['--backup', dir], world.env)).toMatchObject({ code: 0 });

    const rows = await world.db.image.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    const stored = (key: string) => join(world.uploadDir, 'images', key.slice(0, 2), key);
    const bytes = readFileSync(stored(rows[0].storageKey));
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(stored(rows[0].storageKey), bytes);
    unlinkSync(stored(rows[1].storageKey));
    const live = await run('verify', [], world.env);
    expect(live.code).toBe(2);
    expect(JSON.parse(live.stdout)).toMatchObject({ damaged: [rows[0].id], rowsWithoutFile: [rows[1].id] });

    // The backup made before is intact (copies); damage it the same way.
    const copy = (key: string) => join(dir, 'files', key.slice(0, 2), key);
    const copied = readFileSync(copy(rows[2].storageKey));
    copied[10] ^= 0x80;
    writeFileSync(copy(rows[2].storageKey), copied);
    const thumb = `${rows[0].storageKey.slice(0, 32)}.thumb.webp`;
    unlinkSync(copy(thumb));
    const checked = await run('verify', ['--backup', dir], world.env);
    expect(checked.code).toBe(2);
    expect(JSON.parse(checked.stdout)).toMatchObject({
      database: 'ok',
      damaged: [rows[2].storageKey],
      missing: [thumb],
    });
    const target = await freshTarget();
    const refused = await run('restore', ['--from', dir], target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/1 files missing and 1 damaged .*the database was not restored/);
    expect(filesUnder(join(target.UPLOAD_DIR, 'tmp'))).toEqual([]);
  });
});

describe('files gone between the snapshot and their copy', () => {
  it('an image deleted meanwhile: a new snapshot; an original missing with its row live: a loud failure', async () => {
    // Deleted for good (TRASH_DAYS=0): an image put in the trash keeps its files and is backed up.
    const server = await startServer({ ...world.env, TRASH_DAYS: '0' });
    const auth = await login(server.url, world.credentials);
    const ids: number[] = [];
    for (let i = 0; i < 4; i++) ids.push((await upload(server, auth, await jpeg())).id!);
    const config = loadConfig({ ...world.env, NODE_ENV: 'test' });

    const dir = folder('backup');
    const snapshots: number[] = [];
    const summary = await takeBackup(config, {
      to: dir,
      onSnapshot: async ({ attempt, images }) => {
        snapshots.push(images);
        if (attempt === 1) {
          const reply = await send(server.url, {
            method: 'DELETE',
            path: `/api/gallery/images/${ids[0]}/`,
            headers: auth,
          });
          expect(reply.status).toBe(200);
        }
      },
    });
    expect(snapshots).toEqual([4, 3]);
    expect(summary).toMatchObject({ attempts: 2, images: 3, files: 9 });
    expect(manifestOf(dir).images.map((image) => image.id)).toEqual(ids.slice(1));

    const row = await world.db.image.findUniqueOrThrow({ where: { id: ids[2] } });
    unlinkSync(join(world.uploadDir, 'images', row.storageKey.slice(0, 2), row.storageKey));
    const failedDir = folder('backup');
    await expect(takeBackup(config, { to: failedDir })).rejects.toThrow(
      new RegExp(`the original files of 1 images are missing from the storage \\(ids ${ids[2]}\\)`),
    );
    expect(readdirSync(failedDir)).toEqual([]);
  });
});

describe('on S3', () => {
  it('lists the bucket (restored over the same bucket) or takes its objects along (restored into a new one)', async () => {
    const [bucket, otherBucket] = await Promise.all([startS3Emulator(), startS3Emulator()]);
    cleanups.push(
      () => bucket.stop(),
      () => otherBucket.stop(),
    );
    const env = { ...world.env, ...bucket.env };
    const server = await startServer(env);
    const auth = await login(server.url, world.credentials);
    for (let i = 0; i < 3; i++) expect((await upload(server, auth, await jpeg())).status).toBe(201);

    const listed = folder('backup');
    expect(await run('backup', ['--to', listed], env)).toMatchObject({ code: 0 });
    const manifest = manifestOf(listed);
    expect(manifest.storage.files).toBe('listed');
    expect(existsSync(join(listed, 'files'))).toBe(false);
    for (const file of manifest.images.flatMap((image) => image.files))
      expect(file).toMatchObject({ etag: expect.any(String) });
    const sameBucket = await freshTarget(bucket.env);
    const overSame = await run('restore', ['--from', listed, '--json'], sameBucket);
    expect(overSame.code).toBe(0);
    expect(JSON.parse(overSame.stdout)).toMatchObject({ images: 3, files: { copied: 0, kept: 9 } });

    const full = folder('backup');
    expect(await run('backup', ['--to', full, '--with-files'], env)).toMatchObject({ code: 0 });
    expect(manifestOf(full).storage.files).toBe('included');
    expect(filesUnder(join(full, 'files'))).toHaveLength(9);
    const newBucket = await freshTarget(otherBucket.env);
    const intoNew = await run('restore', ['--from', full, '--json'], newBucket);
    expect(intoNew.code).toBe(0);
    expect(JSON.parse(intoNew.stdout)).toMatchObject({ images: 3, files: { copied: 9, kept: 0 } });
    await server.stop();
    const restored = await startServer(newBucket);
    await expectServed(restored, await login(restored.url, world.credentials), manifestOf(full));
  });
});

/** A database with no table at all: a new SQLite file, or a new PostgreSQL database. */
async function emptyDatabase(): Promise<string> {
  if (testDbKind() === 'sqlite') return `file:${join(folder('empty'), 'gallery.db')}`;
  const name = `gallery_empty_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new Client({ connectionString: postgresBaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const client = new Client({ connectionString: postgresBaseUrl() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
  return withDatabase(postgresBaseUrl(), name);
}

describe('versions', () => {
  it('a backup from before the last migration is brought up to date; one from a newer version is refused', async () => {
    // A server one migration behind, with a user.
    const olderUrl = await emptyDatabase();
    const migrations = loadMigrations(olderUrl);
    await deployMigrations(olderUrl, migrations.slice(0, -1));
    const older = openDatabase(olderUrl);
    cleanups.push(() => older.close());
    await ensureRoles(older.db);
    // In SQL: the ORM's client is made for the newest schema, which may have more columns.
    await older.db.$executeRaw`INSERT INTO "User" ("username", "usernameLower", "email", "emailLower", "passwordHash")
      VALUES ('old', 'old', 'old@example.test', 'old@example.test', 'x')`;
    const source = { DATABASE_URL: olderUrl, UPLOAD_DIR: join(folder('older'), 'uploads'), NODE_ENV: 'test' };
    const dir = folder('backup');
    await takeBackup(loadConfig(source), { to: dir });
    expect(manifestOf(dir)).toMatchObject({ database: { migration: migrations.at(-2)!.name } });

    const target = await freshTarget({ NODE_ENV: 'test' });
    target.DATABASE_URL = await emptyDatabase();
    const restored = await restoreBackup(loadConfig(target), { from: dir });
    expect(restored).toMatchObject({ users: 1, images: 0, database: { migrationsApplied: [migrations.at(-1)!.name] } });

    const newer = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      database: { migrations: string[] };
    };
    newer.database.migrations.push('29990101000000_from_the_future');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(newer));
    const other = await freshTarget({ NODE_ENV: 'test' });
    await expect(restoreBackup(loadConfig(other), { from: dir })).rejects.toThrow(RestoreRefused);
    await expect(restoreBackup(loadConfig(other), { from: dir })).rejects.toThrow(
      /newer version .*29990101000000_from_the_future/,
    );
  });
});
