// `npm run bench` section `startup`: time from `npm start` (dist/ up to date: no build) to the
// first 200 from /health, on a library of N images whose rows and
// files (original and both variants) are all in place, with the storage check as configured
// (`report`, the default) and without it (`off`), each started several times.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import bcrypt from 'bcrypt';

import { prepareAppDatabase } from '../../src/app/database';
import { freePort } from '../lib/free-port';
import { killOnExit, percentile, tempDir } from './util';

const REPO = resolve(__dirname, '..', '..');
const ORIGINAL = Buffer.alloc(64, 1);
const VARIANT = Buffer.alloc(16, 2);

/** N images, rows and files, under `uploadDir`; keys as the server makes them. */

async function seed(databaseUrl: string, uploadDir: string, count: number) {
  const { db, close } = await prepareAppDatabase(databaseUrl);
  try {
    const role = await db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
    const username = `startup${Date.now()}`;
    const user = await db.user.create({
      data: {
        username,
        usernameLower: username,
        email: `${username}@example.test`,
        emailLower: `${username}@example.test`,
        passwordHash: await bcrypt.hash('x', 4),
        roleId: role.id,
      },
    });
    const gallery = await db.gallery.create({ data: { name: 'Startup bench', ownerId: user.id } });
    for (let start = 0; start < count; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) => {
        const n = start + i;
        const stem = `${Date.now().toString(16)}${n.toString(16).padStart(10, '0')}`.padStart(32, '0').slice(-32);
        const folder = join(uploadDir, 'images', stem.slice(0, 2));
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, `${stem}.jpg`), ORIGINAL);
        writeFileSync(join(folder, `${stem}.thumb.webp`), VARIANT);
        writeFileSync(join(folder, `${stem}.preview.webp`), VARIANT);
        return {
          galleryId: gallery.id,
          uploaderId: user.id,
          title: `Image ${n}`,
          storageKey: `${stem}.jpg`,
          mimeType: 'image/jpeg',
          size: ORIGINAL.length,
          sha256: n.toString(16).padStart(64, '0'),
        };
      });
      await db.image.createMany({ data: batch });
    }
  } finally {
    await close();
  }
}

const loggedMs = (output: string, message: string) => {
  const line = output.split('\n').find((text) => text.includes(`"message":"${message}"`));
  return line ? Number((JSON.parse(line) as { ms?: number }).ms ?? NaN) : null;
};

/**
 * One start: ms from spawn to the first 200 of /health; the storage check's own ms (before
 * listening) and, in report mode, the audit's (after it) from their log lines.
 */
async function timeStart(
  env: Record<string, string>,
): Promise<{ ms: number; checkMs: number | null; auditMs: number | null }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stopKill = killOnExit(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server ended before answering:\n${output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (res) => res.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() - started > 300_000) throw new Error(`no answer within 300 s:\n${output}`);
      await new Promise((done) => setTimeout(done, 10));
    }
    const ms = performance.now() - started;
    if (env.RECONCILE_ON_START === 'report') {
      while (loggedMs(output, 'storage audit') === null && child.exitCode === null)
        await new Promise((done) => setTimeout(done, 20));
    }
    return { ms, checkMs: loggedMs(output, 'storage check'), auditMs: loggedMs(output, 'storage audit') };
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    stopKill();
  }
}

export async function runStartup(options: { sizes: number[]; runs: number; targetMs: number }) {
  const rows: string[][] = [];
  let verdict: string | null = null;
  for (const size of options.sizes) {
    const dir = tempDir('gallery-bench-startup-');
    const uploadDir = join(dir.path, 'uploads');
    const databaseUrl = `file:${join(dir.path, 'startup.db')}`;
    const seeding = performance.now();
    await seed(databaseUrl, uploadDir, size);
    console.log(`seeded ${size} images (${size * 3} files) in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
    for (const reconcile of ['report', 'off']) {
      const env = { DATABASE_URL: databaseUrl, UPLOAD_DIR: uploadDir, RECONCILE_ON_START: reconcile };
      await timeStart(env); // the first start after seeding warms the page cache
      const times = [];
      for (let run = 0; run < options.runs; run++) times.push(await timeStart(env));
      const ms = times.map((time) => time.ms);
      const median = (values: (number | null)[]) => {
        const known = values.filter((value): value is number => value !== null);
        return known.length ? (percentile(known, 50) / 1000).toFixed(2) : '-';
      };
      rows.push([
        `${size} images, RECONCILE_ON_START=${reconcile}`,
        (percentile(ms, 50) / 1000).toFixed(2),
        (Math.max(...ms) / 1000).toFixed(2),
        median(times.map((time) => time.checkMs)),
        median(times.map((time) => time.auditMs)),
      ]);
      if (size === 10_000 && reconcile === 'report') {
        const median = percentile(ms, 50);
        verdict = `${median < options.targetMs ? 'MET ' : 'MISS'}  second start to /health at 10,000 images: ${(median / 1000).toFixed(2)} s (target < ${options.targetMs / 1000} s)`;
      }
    }
    dir.remove();
  }
  console.log(
    `\nnpm start to the first 200 of /health (dist/ up to date; SQLite; median of ${options.runs} runs after a warm-up)\n`,
  );
  console.log(
    '(check: the recovery before listening; audit: every row against every file, after listening, while serving)\n',
  );
  console.log(
    [
      'library'.padEnd(44),
      'median s'.padStart(10),
      'max s'.padStart(8),
      'check s'.padStart(9),
      'audit s'.padStart(9),
    ].join(''),
  );
  for (const row of rows)
    console.log(
      [row[0].padEnd(44), row[1].padStart(10), row[2].padStart(8), row[3].padStart(9), row[4].padStart(9)].join(''),
    );
  if (verdict) console.log(`\n${verdict}`);
}
