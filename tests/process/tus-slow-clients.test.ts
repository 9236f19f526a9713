import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
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
import { testDbKind } from '../helpers/test-env';
import { createUpload, offsetOf, openPatch, patchUpload } from '../helpers/tus-client';

/**
 * Slow and broken clients against the server as shipped: thousands of half-open requests do not
 * keep /health from answering and are closed once HEADERS_TIMEOUT_SECONDS pass; a client that
 * sends its head a byte at a time is cut at the same limit; a body that stops coming
 * (UPLOAD_STALL_SECONDS) is cut — a multipart upload's temp file goes, a resumable upload keeps
 * what arrived and can be resumed at once. None of it depends on the database: this file runs once,
 * with the SQLite pass.
 */
jest.setTimeout(120_000);

/** A busy machine may take long to start a server (two at once, beside other tests). */
const SLOW_START = { timeoutMs: 60_000 };

const suite = testDbKind() === 'sqlite' ? describe : describe.skip;

const HALF_OPEN = 3000;
let world: Awaited<ReturnType<typeof prepareWorld>>;
let server: ServerProcess;
let auth: Record<string, string>;

beforeAll(async () => {
  if (testDbKind() !== 'sqlite') return;
  world = await prepareWorld();
  server = await startServer({ ...world.env, HEADERS_TIMEOUT_SECONDS: '2', UPLOAD_STALL_SECONDS: '1' }, SLOW_START);
  auth = await login(server.url, world.credentials);
});
afterAll(async () => {
  await stopAllServers();
  await world?.close();
});

const port = () => Number(new URL(server.url).port);

/** A connection to the server; `closed` resolves when the server (or anyone) ends it. */
function open(): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((done, fail) => {
    const socket = connect(port(), '127.0.0.1');
    const closed = new Promise<number>((ended) => socket.once('close', () => ended(Date.now())));
    socket.once('connect', () => done({ socket, closed }));
    socket.once('error', fail);
    socket.on('error', () => undefined);
    socket.resume();
  });
}

const tempFiles = () => readdirSync(join(world.uploadDir, 'tmp'));

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

suite('slow and broken clients', () => {
  it(`answers /health while ${HALF_OPEN} half-open requests wait, and closes them after HEADERS_TIMEOUT_SECONDS`, async () => {
    const connections: Awaited<ReturnType<typeof open>>[] = [];
    for (let batch = 0; batch < HALF_OPEN / 250; batch += 1) {
      const opened = await Promise.all(Array.from({ length: 250 }, () => open()));
      for (const { socket } of opened) socket.write('POST /api/uploads/ HTTP/1.1\r\nHost: gallery.test\r\nX-Slow: ');
      connections.push(...opened);
    }
    const startedAt = Date.now();
    const [health, ms] = await timed(() => send(server.url, { path: '/health' }));
    expect(health.status).toBe(200);
    expect(ms).toBeLessThan(2000);

    const closedAt = await Promise.all(connections.map(({ closed }) => closed));
    const longest = Math.max(...closedAt) - startedAt;
    console.log(
      `slow clients: ${HALF_OPEN} half-open requests, /health in ${ms.toFixed(0)} ms, all closed within ${longest} ms`,
    );
    expect(longest).toBeLessThan(10_000); // HEADERS_TIMEOUT_SECONDS=2, checked every second
    expect((await send(server.url, { path: '/health' })).status).toBe(200);
  });

  it('cuts a client that sends its head a byte at a time once HEADERS_TIMEOUT_SECONDS pass', async () => {
    const { socket, closed } = await open();
    const head = 'GET /health HTTP/1.1\r\nHost: gallery.test\r\nX-Drip: ' + 'a'.repeat(1000);
    let sent = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed && sent < head.length) socket.write(head[sent++]);
    }, 100);
    const started = Date.now();
    await closed;
    clearInterval(drip);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(sent).toBeLessThan(head.length);
  });

  it('cuts a multipart upload whose body stops coming, and removes its temp file', async () => {
    const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: 'teal' } })
      .jpeg()
      .toBuffer();
    const form = multipart({ title: 'Stalled', gallery: String(world.galleryId) }, photo);
    const { socket, closed } = await open();
    socket.write(
      `POST /api/gallery/images/ HTTP/1.1\r\nHost: gallery.test\r\nAuthorization: ${auth.Authorization}\r\n` +
        `Content-Type: ${form.contentType}\r\nContent-Length: ${form.body.length}\r\n\r\n`,
    );
    // A byte now and then until the server writes the upload's temp file, then nothing more.
    let sent = form.head.length + 1000;
    socket.write(form.body.subarray(0, sent));
    for (let waited = 0; !tempFiles().some((name) => name.endsWith('.upload')) && waited < 10_000; waited += 200) {
      await new Promise((done) => setTimeout(done, 200));
      socket.write(form.body.subarray(sent, ++sent));
    }
    expect(tempFiles().filter((name) => name.endsWith('.upload'))).toHaveLength(1);
    const started = Date.now();
    await closed;
    expect(Date.now() - started).toBeLessThan(4000);
    await server.waitForLog('request body stalled: connection cut');
    await new Promise((done) => setTimeout(done, 200));
    expect(tempFiles()).toEqual([]);
    expect(await world.db.image.count({ where: { title: 'Stalled' } })).toBe(0);
  });

  it('cuts a tus PATCH whose body stops coming; the upload keeps what arrived and resumes at once', async () => {
    const photo = await sharp({ create: { width: 600, height: 400, channels: 3, background: 'navy' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const path = await createUpload(server.url, auth, photo.length, { gallery: world.galleryId, title: 'Resumed' });
    const stalled = openPatch(server.url, auth, path, 0, photo.length);
    stalled.replied.catch(() => undefined);
    await stalled.write(photo.subarray(0, 100_000));
    const started = Date.now();
    await stalled.replied.then(
      () => undefined,
      () => undefined,
    );
    expect(Date.now() - started).toBeLessThan(4000);
    // Its lease went with it: the next PATCH is not refused.
    const lease = () => world.db.resumableUpload.findUniqueOrThrow({ where: { id: path.slice(-32) } });
    for (let tries = 0; (await lease()).lockHolder !== null && tries < 100; tries += 1)
      await new Promise((done) => setTimeout(done, 20));
    expect((await lease()).lockHolder).toBeNull();
    expect(await offsetOf(server.url, auth, path)).toBe(100_000);
    const rest = await patchUpload(server.url, auth, path, 100_000, photo.subarray(100_000));
    expect(rest.status).toBe(201);
    expect(rest.json()).toMatchObject({ title: 'Resumed', size: photo.length });
  });
});
