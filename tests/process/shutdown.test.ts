import { request } from 'node:http';
import sharp from 'sharp';

import {
  login,
  multipart,
  prepareWorld,
  readReply,
  send,
  startServer,
  stopAllServers,
  type HttpReply,
  type ServerProcess,
} from '../helpers/server-process';

// The real server as a child process, stopped with SIGTERM while an upload is still arriving.
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

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A JPEG of noise, some hundreds of KB: enough bytes to send in slow pieces. */
function noiseJpeg(): Promise<Buffer> {
  return sharp({
    create: {
      width: 600,
      height: 400,
      channels: 3,
      background: '#000000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 95 })
    .toBuffer();
}

/**
 * An upload whose file is sent in `pieces` pieces `intervalMs` apart (the form's head at once):
 * with 10 pieces 150 ms apart, the body takes 1.5 s to arrive. Resolves with the reply; rejects
 * when the connection is cut.
 */
function slowUpload(
  server: ServerProcess,
  auth: Record<string, string>,
  file: Buffer,
  { pieces = 10, intervalMs = 150 } = {},
): Promise<HttpReply> {
  const { contentType, head, tail } = multipart(
    { title: 'slow upload', gallery: String(world.galleryId) },
    Buffer.alloc(0),
  );
  const length = head.length + file.length + tail.length;
  return new Promise((done, fail) => {
    const req = request(
      `${server.url}/api/gallery/images/`,
      { method: 'POST', headers: { ...auth, 'Content-Type': contentType, 'Content-Length': String(length) } },
      (res) => void readReply(res).then(done, fail),
    );
    req.on('error', fail);
    req.write(head);
    void (async () => {
      const size = Math.ceil(file.length / pieces);
      for (let start = 0; start < file.length; start += size) {
        await sleep(intervalMs);
        if (req.destroyed) return;
        req.write(file.subarray(start, start + size));
      }
      if (!req.destroyed) req.end(tail);
    })();
  });
}

describe('a server sent SIGTERM during an upload', () => {
  it('refuses new connections, lets the upload finish with its 201, then exits 0', async () => {
    const [server, jpeg] = await Promise.all([startServer(world.env), noiseJpeg()]);
    const auth = await login(server.url, world.credentials);
    const uploading = slowUpload(server, auth, jpeg);
    await sleep(400); // the request is in, its body a quarter sent

    server.kill('SIGTERM');
    const shuttingDown = await server.waitForLog('shutting down');
    expect(shuttingDown).toEqual(expect.objectContaining({ signal: 'SIGTERM', inFlight: 1, timeoutMs: 30_000 }));
    await expect(send(server.url, { path: '/health' })).rejects.toThrow(/ECONNREFUSED/);

    const reply = await uploading;
    const replied = Date.now();
    expect(reply.status).toBe(201);
    expect(reply.json()).toEqual(expect.objectContaining({ message: 'Image created successfully', size: jpeg.length }));
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // The reply closed its keep-alive connection: no wait for the client to hang up.
    expect(Date.now() - replied).toBeLessThan(2000);
    expect(server.logged('request')).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/api/gallery/images', status: 201 }),
    );
    expect(server.logged('shut down')).toHaveLength(1);
    expect(await world.db.image.count()).toBe(1);
  });

  it('past SHUTDOWN_TIMEOUT_MS, cuts the upload, says so, and exits 1', async () => {
    const [server, jpeg] = await Promise.all([startServer({ ...world.env, SHUTDOWN_TIMEOUT_MS: '300' }), noiseJpeg()]);
    const auth = await login(server.url, world.credentials);
    const uploading = slowUpload(server, auth, jpeg, { pieces: 20, intervalMs: 150 });
    await sleep(400);

    server.kill('SIGTERM');
    await expect(uploading).rejects.toThrow(/socket hang up|ECONNRESET|EPIPE/);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    const [cut] = server.logged('shutdown deadline passed: requests cut');
    expect(cut).toEqual(expect.objectContaining({ level: 'error', cut: 1, timeoutMs: 300 }));
    expect(server.stderr.join('\n')).toContain('requests cut');
    expect(await world.db.image.count()).toBe(0);
  });
});
