// `npm run bench`, in sections, each measured against a reference run in the same process on this
// machine, with MET/MISS lines against the targets:
//   reads       throughput of the main read paths against a bare Express handler that returns the
//               same 50-item page from memory
//   throughput  POST /api/gallery/images/ with ~1 MB and ~20 MB JPEGs (distinct noise images) against a
//               plain Node http server piping the same multipart bodies to a file
//   rss         the server in its own process (node dist/server.js): its RSS while a
//               ~100 MB JPEG is uploaded (transfer, and the whole request with the decode)
//   thumbs      processImage() against bare sharp making the same two WebP variants, images/s
//   startup     npm start to the first 200 of /health, on 10,000 and 100,000 images with their files,
//               with the storage check at start (report) and without it (off)
// Environment:
//   BENCH_SECTIONS=reads,throughput,rss,thumbs (the default: all; `uploads` = throughput,rss,thumbs)
//   reads:       BENCH_DURATION=5 (seconds per route)  BENCH_CONNECTIONS=10  BENCH_IMAGES=10000
//                BENCH_ONLY=<route index 1-4> (that route and the reference only)
//                BENCH_DATABASE_URL=postgresql://…  to measure on PostgreSQL instead of a temporary SQLite file
//   throughput:  BENCH_UPLOADS_SMALL=30  BENCH_UPLOADS_LARGE=10  BENCH_UPLOAD_CONCURRENCY=1 (1: sequential)
//   thumbs:      BENCH_THUMB_IMAGES=20  BENCH_THUMB_ROUNDS=3
//   rss:         BENCH_RSS_INTERVAL_MS=20
//   startup:     BENCH_STARTUP_IMAGES=10000,100000  BENCH_STARTUP_RUNS=3
// The upload sections use temporary SQLite databases and upload folders, removed at the end.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import express from 'express';
import { buildApp } from '../src/app/app';
import { loadConfig } from '../src/shared/config';
import { prepareAppDatabase } from '../src/app/database';
import { createLogger } from '../src/shared/logger';
import { createDiskStorage } from '../src/platform/storage/disk-storage';
import { runUploadRss } from './bench/rss';
import { runStartup } from './bench/startup';
import { runThumbnails } from './bench/thumbs';
import { runUploadThroughput } from './bench/uploads';
import { installCleanupHandlers, onCleanup } from './bench/util';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const imageCount = Number(process.env.BENCH_IMAGES ?? 10_000);

type Result = { name: string; rps: number; p50: number; p99: number; errors: number };

async function measure(name: string, url: string, headers: Record<string, string> = {}): Promise<Result> {
  await autocannon({ url, connections, duration: 1, headers }); // warm-up
  const result = await autocannon({ url, connections, duration, headers });
  const errors = result.errors + result.non2xx;
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

async function runReads() {
  const dir = mkdtempSync(join(tmpdir(), 'gallery-bench-'));
  const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? `file:${join(dir, 'bench.db')}`;
  const config = loadConfig({ NODE_ENV: 'production', DATABASE_URL: databaseUrl, UPLOAD_DIR: join(dir, 'uploads'), LOG_LEVEL: 'error', BCRYPT_COST: '10', RATE_LIMIT_PER_MINUTE: '1000000' });
  const { db, reader, close } = await prepareAppDatabase(databaseUrl);
  const stamp = Date.now();

  const role = await db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
  const username = `bench${stamp}`;
  const user = await db.user.create({
    data: { username, usernameLower: username, email: `${username}@example.test`, emailLower: `${username}@example.test`, passwordHash: await bcrypt.hash('bench-password', 4), roleId: role.id },
  });
  const gallery = await db.gallery.create({ data: { name: 'Bench gallery', ownerId: user.id } });
  process.stdout.write(`seeding ${imageCount} images... `);
  for (let start = 0; start < imageCount; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, imageCount - start) }, (_, i) => ({
      galleryId: gallery.id,
      uploaderId: user.id,
      title: `Image ${start + i}`,
      description: 'A benchmark image with a short description.',
      storageKey: `${(stamp.toString(16) + (start + i).toString(16).padStart(8, '0')).padStart(32, '0')}.png`,
      mimeType: 'image/png',
      size: 123_456,
      sha256: createHash('sha256').update(`bench image ${start + i}`).digest('hex'), // (gallery, sha256) is unique
      width: 1920,
      height: 1080,
    }));
    await db.image.createMany({ data: batch });
  }
  console.log('done');

  const storage = await createDiskStorage(config.uploadDir);
  const app = listen(buildApp({ config, db, reader, storage, logger: createLogger('error') }));
  const server = await app;
  const login = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'bench-password' }),
  }).then((res) => res.json() as Promise<{ token: string }>);
  const headers = { authorization: `Token ${login.token}` };
  const page = await fetch(`${server.url}/api/gallery/images/`, { headers }).then((res) => res.json() as Promise<{ id: number }[]>);
  if (page.length !== 50) throw new Error(`expected a page of 50, got ${page.length}`);

  // The cursor of page 200 (the last page of 10,000 at 50 a page), found by following the Link headers.
  let deepPage = `${server.url}/api/gallery/images/`;
  for (let page = 1; page < 200; page++) {
    const res = await fetch(deepPage, { headers });
    const link = res.headers.get('link');
    if (!link) break;
    deepPage = `${server.url}${/<([^>]+)>/.exec(link)![1]}`;
  }

  const reference = express();
  reference.get('/page', (_req, res) => {
    res.json(page);
  });
  const ref = await listen(reference);

  const routes: [string, string, Record<string, string>][] = [
    ['reference: bare Express, same 50 items from memory', `${ref.url}/page`, {}],
    ['GET /api/gallery/images/ (page of 50)', `${server.url}/api/gallery/images/`, headers],
    ['GET /api/gallery/images/{id}/', `${server.url}/api/gallery/images/${page[10].id}/`, headers],
    ['GET /api/auth/me/', `${server.url}/api/auth/me/`, headers],
    ['GET /api/gallery/images/ page 200 (keyset cursor)', deepPage, headers],
  ];
  const only = process.env.BENCH_ONLY ? Number(process.env.BENCH_ONLY) : null;
  const results: Result[] = [];
  for (const [index, [name, url, routeHeaders]] of routes.entries()) {
    if (only === null || index === 0 || index === only) results.push(await measure(name, url, routeHeaders));
  }

  const base = results[0].rps;
  const provider = databaseUrl.startsWith('file:') ? 'SQLite' : 'PostgreSQL';
  console.log(`\n${provider}, ${imageCount} images, ${connections} connections, ${duration} s per route, node ${process.version}\n`);
  console.log(['route'.padEnd(52), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'ratio'.padStart(7), 'errors'.padStart(7)].join(''));
  for (const r of results) {
    console.log([r.name.padEnd(52), r.rps.toFixed(0).padStart(9), r.p50.toFixed(1).padStart(8), r.p99.toFixed(1).padStart(8), (r.rps / base).toFixed(2).padStart(7), String(r.errors).padStart(7)].join(''));
  }
  const targets: [string, number][] = [
    ['GET /api/gallery/images/ (page of 50)', 0.35],
    ['GET /api/gallery/images/{id}/', 0.5],
  ];
  const first = results.find((r) => r.name.startsWith('GET /api/gallery/images/ (page'));
  const deep = results.find((r) => r.name.includes('page 200'));
  if (first && deep) {
    const cost = first.rps / deep.rps;
    console.log(`\n${cost < 1.5 ? 'MET ' : 'MISS'}  page 200 costs ${cost.toFixed(2)}x page 1 (target < 1.5)`);
  }
  console.log('');
  for (const [name, target] of targets) {
    const result = results.find((r) => r.name === name);
    if (!result) continue;
    const ratio = result.rps / base;
    console.log(`${ratio >= target ? 'MET ' : 'MISS'}  ${name}: ${ratio.toFixed(2)} of the reference (target ${target})`);
  }

  await server.close();
  await ref.close();
  await db.image.deleteMany({ where: { galleryId: gallery.id } });
  await db.gallery.delete({ where: { id: gallery.id } });
  await db.user.delete({ where: { id: user.id } });
  await close();
  removeDir();
}

const SECTIONS = ['reads', 'throughput', 'rss', 'thumbs', 'startup'] as const;
type Section = (typeof SECTIONS)[number];

function selectedSections(): Section[] {
  const asked = (process.env.BENCH_SECTIONS ?? SECTIONS.join(','))
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean)
    .flatMap((name) => (name === 'uploads' ? ['throughput', 'rss', 'thumbs'] : name === 'all' ? [...SECTIONS] : [name]));
  const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_SECTIONS: unknown ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}, uploads, all`);
  return SECTIONS.filter((section) => asked.includes(section));
}

async function main() {
  installCleanupHandlers();
  const sections = selectedSections();
  const count = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: a whole number ≥ 1`);
    return value;
  };
  const runs: Record<Section, () => Promise<void>> = {
    reads: runReads,
    throughput: () =>
      runUploadThroughput({ small: count('BENCH_UPLOADS_SMALL', 30), large: count('BENCH_UPLOADS_LARGE', 10), concurrency: count('BENCH_UPLOAD_CONCURRENCY', 1), target: 0.6 }),
    rss: () => runUploadRss({ budgetMb: 64, intervalMs: count('BENCH_RSS_INTERVAL_MS', 20) }),
    thumbs: () => runThumbnails({ images: count('BENCH_THUMB_IMAGES', 20), rounds: count('BENCH_THUMB_ROUNDS', 3), target: 0.8 }),
    startup: () =>
      runStartup({
        sizes: (process.env.BENCH_STARTUP_IMAGES ?? '10000,100000').split(',').map((size) => Number(size)),
        runs: count('BENCH_STARTUP_RUNS', 3),
        targetMs: 3000,
      }),
  };
  for (const [i, section] of sections.entries()) {
    console.log(`${i === 0 ? '' : '\n'}== ${section} ==`);
    const start = performance.now();
    await runs[section]();
    console.log(`(${section}: ${((performance.now() - start) / 1000).toFixed(0)} s)`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
