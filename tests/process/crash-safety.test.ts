import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';

import {
  login,
  multipart,
  prepareWorld,
  send,
  startServer,
  stopAllServers,
  type ServerProcess,
} from '../helpers/server-process';

// The real server as a child process, killed and started again: each test starts it once or twice.
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

/** After a crash: the start-up check repairs, and removes every leftover temp file whatever its age. */
const RECOVER = { RECONCILE_ON_START: 'repair', UPLOAD_TEMP_MAX_AGE_SECONDS: '0' };

/**
 * A JPEG of gaussian noise: large for its pixel count (4:4:4 chroma: about 2 bytes a pixel at
 * quality 95–100), and other bytes on every call (libvips draws new noise each time).
 */
function noiseJpeg(width: number, height: number, quality = 95): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .jpeg({ quality, chromaSubsampling: '4:4:4' })
    .toBuffer();
}

const MiB = 1024 * 1024;

/** Every file under `root/sub` (folders left out), relative to it; the folder itself must exist. */
function filesUnder(root: string, sub = ''): string[] {
  return readdirSync(join(root, sub), { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory()) return [entry.name];
    return filesUnder(join(root, sub), entry.name).map((name) => `${entry.name}/${name}`);
  });
}

/** The stored files (names only) of one image, as the storage keys them. */
const filesOf = (storageKey: string) => [
  storageKey,
  `${storageKey.slice(0, 32)}.thumb.webp`,
  `${storageKey.slice(0, 32)}.preview.webp`,
];

/**
 * The invariant a crash must never break: nothing in tmp/, every row has its original (the size
 * and SHA-256 of its bytes as recorded) and both variants under images/<first two>/, and no
 * stored file lacks a row. `uploadDir`: the folder as this process can see it.
 */
async function expectConsistent(uploadDir: string) {
  expect(filesUnder(uploadDir, 'tmp')).toEqual([]);
  const rows = await world.db.image.findMany({
    select: { id: true, storageKey: true, size: true, sha256: true, deleting: true },
  });
  const expected: string[] = [];
  for (const row of rows) {
    expect(row.deleting).toBe(false);
    const bytes = readFileSync(join(uploadDir, 'images', row.storageKey.slice(0, 2), row.storageKey));
    expect(bytes.length).toBe(row.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
    expected.push(...filesOf(row.storageKey).map((name) => `${name.slice(0, 2)}/${name}`));
  }
  expect(filesUnder(uploadDir, 'images').sort()).toEqual(expected.sort());
}

function upload(server: ServerProcess, auth: Record<string, string>, file: Buffer, galleryId = world.galleryId) {
  const { contentType, body } = multipart({ title: 'crash test', gallery: String(galleryId) }, file);
  return send(server.url, {
    method: 'POST',
    path: '/api/gallery/images/',
    headers: { ...auth, 'Content-Type': contentType },
    body,
  });
}

const CONNECTION_DIED = /socket hang up|ECONNRESET|EPIPE/;

describe('a server killed (kill -9) halfway through streaming a large upload', () => {
  it('leaves, after a restart, no row, no stored file and no temp file', async () => {
    const env = { ...world.env, ...RECOVER, MAX_UPLOAD_BYTES: String(64 * MiB) };
    const [server, jpeg] = await Promise.all([startServer(env), noiseJpeg(3600, 3000, 100)]);
    expect(jpeg.length).toBeGreaterThan(20 * MiB);
    expect(jpeg.length).toBeLessThan(30 * MiB);
    const auth = await login(server.url, world.credentials);

    // Send the head and the first 60% of the file, in 256 KiB chunks, and keep the request open.
    const { contentType, head, tail } = multipart({ title: 'big', gallery: String(world.galleryId) }, jpeg);
    const req = request(`${server.url}/api/gallery/images/`, {
      method: 'POST',
      headers: {
        ...auth,
        'Content-Type': contentType,
        'Content-Length': String(head.length + jpeg.length + tail.length),
      },
    });
    const failed = new Promise<Error>((done) => req.on('error', done));
    const answered = new Promise<number>((done) => req.on('response', (res) => done(res.statusCode ?? 0)));
    req.write(head);
    const sent = Math.floor(jpeg.length * 0.6);
    for (let at = 0; at < sent; at += 256 * 1024) req.write(jpeg.subarray(at, Math.min(at + 256 * 1024, sent)));

    // Wait until the server is writing the upload to its temp file and the file has grown past
    // 8 MiB, then kill the server on the spot, mid-stream.
    const tmp = join(world.uploadDir, 'tmp');
    const uploadSize = () => {
      const names = readdirSync(tmp).filter((name) => name.endsWith('.upload'));
      return names.length === 1 ? statSync(join(tmp, names[0])).size : 0;
    };
    const deadline = Date.now() + 15_000;
    while (uploadSize() <= 8 * MiB && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const sizeAtKill = uploadSize();
    server.kill('SIGKILL');
    expect(sizeAtKill).toBeGreaterThan(8 * MiB);
    expect(sizeAtKill).toBeLessThan(jpeg.length);
    expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await failed).message).toMatch(CONNECTION_DIED);
    await expect(Promise.race([answered, Promise.resolve('no answer')])).resolves.toBe('no answer');

    // The crash left its partial temp file behind, and nothing else.
    expect(filesUnder(world.uploadDir)).toEqual([expect.stringMatching(/^tmp\/[0-9a-f-]{36}\.upload$/)]);

    const restarted = await startServer(env);
    const [check] = restarted.logged('storage check');
    expect(check).toMatchObject({ tempRemoved: 1, rolledForward: 0, filesWithoutRow: 0, rowsWithoutFile: 0 });
    expect(await world.db.image.count()).toBe(0);
    expect(filesUnder(world.uploadDir)).toEqual([]);
    await expectConsistent(world.uploadDir);
  });
});

describe('a server killed at each step of the upload protocol (FAULT_POINT)', () => {
  it.each([
    // What the crash leaves, what the start-up check reports, and the rows after it.
    {
      faultPoint: 'upload-staged',
      when: 'files staged, no row',
      rows: 0,
      staged: true,
      stored: false,
      check: { tempRemoved: 3, rolledForward: 0 },
    },
    {
      faultPoint: 'upload-committed',
      when: 'row committed, files still staged',
      rows: 1,
      staged: true,
      stored: false,
      check: { tempRemoved: 0, rolledForward: 3 },
    },
    {
      faultPoint: 'upload-stored',
      when: 'files in place, no reply yet',
      rows: 1,
      staged: false,
      stored: true,
      check: { tempRemoved: 0, rolledForward: 0 },
    },
  ] as const)(
    '$faultPoint ($when): after a restart every row has its files and no file lacks a row',
    async ({ faultPoint, rows, staged, stored, check }) => {
      const [crashing, jpeg] = await Promise.all([
        startServer({ ...world.env, FAULT_POINT: faultPoint }),
        noiseJpeg(600, 400),
      ]);
      const auth = await login(crashing.url, world.credentials);
      await expect(upload(crashing, auth, jpeg)).rejects.toThrow(CONNECTION_DIED);
      expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });

      // The crash happened where it was asked for: the row and the files are as that step leaves them.
      const row = await world.db.image.findFirst();
      expect(row ? 1 : 0).toBe(rows);
      const stagedNames = filesUnder(world.uploadDir, 'tmp');
      expect(stagedNames).toHaveLength(staged ? 3 : 0);
      if (staged) {
        const stem = stagedNames[0].slice(0, 32);
        expect(stagedNames.sort()).toEqual(filesOf(stagedNames.find((name) => !name.includes('.webp'))!).sort());
        if (row) expect(row.storageKey.slice(0, 32)).toBe(stem);
      }
      expect(filesUnder(world.uploadDir, 'images')).toHaveLength(stored ? 3 : 0);

      const server = await startServer({ ...world.env, ...RECOVER });
      expect(server.logged('storage check')[0]).toMatchObject({
        ...check,
        deletionsFinished: 0,
        rowsWithoutFile: 0,
        filesWithoutRow: 0,
        damaged: 0,
      });
      expect(await world.db.image.count()).toBe(rows);
      await expectConsistent(world.uploadDir);
      if (row) {
        // The upload survived the crash whole: the very bytes are served, and the variants.
        const file = await send(server.url, {
          path: `/api/gallery/images/${row.id}/file/?size=original`,
          headers: auth,
        });
        expect(file.status).toBe(200);
        expect(Buffer.compare(file.body, jpeg)).toBe(0);
        const thumb = await send(server.url, { path: `/api/gallery/images/${row.id}/file/?size=thumb`, headers: auth });
        expect(thumb.status).toBe(200);
        expect((await sharp(thumb.body).metadata()).format).toBe('webp');
        // Sending the same bytes again is recognised as the same image.
        const again = await upload(server, auth, jpeg);
        expect(again.status).toBe(200);
        expect(again.json().id).toBe(row.id);
      } else {
        // Nothing of the lost upload is left, so it can be sent again.
        expect((await upload(server, auth, jpeg)).status).toBe(201);
      }
      await expectConsistent(world.uploadDir);
    },
  );

  it('delete-marked: a delete killed after marking the row is finished at restart', async () => {
    const first = await startServer(world.env);
    const auth = await login(first.url, world.credentials);
    const [keep, doomed] = [
      await upload(first, auth, await noiseJpeg(300, 200)),
      await upload(first, auth, await noiseJpeg(300, 200)),
    ];
    expect([keep.status, doomed.status]).toEqual([201, 201]);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    // TRASH_DAYS=0: the delete for good, whose steps the trash's purge takes too (trash-purge.test.ts).
    const crashing = await startServer({ ...world.env, TRASH_DAYS: '0', FAULT_POINT: 'delete-marked' });
    const id = doomed.json().id as number;
    await expect(
      send(crashing.url, { method: 'DELETE', path: `/api/gallery/images/${id}/`, headers: auth }),
    ).rejects.toThrow(CONNECTION_DIED);
    expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Killed between marking the row and removing the files: both images' files are still there.
    const marked = await world.db.image.findUniqueOrThrow({ where: { id } });
    expect(marked.deleting).toBe(true);
    expect(filesUnder(world.uploadDir, 'images')).toHaveLength(6);

    const server = await startServer({ ...world.env, ...RECOVER });
    expect(server.logged('storage check')[0]).toMatchObject({
      deletionsFinished: 1,
      tempRemoved: 0,
      rowsWithoutFile: 0,
      filesWithoutRow: 0,
    });
    expect(await world.db.image.findUnique({ where: { id } })).toBeNull();
    expect(await world.db.image.count()).toBe(1);
    for (const name of filesOf(marked.storageKey))
      expect(existsSync(join(world.uploadDir, 'images', name.slice(0, 2), name))).toBe(false);
    await expectConsistent(world.uploadDir);
    expect((await send(server.url, { path: `/api/gallery/images/${id}/`, headers: auth })).status).toBe(404);
    expect(
      (
        await send(server.url, {
          path: `/api/gallery/images/${keep.json().id as number}/file/?size=original`,
          headers: auth,
        })
      ).status,
    ).toBe(200);
  });
});

describe('a server killed while a gallery is deleted', () => {
  it('gallery-delete-marked: the delete is finished at restart, the gallery and its images gone, the rest kept', async () => {
    const first = await startServer(world.env);
    const auth = await login(first.url, world.credentials);
    const created = await send(first.url, {
      method: 'POST',
      path: '/api/gallery/galleries/',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ name: 'Doomed' })),
    });
    const doomedGallery = created.json().id as number;
    const keep = await upload(first, auth, await noiseJpeg(300, 200));
    const doomed = [
      await upload(first, auth, await noiseJpeg(300, 200), doomedGallery),
      await upload(first, auth, await noiseJpeg(300, 200), doomedGallery),
    ];
    expect([keep.status, ...doomed.map((reply) => reply.status)]).toEqual([201, 201, 201]);
    expect(await first.stop()).toEqual({ code: 0, signal: null });

    const crashing = await startServer({ ...world.env, TRASH_DAYS: '0', FAULT_POINT: 'gallery-delete-marked' });
    await expect(
      send(crashing.url, { method: 'DELETE', path: `/api/gallery/galleries/${doomedGallery}/`, headers: auth }),
    ).rejects.toThrow(CONNECTION_DIED);
    expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // Killed after marking: the gallery and its images are hidden, every file is still there.
    expect(await world.db.gallery.findUniqueOrThrow({ where: { id: doomedGallery } })).toMatchObject({
      deleting: true,
    });
    expect(await world.db.image.count({ where: { galleryId: doomedGallery, deleting: true } })).toBe(2);
    expect(filesUnder(world.uploadDir, 'images')).toHaveLength(9);

    const server = await startServer(world.env);
    expect(server.logged('storage check')[0]).toMatchObject({ galleryDeletionsFinished: 1 });
    expect(await server.waitForLog('storage audit')).toMatchObject({
      rowsWithoutFile: 0,
      filesWithoutRow: 0,
      damaged: 0,
    });
    expect(await world.db.gallery.findUnique({ where: { id: doomedGallery } })).toBeNull();
    expect(await world.db.image.count()).toBe(1);
    await expectConsistent(world.uploadDir);
    expect((await send(server.url, { path: `/api/gallery/galleries/${doomedGallery}/`, headers: auth })).status).toBe(
      404,
    );
    expect(
      (
        await send(server.url, {
          path: `/api/gallery/images/${keep.json().id as number}/file/?size=original`,
          headers: auth,
        })
      ).status,
    ).toBe(200);
  });
});

describe('a server killed while an image gets a new file', () => {
  it.each(['upload-committed', 'upload-stored'] as const)(
    '%s: after restart the image has its new file and the old files are gone',
    async (faultPoint) => {
      const first = await startServer(world.env);
      const auth = await login(first.url, world.credentials);
      const created = await upload(first, auth, await noiseJpeg(300, 200));
      expect(created.status).toBe(201);
      const id = created.json().id as number;
      const oldKey = (await world.db.image.findUniqueOrThrow({ where: { id } })).storageKey;
      expect(await first.stop()).toEqual({ code: 0, signal: null });

      const crashing = await startServer({ ...world.env, FAULT_POINT: faultPoint });
      const replacement = await noiseJpeg(320, 240);
      const { contentType, body } = multipart({}, replacement);
      await expect(
        send(crashing.url, {
          method: 'PUT',
          path: `/api/gallery/images/${id}/`,
          headers: { ...auth, 'Content-Type': contentType },
          body,
        }),
      ).rejects.toThrow(CONNECTION_DIED);
      expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // The change is committed with a note that the old files are to go; they are still there.
      expect((await world.db.image.findUniqueOrThrow({ where: { id } })).storageKey).not.toBe(oldKey);
      expect(await world.db.pendingFileRemoval.count()).toBe(1);
      expect(existsSync(join(world.uploadDir, 'images', oldKey.slice(0, 2), oldKey))).toBe(true);

      // The default check (report) is enough: removing noted files needs no decision.
      const server = await startServer({ ...world.env, UPLOAD_TEMP_MAX_AGE_SECONDS: '0' });
      expect(server.logged('storage check')[0]).toMatchObject({ replacedFilesRemoved: 1 });
      expect(await server.waitForLog('storage audit')).toMatchObject({
        rowsWithoutFile: 0,
        filesWithoutRow: 0,
        damaged: 0,
      });
      expect(await world.db.pendingFileRemoval.count()).toBe(0);
      await expectConsistent(world.uploadDir);
      const file = await send(server.url, { path: `/api/gallery/images/${id}/file/?size=original`, headers: auth });
      expect(Buffer.compare(file.body, replacement)).toBe(0);
    },
  );
});

describe('a full disk', () => {
  const TMPFS_MAGIC = 0x01021994;

  it('answers 507 (while streaming the upload, and while staging its variants), leaves no partial file and no row, and goes on serving', async () => {
    // The upload folder is a 3 MiB tmpfs, mounted in a user and mount namespace of the server's
    // own: only the server (and /proc/<its pid>/root) sees it.
    const [server, big, fits, small] = await Promise.all([
      startServer(
        { ...world.env, MAX_UPLOAD_BYTES: String(32 * MiB) },
        {
          wrap: [
            'unshare',
            '--user',
            '--map-root-user',
            '--mount',
            'sh',
            '-c',
            'mount -t tmpfs -o size=3m tmpfs "$UPLOAD_DIR" && exec "$@"',
            'sh',
          ],
        },
      ),
      noiseJpeg(1600, 1400, 100),
      noiseJpeg(1400, 1200),
      noiseJpeg(200, 150),
    ]);
    const seen = `/proc/${server.pid}/root${world.uploadDir}`;
    const disk = statfsSync(seen);
    expect(disk.type).toBe(TMPFS_MAGIC);
    expect(disk.blocks * disk.bsize).toBe(3 * MiB);
    expect(readdirSync(seen).sort()).toEqual(['images', 'resumable', 'tmp']);
    expect(filesUnder(seen)).toEqual([]);
    const auth = await login(server.url, world.credentials);

    // Larger than the whole disk: the temp file fills it while streaming.
    expect(big.length).toBeGreaterThan(4.5 * MiB);
    const full = await upload(server, auth, big);
    expect(full.status).toBe(507);
    expect(full.json()).toEqual({
      message: 'The server has no room left to store this file.',
      code: 'INSUFFICIENT_STORAGE',
    });
    expect(await world.db.image.count()).toBe(0);
    expect(filesUnder(seen)).toEqual([]);

    // Fits as a temp file, but its preview does not fit beside it: the staging write fails.
    expect(fits.length).toBeGreaterThan(2.3 * MiB);
    expect(fits.length).toBeLessThan(2.9 * MiB);
    const staging = await upload(server, auth, fits);
    expect(staging.status).toBe(507);
    expect(staging.json().code).toBe('INSUFFICIENT_STORAGE');
    expect(await world.db.image.count()).toBe(0);
    expect(filesUnder(seen)).toEqual([]);

    // Both reached the error handler as the file system's own ENOSPC error (multer passes its
    // storage engine's error on as it is): the first from the temp file's write stream, the
    // second from writing a staged variant.
    const failures = server.logged('request failed').map((failure) => String(failure.error));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatch(/^Error: ENOSPC: no space left on device, write/);
    expect(failures[0]).not.toMatch(/stage/);
    expect(failures[1]).toMatch(/^Error: ENOSPC: no space left on device, write/);
    expect(failures[1]).toMatch(/stageBytes/);

    // And the server goes on: it lists, and it stores what fits.
    const list = await send(server.url, { path: '/api/gallery/images/', headers: auth });
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body.toString())).toEqual([]);
    const created = await upload(server, auth, small);
    expect(created.status).toBe(201);
    const file = await send(server.url, {
      path: `/api/gallery/images/${created.json().id as number}/file/?size=original`,
      headers: auth,
    });
    expect(Buffer.compare(file.body, small)).toBe(0);
    await expectConsistent(seen);
    // The files are on the tmpfs, not in the folder under it.
    expect(filesUnder(seen, 'images')).toHaveLength(3);
    expect(filesUnder(world.uploadDir)).toEqual([]);
  });
});
