import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { login, multipart, prepareWorld, send, startServer, stopAllServers, type ServerProcess } from '../helpers/server-process';

// Each test starts the real server as a child process, often twice: allow for that.
jest.setTimeout(90_000);

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

let noiseSeed = 0;
/** A JPEG of random noise: large for its size, and different every time. */
async function noiseJpeg(width: number, height: number, quality = 90): Promise<Buffer> {
  noiseSeed += 1;
  const noise = await sharp({ create: { width, height, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 100 + (noiseSeed % 50), sigma: 40 } } })
    .raw()
    .toBuffer();
  return sharp(noise, { raw: { width, height, channels: 3 } }).jpeg({ quality, chromaSubsampling: '4:4:4' }).toBuffer();
}

function filesUnder(root: string, prefix = ''): string[] {
  if (!existsSync(join(root, prefix))) return [];
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(root, relative) : [relative];
  });
}

/**
 * The invariant a crash must never break: nothing in tmp/, every row has its original (same size
 * and SHA-256 as recorded) and both variants, and no stored file lacks a row.
 */
async function expectConsistent(uploadDir: string) {
  const rows = await world.db.image.findMany({ select: { storageKey: true, size: true, sha256: true, deletedAt: true } });
  expect(filesUnder(uploadDir, 'tmp')).toEqual([]);
  const expected: string[] = [];
  for (const row of rows) {
    expect(row.deletedAt).toBeNull();
    const stem = row.storageKey.slice(0, 32);
    const original = join(uploadDir, 'images', stem.slice(0, 2), row.storageKey);
    expect(statSync(original).size).toBe(row.size);
    expect(createHash('sha256').update(readFileSync(original)).digest('hex')).toBe(row.sha256);
    expected.push(row.storageKey, `${stem}.thumb.webp`, `${stem}.preview.webp`);
  }
  const stored = filesUnder(join(uploadDir, 'images')).map((path) => path.split('/').pop()!);
  expect(stored.sort()).toEqual(expected.sort());
}

function upload(server: ServerProcess, auth: Record<string, string>, file: Buffer) {
  const { contentType, body } = multipart({ title: 'crash test', gallery: String(world.galleryId) }, file);
  return send(server.url, { method: 'POST', path: '/api/gallery/images/', headers: { ...auth, 'Content-Type': contentType }, body });
}

describe('a server killed (kill -9) halfway through streaming a large upload', () => {
  it('leaves, after a restart, no row, no file and no temp file', async () => {
    const env = { ...world.env, ...RECOVER, MAX_UPLOAD_BYTES: String(64 * 1024 * 1024) };
    const server = await startServer(env);
    const auth = await login(server.url, world.credentials);
    const jpeg = await noiseJpeg(2400, 2000, 100);
    const { contentType, head, tail } = multipart({ title: 'big', gallery: String(world.galleryId) }, jpeg);
    const req = request(`${server.url}/api/gallery/images/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': contentType, 'Content-Length': String(head.length + jpeg.length + tail.length) },
    });
    const failed = new Promise<Error>((done) => req.on('error', done));
    req.write(head);
    req.write(jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    // Wait until the server is writing the upload to its temp file, then kill it on the spot.
    const tmp = join(world.uploadDir, 'tmp');
    const deadline = Date.now() + 10_000;
    const growing = () => filesUnder(tmp).some((name) => name.endsWith('.upload') && statSync(join(tmp, name)).size > 1024 * 1024);
    while (!growing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(growing()).toBe(true);
    process.kill(server.pid, 'SIGKILL');
    expect((await server.exited).signal).toBe('SIGKILL');
    await failed;

    const restarted = await startServer(env);
    const [check] = restarted.logged('storage check');
    expect(check.tempRemoved).toBeGreaterThanOrEqual(1);
    expect(await world.db.image.count()).toBe(0);
    expect(filesUnder(world.uploadDir)).toEqual([]);
    await expectConsistent(world.uploadDir);
  });
});

describe('a server killed at each step of the upload protocol (FAULT_POINT)', () => {
  it.each([
    ['upload-staged', 'before the row is written', 0],
    ['upload-committed', 'after the row is committed, before the files are moved into place', 1],
    ['upload-stored', 'after the files are in place, before the reply', 1],
  ] as const)('%s (%s): after restart every row has its files and no file lacks a row', async (faultPoint, _when, rowsAfter) => {
    const crashing = await startServer({ ...world.env, FAULT_POINT: faultPoint });
    const auth = await login(crashing.url, world.credentials);
    const jpeg = await noiseJpeg(600, 400);
    await expect(upload(crashing, auth, jpeg)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await crashing.exited).signal).toBe('SIGKILL');

    const server = await startServer({ ...world.env, ...RECOVER });
    const [check] = server.logged('storage check');
    expect(check.rolledForward).toBe(faultPoint === 'upload-committed' ? 3 : 0);
    expect(await world.db.image.count()).toBe(rowsAfter);
    await expectConsistent(world.uploadDir);
    if (rowsAfter === 1) {
      // The upload survived the crash whole: the very bytes are served.
      const row = await world.db.image.findFirstOrThrow();
      const file = await send(server.url, { path: `/api/gallery/images/${row.id}/file/?size=original`, headers: auth });
      expect(file.status).toBe(200);
      expect(Buffer.compare(file.body, jpeg)).toBe(0);
      // And sending it again is recognised as the same image.
      expect((await upload(server, auth, jpeg)).status).toBe(200);
    } else {
      expect((await upload(server, auth, jpeg)).status).toBe(201);
    }
    await expectConsistent(world.uploadDir);
  });

  it('delete-marked: a delete killed after marking the row is finished at restart', async () => {
    const first = await startServer(world.env);
    const auth = await login(first.url, world.credentials);
    const created = await upload(first, auth, await noiseJpeg(300, 200));
    expect(created.status).toBe(201);
    await first.stop();

    const crashing = await startServer({ ...world.env, FAULT_POINT: 'delete-marked' });
    const id = created.json().id as number;
    await expect(send(crashing.url, { method: 'DELETE', path: `/api/gallery/images/${id}/`, headers: auth })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await crashing.exited).signal).toBe('SIGKILL');
    expect((await world.db.image.findUniqueOrThrow({ where: { id } })).deletedAt).not.toBeNull();

    const server = await startServer({ ...world.env, ...RECOVER });
    expect(server.logged('storage check')[0].deletionsFinished).toBe(1);
    expect(await world.db.image.count()).toBe(0);
    expect(filesUnder(join(world.uploadDir, 'images'))).toEqual([]);
    expect((await send(server.url, { path: `/api/gallery/images/${id}/`, headers: auth })).status).toBe(404);
  });
});

describe('a full disk', () => {
  it('answers 507, leaves no partial file and no row, and goes on serving', async () => {
    // The upload folder is a 3 MiB tmpfs, mounted in a user and mount namespace of the server's own.
    const server = await startServer(
      { ...world.env, MAX_UPLOAD_BYTES: String(32 * 1024 * 1024) },
      { prefix: ['unshare', '--user', '--map-root-user', '--mount'], shellSetup: `mount -t tmpfs -o size=3m tmpfs "${world.uploadDir}" && mkdir -p "${world.uploadDir}/tmp" "${world.uploadDir}/images"` },
    );
    // The server's view of its upload folder (the tmpfs is invisible from here otherwise).
    const seen = `/proc/${server.pid}/root${world.uploadDir}`;
    const auth = await login(server.url, world.credentials);
    const big = await noiseJpeg(1600, 1400, 100);
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);

    const full = await upload(server, auth, big);
    expect(full.status).toBe(507);
    expect(full.json()).toEqual({ message: 'The server has no room left to store this file.', code: 'INSUFFICIENT_STORAGE' });
    expect(await world.db.image.count()).toBe(0);
    expect(filesUnder(seen)).toEqual([]);

    expect((await send(server.url, { path: '/api/gallery/images/', headers: auth })).status).toBe(200);
    const small = await upload(server, auth, await noiseJpeg(200, 150));
    expect(small.status).toBe(201);
    await expectConsistent(seen);
  });
});
