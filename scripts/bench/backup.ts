// `npm run bench` section `backup`: `npm run backup`, `npm run verify -- --backup` and `npm run
// restore` as shipped (node dist/cli/*.js, each its own process, start-up included) on a library of
// N images seeded straight into the database and the upload folder (rows and files: an original of
// BENCH_BACKUP_KB KiB and two small variants each, every one its own bytes and SHA-256), on SQLite
// and PostgreSQL: a backup by hard links and one by copies, the backup's check, and a restore into a
// new database and upload folder (every file hashed on the way).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import bcrypt from 'bcrypt';
import { Client } from 'pg';

import { prepareAppDatabase } from '../../src/app/database';
import { postgresDatabase } from './reads';
import { printTable, tempDir } from './util';

export type BackupBenchOptions = { images: number; originalKb: number; databases: ('sqlite' | 'postgres')[] };

const REPO = resolve(__dirname, '..', '..');

/** `count` images (rows and files) in one gallery; keys as the server makes them. Returns the bytes written. */
async function seedLibrary(databaseUrl: string, uploadDir: string, count: number, originalKb: number) {
  const { db, close } = await prepareAppDatabase(databaseUrl);
  let bytes = 0;
  try {
    const role = await db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
    const username = `backup${Date.now()}`;
    const user = await db.user.create({
      data: {
        username,
        usernameLower: username,
        email: `${username}@example.test`,
        emailLower: `${username}@example.test`,
        passwordHash: await bcrypt.hash('bench-password', 4),
        roleId: role.id,
      },
    });
    const gallery = await db.gallery.create({ data: { name: 'Backup bench', ownerId: user.id } });
    for (let start = 0; start < count; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - start) }, () => {
        const stem = randomBytes(16).toString('hex');
        const folder = join(uploadDir, 'images', stem.slice(0, 2));
        mkdirSync(folder, { recursive: true });
        const original = randomBytes(originalKb * 1024);
        writeFileSync(join(folder, `${stem}.jpg`), original);
        writeFileSync(join(folder, `${stem}.thumb.webp`), randomBytes(1024));
        writeFileSync(join(folder, `${stem}.preview.webp`), randomBytes(4096));
        bytes += original.length + 1024 + 4096;
        return {
          galleryId: gallery.id,
          uploaderId: user.id,
          title: `Image ${stem.slice(0, 8)}`,
          storageKey: `${stem}.jpg`,
          mimeType: 'image/jpeg',
          size: original.length,
          sha256: createHash('sha256').update(original).digest('hex'),
        };
      });
      await db.image.createMany({ data: batch });
    }
  } finally {
    await close();
  }
  return bytes;
}

/** Runs `node dist/cli/<name>.js args` to its end: its wall time (process start-up included). */
function timeCli(name: string, args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(REPO, 'dist/cli', `${name}.js`), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done, fail) =>
    child.once('close', (code) =>
      code === 0
        ? done(performance.now() - started)
        : fail(new Error(`${name} ${args.join(' ')} (${code}):\n${output}`)),
    ),
  );
}

/** A second database on the same PostgreSQL server, to restore into. */
async function siblingDatabase(url: string) {
  const name = `${new URL(url).pathname.slice(1)}_restored`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    async drop() {
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

async function runOn(kind: 'sqlite' | 'postgres', options: BackupBenchOptions): Promise<string[][]> {
  const dir = tempDir('gallery-bench-backup-');
  const postgres = kind === 'postgres' ? await postgresDatabase() : null;
  const restored = postgres ? await siblingDatabase(postgres.url) : null;
  try {
    const source = {
      DATABASE_URL: postgres?.url ?? `file:${join(dir.path, 'source.db')}`,
      UPLOAD_DIR: join(dir.path, 'uploads'),
    };
    const seeding = performance.now();
    const bytes = await seedLibrary(source.DATABASE_URL, source.UPLOAD_DIR, options.images, options.originalKb);
    console.log(
      `${kind}: seeded ${options.images} images (${options.images * 3} files, ${(bytes / 1e6).toFixed(0)} MB) ` +
        `in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );
    const target = {
      DATABASE_URL: restored?.url ?? `file:${join(dir.path, 'restored.db')}`,
      UPLOAD_DIR: join(dir.path, 'restored-uploads'),
    };
    const times: [string, number][] = [
      ['backup (hard links)', await timeCli('backup', ['--to', join(dir.path, 'linked')], source)],
      ['backup (--copy)', await timeCli('backup', ['--to', join(dir.path, 'copied'), '--copy'], source)],
      ['verify --backup', await timeCli('verify', ['--backup', join(dir.path, 'copied')], source)],
      ['restore (empty target)', await timeCli('restore', ['--from', join(dir.path, 'copied')], target)],
    ];
    return times.map(([what, ms]) => [
      `${kind}: ${what}`,
      (ms / 1000).toFixed(1),
      Math.round(options.images / (ms / 1000)).toString(),
    ]);
  } finally {
    await restored?.drop();
    await postgres?.drop();
    dir.remove();
  }
}

export async function runBackup(options: BackupBenchOptions) {
  const rows: string[][] = [];
  for (const kind of options.databases) rows.push(...(await runOn(kind, options)));
  console.log(
    `\n${options.images} images, ${options.images * 3} files (original ${options.originalKb} KiB, variants 1 and 4 KiB); ` +
      'wall time of each command, its process start-up included; the server not running\n',
  );
  printTable(['', 's', 'images/s'], rows, [36, 8, 10]);
}
