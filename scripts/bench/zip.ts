// `npm run bench` section `zip`: a gallery downloaded as one zip from the server as shipped
// (dist/server.js in its own process), against a raw read of the same files in the same run: read
// from disk in this process as the disk storage reads them, and fetched one by one through the
// server's file route. Also the server's resident memory while the zip streams, and what a resume
// from the middle costs before its first byte (the files before it are read again, not sent).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { openDatabase } from '../../src/platform/db/client';
import { seed, startProcess } from './reads';
import { MiB, printTable, tempDir, verdict } from './util';

export type ZipOptions = { images: number; megabytes: number; rounds: number; target: number };

type Fetched = { status: number; bytes: number; firstByteMs: number };

/** A GET whose body is counted and dropped; the time to its first byte is noted. */
function fetchCounting(url: string, headers: Record<string, string>): Promise<Fetched> {
  const start = performance.now();
  return new Promise((done, fail) => {
    const req = request(url, { headers }, (res) => {
      let bytes = 0;
      let firstByteMs = NaN;
      res.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstByteMs = performance.now() - start;
        bytes += chunk.length;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, bytes, firstByteMs }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

/** One gallery of `count` files of `size` random bytes (they do not compress), rows and files. */
async function galleryOfFiles(databaseUrl: string, uploadDir: string, count: number, size: number) {
  const { username } = await seed(databaseUrl, 0);
  const { db, close } = openDatabase(databaseUrl);
  const paths: string[] = [];
  const ids: number[] = [];
  try {
    const owner = await db.user.findFirstOrThrow({ where: { username } });
    const gallery = await db.gallery.findFirstOrThrow({ where: { ownerId: owner.id } });
    for (let i = 0; i < count; i++) {
      const bytes = randomBytes(size);
      const key = `${createHash('md5').update(`zip bench ${i}`).digest('hex')}.jpg`;
      const folder = join(uploadDir, 'images', key.slice(0, 2));
      mkdirSync(folder, { recursive: true });
      paths.push(join(folder, key));
      writeFileSync(paths[i], bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const row = { galleryId: gallery.id, uploaderId: owner.id, title: `file ${i}`, storageKey: key, sha256 };
      ids.push((await db.image.create({ data: { ...row, mimeType: 'image/jpeg', size } })).id);
    }
    return { username, galleryId: gallery.id, paths, ids };
  } finally {
    await close();
  }
}

/** Reads every file in turn, 64 KiB at a time, as the disk storage streams them. */
async function rawRead(paths: string[]): Promise<number> {
  let bytes = 0;
  for (const path of paths) {
    await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) bytes += chunk.length;
    });
  }
  return bytes;
}

function residentBytes(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) * 1024 : 0;
}

export async function runZip(options: ZipOptions): Promise<void> {
  const dir = tempDir('gallery-bench-zip-');
  const size = Math.round((options.megabytes * 1e6) / options.images);
  const databaseUrl = `file:${join(dir.path, 'bench.db')}`;
  const uploadDir = join(dir.path, 'uploads');
  try {
    process.stdout.write(`writing ${options.images} files of ${(size / 1e6).toFixed(1)} MB... `);
    const world = await galleryOfFiles(databaseUrl, uploadDir, options.images, size);
    console.log('done');
    const env = { DATABASE_URL: databaseUrl, UPLOAD_DIR: uploadDir, LOG_LEVEL: 'warn', RECONCILE_ON_START: 'off' };
    const server = await startProcess(['dist/server.js'], { ...env, RATE_LIMIT_PER_MINUTE: '100000' }, '/health');
    try {
      await measureAll(server, world, options);
    } finally {
      await server.stop();
    }
  } finally {
    dir.remove();
  }
}

type World = Awaited<ReturnType<typeof galleryOfFiles>>;
type Server = Awaited<ReturnType<typeof startProcess>>;

async function measureAll(server: Server, world: World, options: ZipOptions) {
  const login = (await (
    await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: world.username, password: 'bench-password' }),
    })
  ).json()) as { token: string };
  const auth = { Authorization: `Token ${login.token}` };
  const zipUrl = `${server.url}/api/gallery/galleries/${world.galleryId}/download`;
  const ways: [string, () => Promise<number>][] = [
    ['reference: raw read of the files (64 KiB reads, this process)', () => rawRead(world.paths)],
    [
      'the files one by one, GET …/images/{id}/file',
      async () => {
        let bytes = 0;
        for (const id of world.ids)
          bytes += (await fetchCounting(`${server.url}/api/gallery/images/${id}/file`, auth)).bytes;
        return bytes;
      },
    ],
    ['the zip, GET …/galleries/{id}/download', async () => (await fetchCounting(zipUrl, auth)).bytes],
  ];
  for (const [, run] of ways) await run(); // warm-up: files in the page cache, modules loaded
  const seconds = ways.map(() => 0);
  const bytes = ways.map(() => 0);
  const baseline = residentBytes(server.child.pid!);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(server.child.pid!))), 20);
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? [0, 1, 2] : [2, 1, 0];
    for (const i of order) {
      const start = performance.now();
      bytes[i] += await ways[i][1]();
      seconds[i] += (performance.now() - start) / 1000;
    }
  }
  clearInterval(sampler);
  const whole = await fetchCounting(zipUrl, auth);
  const half = await fetchCounting(zipUrl, { ...auth, Range: `bytes=${Math.floor(whole.bytes / 2)}-` });
  report(ways, seconds, bytes, { whole, half, growth: peak - baseline }, options);
}

function report(
  ways: [string, unknown][],
  seconds: number[],
  bytes: number[],
  extra: { whole: Fetched; half: Fetched; growth: number },
  options: ZipOptions,
) {
  const rates = bytes.map((b, i) => b / 1e6 / seconds[i]);
  console.log(
    `\n${options.images} files of random bytes, ${(bytes[2] / options.rounds / 1e6).toFixed(0)} MB a zip, in the page cache, ${options.rounds} timed rounds after a warm-up; one download at a time\n`,
  );
  printTable(
    ['read', 'MB/s', 'ratio'],
    ways.map(([name], i) => [name, rates[i].toFixed(0), (rates[i] / rates[0]).toFixed(2)]),
    [64, 8, 8],
  );
  const { whole, half, growth } = extra;
  console.log(
    `\nfirst byte: whole zip ${whole.firstByteMs.toFixed(0)} ms, a resume from its middle ${half.firstByteMs.toFixed(0)} ms (status ${half.status}: the first half read again, not sent)`,
  );
  console.log(`server RSS growth while the zips streamed: ${(growth / MiB).toFixed(1)} MiB\n`);
  const ratio = rates[2] / rates[0];
  console.log(
    verdict(ratio >= options.target, `zip: ${ratio.toFixed(2)} of a raw read's MB/s (target ${options.target})`),
  );
  console.log(verdict(growth <= 64 * MiB, `zip: server RSS growth ${(growth / MiB).toFixed(1)} MiB (budget 64 MiB)`));
}
