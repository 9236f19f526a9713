// `npm run bench` section `soak` (opt-in: BENCH_SECTIONS=soak): dist/server.js in its own process,
// on a fresh database and upload folder with the trash on (TRASH_DAYS=30), under a mixed load at a
// fixed rate for BENCH_SOAK_MINUTES (soak-load.ts), on SQLite and PostgreSQL. Every 5 s: the
// server's RSS and open descriptors from /proc, and its active handles from GET /metrics. At the end:
// a table per minute, and after the warm-up the trend (least-squares slope) of each, against
// "nothing grows": memory, descriptors and handles flat, p99 steady, no 5xx.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcrypt';

import { prepareAppDatabase } from '../../src/app/database';
import { noiseJpegs } from './images';
import { multipartBody } from './multipart';
import { postgresDatabase, startProcess } from './reads';
import { createLoad, resentCount, send, SOAK_JPEG, type LoadSetup, type User } from './soak-load';
import { report, SAMPLE_SECONDS, type ProcessSample } from './soak-report';
import { MiB, pool, tempDir } from './util';

export type SoakOptions = {
  databases: ('sqlite' | 'postgres')[];
  minutes: number;
  rate: number;
  /** Unset: 5 minutes, or a fifth of the run when that is shorter. */
  warmupMinutes?: number;
};

const PASSWORD = 'soak-bench-password-7193';
const GALLERIES = 4;
const IMAGES = 200;

/** Three users straight into the database (hashed at cost 10, the least production allows). */
async function seedUsers(databaseUrl: string): Promise<void> {
  const { db, close } = await prepareAppDatabase(databaseUrl);
  try {
    const passwordHash = await bcrypt.hash(PASSWORD, 10);
    for (const [username, role] of [
      ['soakowner', 'beta_player'],
      ['soakreader', 'beta_player'],
      ['soakvisitor', 'subscriber'],
    ]) {
      const roleId = (await db.role.findUniqueOrThrow({ where: { name: role } })).id;
      const email = `${username}@example.test`;
      await db.user.create({
        data: { username, usernameLower: username, email, emailLower: email, passwordHash, roleId },
      });
    }
  } finally {
    await close();
  }
}

async function signIn(url: string, username: string, beta: boolean): Promise<User> {
  const reply = await send(`${url}/api/auth/login/`, 'POST', { json: { username, password: PASSWORD } });
  if (reply.status !== 200) throw new Error(`login ${username}: ${reply.status} ${reply.body.toString()}`);
  const { token } = JSON.parse(reply.body.toString()) as { token: string };
  return { username, password: PASSWORD, token, beta };
}

/** The library through the API: galleries of the owner and IMAGES distinct small JPEGs among them. */
async function seedLibrary(url: string): Promise<LoadSetup> {
  const users = [
    await signIn(url, 'soakowner', true),
    await signIn(url, 'soakreader', true),
    await signIn(url, 'soakvisitor', false),
  ];
  const owner = users[0];
  const galleries: number[] = [];
  for (let n = 0; n < GALLERIES; n++) {
    const reply = await send(`${url}/api/gallery/galleries/`, 'POST', {
      token: owner.token,
      json: { name: `Soak ${n}`, description: 'A gallery of the soak benchmark.' },
    });
    if (reply.status !== 201) throw new Error(`create gallery: ${reply.status} ${reply.body.toString()}`);
    galleries.push((JSON.parse(reply.body.toString()) as { id: number }).id);
  }
  const jpegs = await noiseJpegs(SOAK_JPEG, IMAGES);
  const images = await pool(jpegs, 2, async (bytes, i) => {
    const fields = { title: `Seed ${i}`, gallery: String(galleries[i % GALLERIES]) };
    const file = { field: 'image', filename: `seed-${i}.jpg`, contentType: 'image/jpeg' };
    const { contentType, body } = multipartBody(fields, file, bytes);
    const reply = await send(`${url}/api/gallery/images/`, 'POST', { token: owner.token, body, contentType });
    if (reply.status !== 201) throw new Error(`seed upload: ${reply.status} ${reply.body.toString().slice(0, 300)}`);
    return (JSON.parse(reply.body.toString()) as { id: number }).id;
  });
  return { url, owner, users, galleries, images };
}

/**
 * Calls `fire(at)` every 1/rate s for `durationMs` on schedule (catching up at once after a late
 * timer, never skipping), without waiting for earlier calls; resolves when all have finished.
 * `lag` gets how late each call started against its due time.
 */
export async function openLoop(
  start: number,
  rate: number,
  durationMs: number,
  fire: (at: number) => Promise<unknown>,
  lag: number[],
): Promise<void> {
  const interval = 1000 / rate;
  const count = Math.floor((durationMs / 1000) * rate);
  const running = new Set<Promise<void>>(); // only those in flight: their replies are not kept
  for (let i = 0; i < count;) {
    const now = performance.now() - start;
    for (; i < count && i * interval <= now; i++) {
      lag.push(now - i * interval);
      const call: Promise<void> = fire(i * interval).then(() => void running.delete(call));
      running.add(call);
    }
    if (i < count) await new Promise((done) => setTimeout(done, Math.max(1, i * interval - now)));
  }
  await Promise.all(running);
}

/** RSS and open descriptors from /proc, active handles and heap from /metrics (prom-client's defaults). */
async function sampleProcess(pid: number, url: string, t: number): Promise<ProcessSample> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  const metrics = (await send(`${url}/metrics`, 'GET')).body.toString('utf8');
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(metrics)?.[1] ?? NaN);
  return {
    t,
    rss,
    fds,
    handles: metric('nodejs_active_handles_total'),
    heap: metric('nodejs_heap_size_used_bytes') / MiB,
  };
}

function startServer(databaseUrl: string, uploadDir: string) {
  return startProcess(
    ['dist/server.js'],
    {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      UPLOAD_DIR: uploadDir,
      LOG_LEVEL: 'error',
      TRASH_DAYS: '30',
      METRICS: 'on',
      BCRYPT_COST: '10',
      STORAGE_QUOTA_MB: '100000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_USER_PER_MINUTE: '2000000',
      RECONCILE_ON_START: 'off',
    },
    '/health',
  );
}

/** The load for `options.minutes`, with a look at the server process every SAMPLE_SECONDS. */
async function soak(pid: number, setup: LoadSetup, options: SoakOptions) {
  const resentBefore = resentCount();
  const start = performance.now();
  const load = createLoad(setup, start);
  const samples = [await sampleProcess(pid, setup.url, 0)];
  let sampling = Promise.resolve();
  let failure: Error | undefined; // the server gone (no /proc entry): reported once the load is over
  const timer = setInterval(() => {
    const t = (performance.now() - start) / 60_000;
    sampling = sampling
      .then(async () => void samples.push(await sampleProcess(pid, setup.url, t)))
      .catch((error: unknown) => void (failure ??= error instanceof Error ? error : new Error(String(error))));
  }, SAMPLE_SECONDS * 1000);
  const lag: number[] = [];
  try {
    await openLoop(start, options.rate, options.minutes * 60_000, load.next, lag);
  } finally {
    clearInterval(timer);
    await sampling;
  }
  if (failure) throw failure;
  samples.push(await sampleProcess(pid, setup.url, (performance.now() - start) / 60_000));
  return { load, samples, lag, resent: resentCount() - resentBefore };
}

async function runOn(kind: 'sqlite' | 'postgres', options: SoakOptions) {
  const dir = tempDir('gallery-bench-soak-');
  const postgres = kind === 'postgres' ? await postgresDatabase() : null;
  const databaseUrl = postgres?.url ?? `file:${join(dir.path, 'soak.db')}`;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await seedUsers(databaseUrl);
    server = await startServer(databaseUrl, join(dir.path, 'uploads'));
    process.stdout.write(`${kind}: seeding ${IMAGES} images in ${GALLERIES} galleries through the API... `);
    const setup = await seedLibrary(server.url);
    console.log(`done; ${options.rate} requests/s for ${options.minutes} min`);
    return { ...(await soak(server.child.pid!, setup, options)), seeded: setup.images.length };
  } finally {
    await server?.stop();
    await postgres?.drop();
    dir.remove();
  }
}

export async function runSoak(options: SoakOptions): Promise<void> {
  const warmup = options.warmupMinutes ?? Math.min(5, options.minutes / 5);
  if (warmup >= options.minutes) throw new Error('BENCH_SOAK_WARMUP_MINUTES: shorter than BENCH_SOAK_MINUTES');
  for (const kind of options.databases) {
    const { load, samples, lag, resent, seeded } = await runOn(kind, options);
    report({
      label: kind === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      options: { ...options, warmupMinutes: warmup },
      outcomes: load.outcomes,
      samples,
      lag,
      resent,
      counts: load.counts,
      library: { ...load.library(), seeded },
    });
  }
}
