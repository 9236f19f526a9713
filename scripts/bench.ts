// `npm run bench`, in sections, each measured against a reference run in the same run on this
// machine, with MET/MISS lines against the targets:
//   reads       the main read paths of dist/server.js (its own process) against a bare Express
//               process returning the same 50-item page from memory, on SQLite and PostgreSQL, at
//               10 and 50 connections
//   throughput  POST /api/gallery/images/ with ~1 MB and ~20 MB JPEGs (distinct noise images) against a
//               plain Node http server piping the same multipart bodies to a file plus bare sharp
//               doing the same decode check and variants; a photo-like 12 MP JPEG's time to 201 and
//               to its thumbnail
//   rss         the server in its own process (node dist/server.js): its RSS while a
//               ~100 MB JPEG is uploaded (transfer, and the whole request with the decode)
//   sharing     what visibility costs a list: the page of 50 images and of 50 galleries among 1,000
//               galleries (a third private) as a member of some private ones, against the same
//               page as an admin (no visibility condition), on both databases
//   plans       the keyset query of each list order on page 1 and page 200, at 10,000 and 100,000
//               images, on both databases: the plan chosen (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS))
//               and the query's time, page 200 against page 1
//   thumbs      processImage() against bare sharp making the same two WebP variants, images/s
//   startup     npm start to the first 200 of /health, on 10,000 and 100,000 images with their files,
//               with the storage check at start (report) and without it (off)
//   ingest      `gallery import` (the CLI) of 500 distinct photo-like 3 MP JPEGs into dist/server.js at a
//               concurrency of the number of cores, against a bare sharp script making the same decode
//               check and variants of the same files in one process: images/s and their ratio, on
//               SQLite and PostgreSQL; the same through tus against multipart; a 25 MB upload cut
//               at half (kill -9 of the client) and resumed: the share of its bytes sent again
//   zip         a gallery as one zip from dist/server.js against a raw read of the same files (from
//               disk in this process, and one by one through the file route): MB/s and their ratio,
//               the server's RSS growth, the first byte of a resume from the archive's middle
//   backup      `npm run backup` (hard links, and --copy), `npm run verify -- --backup` and `npm run
//               restore` into a new database and folder, as shipped, on 10,000 images seeded straight
//               into the database and the upload folder, on SQLite and PostgreSQL
//   nodes       dist/server.js as one and as two processes on one PostgreSQL and one S3 bucket
//               (s3rver) behind nginx: page of 50 and one image through nginx to one node, to two
//               nodes, and straight to one node; then the errors while one of two is SIGKILLed under
//               load (skipped without an nginx binary)
//   soak        (opt-in: only when named) dist/server.js in its own process with the trash on, on a
//               fresh SQLite and PostgreSQL database each, under a mixed open-loop load at a fixed
//               rate for 30 minutes (70% reads, 8% uploads, 8% deletes to the trash, 6% restores,
//               4% trash listings, 4% logins): RSS, open fds and active handles every 5 s, latency
//               and errors per minute, and their trend after the warm-up against no growth, no 5xx
//   scale       (opt-in) the image list at 1,000,000 images seeded in bulk (words common and rare,
//               ~3 tags each, ten years of capture times), through dist/server.js on both databases:
//               p50/p99 of page 1 and page 2000 of each sort, of searches (a common word, a rare
//               word, a prefix), a tag, a date range and a combined filter, with each query's plan,
//               against p50 ≤ 30 ms and page 2000 ≤ 1.5 × page 1
// Environment:
//   BENCH_SECTIONS=reads,throughput,rss,thumbs (the default: all but soak and scale; `all` the same;
//                `uploads` = throughput,rss,thumbs; `soak` and `scale` run only when named)
//   reads:       BENCH_DURATION=5 (seconds per route)  BENCH_CONNECTIONS=10,50  BENCH_IMAGES=10000
//                BENCH_DBS=sqlite,postgres  BENCH_DATABASE_URL=postgresql://… (a server where a
//                database may be created; otherwise a throwaway cluster from initdb/pg_ctl)
//   throughput:  BENCH_UPLOADS_SMALL=30  BENCH_UPLOADS_LARGE=10  BENCH_UPLOAD_CONCURRENCY=1 (1: sequential)
//   thumbs:      BENCH_THUMB_IMAGES=20  BENCH_THUMB_ROUNDS=3
//   rss:         BENCH_RSS_INTERVAL_MS=20
//   sharing:     BENCH_SHARING_GALLERIES=1000 (BENCH_DURATION, BENCH_CONNECTIONS, BENCH_DBS as for reads)
//   plans:       BENCH_PLAN_IMAGES=10000,100000  BENCH_DBS=sqlite,postgres
//   startup:     BENCH_STARTUP_IMAGES=10000,100000  BENCH_STARTUP_RUNS=3
//   ingest:      BENCH_INGEST_IMAGES=500  BENCH_DBS=sqlite,postgres
//   zip:         BENCH_ZIP_IMAGES=64  BENCH_ZIP_MEGABYTES=512  BENCH_ZIP_ROUNDS=3
//   backup:      BENCH_BACKUP_IMAGES=10000  BENCH_BACKUP_KB=8 (each original's size)  BENCH_DBS=sqlite,postgres
//   nodes:       BENCH_DURATION, BENCH_CONNECTIONS, BENCH_IMAGES, BENCH_DATABASE_URL as for reads;
//                NGINX_BIN=/path/to/nginx (otherwise nginx on PATH or in /usr/sbin)
//   soak:        BENCH_SOAK_MINUTES=30  BENCH_SOAK_RATE=40 (requests/s in all)  BENCH_SOAK_WARMUP_MINUTES=5
//                (or a fifth of the run when that is shorter)  BENCH_DBS=sqlite,postgres  BENCH_DATABASE_URL
//   scale:       (runs only when named: BENCH_SECTIONS=scale) BENCH_SCALE_IMAGES=1000000
//                BENCH_DBS=sqlite,postgres  BENCH_DATABASE_URL as for reads
// The upload sections use temporary SQLite databases and upload folders, removed at the end.
import { runBackup } from './bench/backup';
import { runIngest } from './bench/ingest';
import { runNodes } from './bench/nodes';
import { runPlans } from './bench/plans';
import { runReads } from './bench/reads';
import { runUploadRss } from './bench/rss';
import { runScale } from './bench/scale';
import { runSharing } from './bench/sharing';
import { runSoak } from './bench/soak';
import { runStartup } from './bench/startup';
import { runThumbnails } from './bench/thumbs';
import { runUploadThroughput } from './bench/uploads';
import { installCleanupHandlers } from './bench/util';
import { runZip } from './bench/zip';

const SECTIONS = [
  'reads',
  'sharing',
  'plans',
  'throughput',
  'rss',
  'thumbs',
  'ingest',
  'zip',
  'startup',
  'backup',
  'nodes',
  'soak',
  'scale',
] as const;
type Section = (typeof SECTIONS)[number];
/** Long sections, run only when named in BENCH_SECTIONS. */
const OPT_IN: readonly Section[] = ['soak', 'scale'];
const DEFAULT_SECTIONS = SECTIONS.filter((section) => !OPT_IN.includes(section));

function selectedSections(): Section[] {
  const asked = (process.env.BENCH_SECTIONS ?? DEFAULT_SECTIONS.join(','))
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean)
    .flatMap((name) =>
      name === 'uploads' ? ['throughput', 'rss', 'thumbs'] : name === 'all' ? [...DEFAULT_SECTIONS] : [name],
    );
  const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_SECTIONS: unknown ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}, uploads, all`);
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
  /** A number > 0 (or ≥ 0 with `zero`), fractions allowed. */
  const number = (name: string, fallback?: number, zero = false) => {
    if (process.env[name] === undefined) return fallback;
    const value = Number(process.env[name]);
    if (!Number.isFinite(value) || value < 0 || (value === 0 && !zero))
      throw new Error(`${name}: a number ${zero ? '≥' : '>'} 0`);
    return value;
  };
  const runs: Record<Section, () => Promise<void>> = {
    reads: () =>
      runReads({
        databases: (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',').map((name) => name.trim()) as (
          'sqlite' | 'postgres'
        )[],
        connections: (process.env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number),
        duration: Number(process.env.BENCH_DURATION ?? 5),
        images: Number(process.env.BENCH_IMAGES ?? 10_000),
      }),
    sharing: () =>
      runSharing({
        databases: (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',').map((name) => name.trim()) as (
          'sqlite' | 'postgres'
        )[],
        connections: (process.env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number),
        duration: Number(process.env.BENCH_DURATION ?? 5),
        galleries: count('BENCH_SHARING_GALLERIES', 1000),
      }),
    throughput: () =>
      runUploadThroughput({
        small: count('BENCH_UPLOADS_SMALL', 30),
        large: count('BENCH_UPLOADS_LARGE', 10),
        concurrency: count('BENCH_UPLOAD_CONCURRENCY', 1),
        target: 1.15,
      }),
    rss: () => runUploadRss({ budgetMb: 64, intervalMs: count('BENCH_RSS_INTERVAL_MS', 20) }),
    thumbs: () =>
      runThumbnails({ images: count('BENCH_THUMB_IMAGES', 20), rounds: count('BENCH_THUMB_ROUNDS', 3), target: 0.8 }),
    plans: () =>
      runPlans({
        databases: (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',').map((name) => name.trim()) as (
          'sqlite' | 'postgres'
        )[],
        sizes: (process.env.BENCH_PLAN_IMAGES ?? '10000,100000').split(',').map(Number),
      }),
    ingest: () =>
      runIngest({
        images: count('BENCH_INGEST_IMAGES', 500),
        databases: (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',').map((name) => name.trim()) as (
          'sqlite' | 'postgres'
        )[],
        target: 0.75,
      }),
    zip: () =>
      runZip({
        images: count('BENCH_ZIP_IMAGES', 64),
        megabytes: count('BENCH_ZIP_MEGABYTES', 512),
        rounds: count('BENCH_ZIP_ROUNDS', 3),
        target: 0.5,
      }),
    startup: () =>
      runStartup({
        sizes: (process.env.BENCH_STARTUP_IMAGES ?? '10000,100000').split(',').map((size) => Number(size)),
        runs: count('BENCH_STARTUP_RUNS', 3),
        targetMs: 3000,
      }),
    backup: () =>
      runBackup({
        images: count('BENCH_BACKUP_IMAGES', 10_000),
        originalKb: count('BENCH_BACKUP_KB', 8),
        databases: (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',').map((name) => name.trim()) as (
          'sqlite' | 'postgres'
        )[],
      }),
    nodes: () =>
      runNodes({
        connections: (process.env.BENCH_CONNECTIONS ?? '10,50').split(',').map(Number),
        duration: Number(process.env.BENCH_DURATION ?? 5),
        images: Number(process.env.BENCH_IMAGES ?? 10_000),
      }),
    soak: () =>
      runSoak({
        databases: (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',').map((name) => name.trim()) as (
          'sqlite' | 'postgres'
        )[],
        minutes: number('BENCH_SOAK_MINUTES', 30)!,
        rate: number('BENCH_SOAK_RATE', 40)!,
        warmupMinutes: number('BENCH_SOAK_WARMUP_MINUTES', undefined, true),
      }),
    scale: () =>
      runScale({
        databases: (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',').map((name) => name.trim()) as (
          'sqlite' | 'postgres'
        )[],
        images: count('BENCH_SCALE_IMAGES', 1_000_000),
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
