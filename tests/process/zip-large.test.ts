import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

import { login, prepareWorld, startServer, stopAllServers } from '../helpers/server-process';
import { testDbKind } from '../helpers/test-env';
import { readZip } from '../helpers/zip';

/**
 * A zip of more than 5 GB from the server as shipped: real image rows pointing at four large
 * files on disk (sparse: a random-looking head and tail around a run of zeros, so they take no
 * room), streamed through HTTP with the server's resident memory sampled all along. The archive
 * must be ZIP64 (offsets past 4 GiB), as long as announced, read by Python's zipfile with the last
 * file's CRC-32 and SHA-256 right, and the server's memory may grow by at most 64 MB. The storage
 * does not depend on the database: this file runs once, with the SQLite pass.
 */
jest.setTimeout(300_000);

const suite = testDbKind() === 'sqlite' ? describe : describe.skip;

const SIZE = 1_350_000_000;
const EDGE = 64 * 1024;
/**
 * The SHA-256 of each file below, worked out once (the files are made the same way on every run:
 * hashing 5.4 GB on each run would take longer than the rest of the test).
 */
const SHA256 = [
  '7a810936c3f93f73157ffd49d6d72b8c44f5dadc6fdf429c419f334803b5fe06',
  '2df11cc57af3a984d25ab98d11e1bb992afea4e2746a6db69c08c56319b5f55e',
  '39e07046be46f48a7e1113eb05923fa5bfdb73b8f8d77cc93b0625cb4a47b711',
  'e6afa073f6e8b2447210964967cf2529f2d86197e952a496d6cd489bd007bad1',
];

/** 64 KiB of bytes that look random, the same on every run. */
function edge(i: number, where: 'head' | 'tail'): Buffer {
  const out = Buffer.alloc(EDGE);
  for (let offset = 0, n = 0; offset < EDGE; offset += 64, n++) {
    createHash('sha512').update(`zip-large ${i} ${where} ${n}`).digest().copy(out, offset);
  }
  return out;
}

/** A sparse file of SIZE bytes: its head, zeros, its tail. */
function writeLargeFile(path: string, i: number) {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, SIZE);
    writeSync(fd, edge(i, 'head'), 0, EDGE, 0);
    writeSync(fd, edge(i, 'tail'), 0, EDGE, SIZE - EDGE);
  } finally {
    closeSync(fd);
  }
}

/** CPU seconds a process has used (user and system), from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function residentBytes(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) * 1024 : 0;
}

/**
 * Downloads into a sparse file (runs of zeros are skipped, not written), counting the bytes;
 * resolves with the status, the Content-Length and the count.
 */
const ZEROS = Buffer.alloc(1 << 20);
const allZeros = (chunk: Buffer) => chunk.length <= ZEROS.length && chunk.equals(ZEROS.subarray(0, chunk.length));

function download(url: string, headers: Record<string, string>, path: string) {
  return new Promise<{ status: number; length: number; received: number }>((done, fail) => {
    const fd = openSync(path, 'w');
    let received = 0;
    const req = request(url, { headers }, (res) => {
      res.on('data', (chunk: Buffer) => {
        if (!allZeros(chunk)) writeSync(fd, chunk, 0, chunk.length, received);
        received += chunk.length;
      });
      res.on('error', fail);
      res.on('end', () => {
        ftruncateSync(fd, received);
        closeSync(fd);
        done({ status: res.statusCode ?? 0, length: Number(res.headers['content-length']), received });
      });
    });
    req.on('error', fail);
    req.end();
  });
}

suite('a zip of more than 5 GB', () => {
  afterAll(async () => {
    await stopAllServers();
  });

  it('streams as ZIP64 with its exact length, in flat memory', async () => {
    const world = await prepareWorld();
    try {
      const owner = await world.db.user.findFirstOrThrow({ where: { username: world.credentials.username } });
      for (let i = 0; i < 4; i++) {
        const key = `${'0123456789abcdef'.repeat(2).slice(0, 30)}${i}${i}.jpg`;
        mkdirSync(join(world.uploadDir, 'images', key.slice(0, 2)), { recursive: true });
        writeLargeFile(join(world.uploadDir, 'images', key.slice(0, 2), key), i);
        await world.db.image.create({
          data: {
            galleryId: world.galleryId,
            uploaderId: owner.id,
            title: `large ${i}`,
            storageKey: key,
            mimeType: 'image/jpeg',
            size: SIZE,
            sha256: SHA256[i],
            createdAt: new Date(Date.UTC(2026, 0, 1 + i)),
          },
        });
      }
      const server = await startServer({ ...world.env, RECONCILE_ON_START: 'off' });
      const auth = await login(server.url, world.credentials);
      const url = `${server.url}/api/gallery/galleries/${world.galleryId}/download`;
      // Warm up (modules loaded, connections open) before the baseline is taken.
      const small = await download(`${url}`, { ...auth, Range: 'bytes=0-1023' }, join(world.uploadDir, 'warm.zip'));
      expect(small.status).toBe(206);
      const baseline = residentBytes(server.pid);
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(server.pid))), 100);
      const path = join(world.uploadDir, 'large.zip');
      const started = Date.now();
      const [serverCpu, clientCpu] = [cpuSeconds(server.pid), process.cpuUsage()];
      const reply = await download(url, auth, path).finally(() => clearInterval(sampler));
      const seconds = (Date.now() - started) / 1000;
      const client = process.cpuUsage(clientCpu);
      const cpu = `CPU: server ${(cpuSeconds(server.pid) - serverCpu).toFixed(1)} s, client ${((client.user + client.system) / 1e6).toFixed(1)} s`;
      expect(reply.status).toBe(200);
      expect(reply.length).toBe(reply.received);
      expect(reply.received).toBeGreaterThan(5_000_000_000);
      const growth = peak - baseline;
      console.log(
        `zip of ${(reply.received / 1e9).toFixed(2)} GB in ${seconds.toFixed(1)} s (${(reply.received / 1e6 / seconds).toFixed(0)} MB/s); server RSS ${(baseline / 2 ** 20).toFixed(0)} MiB, peak growth ${(growth / 2 ** 20).toFixed(1)} MiB; ${cpu}`,
      );
      expect(growth).toBeLessThanOrEqual(64 * 2 ** 20);
      const zip = readZip(path, { hash: false, only: 'large 3.jpg' });
      expect(zip.entries.map((entry) => [entry.name, entry.size])).toEqual([
        ['large 0.jpg', SIZE],
        ['large 1.jpg', SIZE],
        ['large 2.jpg', SIZE],
        ['large 3.jpg', SIZE],
        ['manifest.json', expect.any(Number)],
      ]);
      // The last file's bytes cross 4 GiB; the manifest starts past it (a ZIP64 offset).
      expect(zip.entries[3].headerOffset + SIZE).toBeGreaterThan(2 ** 32);
      expect(zip.entries[4].headerOffset).toBeGreaterThan(2 ** 32);
      expect(zip.entries[3].sha256).toBe(SHA256[3]);
      expect(zip.manifest.images.map((image) => image.sha256)).toEqual(SHA256);
    } finally {
      await stopAllServers();
      await world.close();
    }
  });
});
