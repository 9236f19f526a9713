// `npm run bench` section `reads`: the read paths of the server as shipped (dist/server.js in its
// own process) against a reference (a bare Express process returning the same 50-item page from
// memory), both loaded by autocannon from this process, on SQLite and on PostgreSQL, at 10 and 50
// connections. Each figure is a ratio to the reference measured in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import bcrypt from 'bcrypt';
import { Client } from 'pg';

import { prepareAppDatabase } from '../../src/app/database';
import { freePort } from '../lib/free-port';
import { killOnExit, printTable, tempDir, verdict } from './util';

const REPO = resolve(__dirname, '..', '..');

export type ReadsOptions = {
  databases: ('sqlite' | 'postgres')[];
  connections: number[];
  duration: number;
  images: number;
};

export type Result = { name: string; connections: number; rps: number; p50: number; p99: number; errors: number };

/** A database with `count` images in one gallery of one Beta Player (password 'bench-password'). */
export async function seed(url: string, count: number) {
  const { db, close } = await prepareAppDatabase(url);
  try {
    const role = await db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
    const username = `bench${Date.now()}`;
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
    const gallery = await db.gallery.create({ data: { name: 'Bench gallery', ownerId: user.id } });
    // Each image its own creation time, one millisecond apart, as uploads one by one would have
    // (a batch insert would give a thousand the same time, which no upload path produces).
    const firstCreated = Date.now() - count;
    for (let start = 0; start < count; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - start) }, (_, i) => ({
        galleryId: gallery.id,
        uploaderId: user.id,
        title: `Image ${start + i}`,
        description: 'A benchmark image with a short description.',
        storageKey: `${(start + i).toString(16).padStart(32, '0')}.png`,
        mimeType: 'image/png',
        size: 123_456,
        sha256: createHash('sha256')
          .update(`bench image ${start + i}`)
          .digest('hex'), // (gallery, sha256) is unique
        width: 1920,
        height: 1080,
        createdAt: new Date(firstCreated + start + i),
      }));
      await db.image.createMany({ data: batch });
    }
    return { username };
  } finally {
    await close();
  }
}

/** The environment of a server measured by a bench: production, quiet, no rate limit, no start-up audit. */
export function benchServerEnv(databaseUrl: string, dir: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    UPLOAD_DIR: join(dir, 'uploads'),
    LOG_LEVEL: 'error',
    RATE_LIMIT_PER_MINUTE: '1000000',
    RECONCILE_ON_START: 'off',
  };
}

/** Starts `args` with node in its own process; resolves with its URL once /health (or `/page`) answers. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  probe: string,
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stopKill = killOnExit(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} ended:\n${stderr}`);
    if (
      await fetch(`${url}${probe}`).then(
        (res) => res.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not answer:\n${stderr}`);
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
      stopKill();
    },
  };
}

export async function measure(
  name: string,
  url: string,
  connections: number,
  duration: number,
  headers: Record<string, string> = {},
): Promise<Result> {
  await autocannon({ url, connections, duration: 1, headers }); // warm-up
  const result = await autocannon({ url, connections, duration, headers });
  return {
    name,
    connections,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** A PostgreSQL database of its own: on BENCH_DATABASE_URL's server, or a throwaway cluster. */
export async function postgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  let base = process.env.BENCH_DATABASE_URL;
  let stopCluster = () => undefined as void;
  if (!base) {
    const { startCluster } = (await import(pathToFileURL(join(REPO, 'scripts/pg-cluster.mjs')).href)) as {
      startCluster: () => Promise<{ url: string; stop: () => void }>;
    };
    const cluster = await startCluster();
    base = cluster.url;
    stopCluster = cluster.stop;
  }
  const name = `gallery_bench_${process.pid}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      stopCluster();
    },
  };
}

async function runOn(kind: 'sqlite' | 'postgres', options: ReadsOptions) {
  const dir = tempDir('gallery-bench-reads-');
  const postgres = kind === 'postgres' ? await postgresDatabase() : null;
  const databaseUrl = postgres?.url ?? `file:${join(dir.path, 'bench.db')}`;
  process.stdout.write(`${kind}: seeding ${options.images} images... `);
  const { username } = await seed(databaseUrl, options.images);
  console.log('done');
  const serverEnv = benchServerEnv(databaseUrl, dir.path);
  const server = await startProcess(['dist/server.js'], serverEnv, '/health');
  // The same server with PAGE_JSON=server: the page serialised in the server, for comparison.
  const serverJson = await startProcess(['dist/server.js'], { ...serverEnv, PAGE_JSON: 'server' }, '/health');
  // And with no page kept in memory (pages are kept while nothing commits): every page read.
  const serverUncached = await startProcess(['dist/server.js'], { ...serverEnv, PAGE_CACHE_MB: '0' }, '/health');
  let reference: Awaited<ReturnType<typeof startProcess>> | null = null;
  try {
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'bench-password' }),
    }).then((res) => res.json() as Promise<{ token: string }>);
    const headers = { authorization: `Token ${login.token}` };
    const pageText = await fetch(`${server.url}/api/gallery/images/`, { headers }).then((res) => res.text());
    const page = JSON.parse(pageText) as { id: number }[];
    if (page.length !== 50) throw new Error(`expected a page of 50, got ${page.length}`);
    // The cursor of page 200 (the last page of 10,000 at 50 a page), found by following the Link headers.
    let deepPage = `${server.url}/api/gallery/images/`;
    for (let n = 1; n < 200; n++) {
      const link = (await fetch(deepPage, { headers })).headers.get('link');
      if (!link) break;
      deepPage = `${server.url}${/<([^>]+)>/.exec(link)![1]}`;
    }
    const pageFile = join(dir.path, 'page.json');
    writeFileSync(pageFile, pageText);
    reference = await startProcess(['scripts/bench/reference-server.mjs', pageFile], {}, '/page');

    const results: Result[] = [];
    for (const connections of options.connections) {
      const routes: [string, string, Record<string, string>][] = [
        ['reference: bare Express, same page from memory', `${reference.url}/page`, {}],
        ['GET /api/gallery/images/ (page of 50)', `${server.url}/api/gallery/images/`, headers],
        ['the same, PAGE_JSON=server', `${serverJson.url}/api/gallery/images/`, headers],
        ['the same, PAGE_CACHE_MB=0 (every page read)', `${serverUncached.url}/api/gallery/images/`, headers],
        ['GET /api/gallery/images/{id}/', `${server.url}/api/gallery/images/${page[10].id}/`, headers],
        ['GET /api/auth/me/', `${server.url}/api/auth/me/`, headers],
        ['GET /api/gallery/images/ page 200 (keyset cursor)', deepPage, headers],
      ];
      for (const [name, url, routeHeaders] of routes)
        results.push(await measure(name, url, connections, options.duration, routeHeaders));
    }
    return results;
  } finally {
    await reference?.stop();
    await serverJson.stop();
    await serverUncached.stop();
    await server.stop();
    await postgres?.drop();
    dir.remove();
  }
}

const TARGETS: Record<'sqlite' | 'postgres', [string, number][]> = {
  sqlite: [['GET /api/gallery/images/ (page of 50)', 0.55]],
  postgres: [
    ['GET /api/gallery/images/ (page of 50)', 0.5],
    ['GET /api/gallery/images/{id}/', 0.7],
    ['GET /api/auth/me/', 0.6],
  ],
};

export async function runReads(options: ReadsOptions) {
  const verdicts: string[] = [];
  for (const kind of options.databases) {
    const results = await runOn(kind, options);
    console.log(
      `\n${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${options.images} images, ${options.duration} s per route, server and reference each in its own process, node ${process.version}\n`,
    );
    const rows = results.map((r) => {
      const base = results.find((x) => x.connections === r.connections && x.name.startsWith('reference'))!.rps;
      return [
        r.name,
        String(r.connections),
        r.rps.toFixed(0),
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        (r.p99 / Math.max(r.p50, 1)).toFixed(1),
        (r.rps / base).toFixed(2),
        String(r.errors),
      ];
    });
    printTable(
      ['route', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'p99/p50', 'ratio', 'errors'],
      rows,
      [52, 6, 9, 8, 8, 9, 7, 7],
    );
    const label = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    for (const connections of options.connections) {
      const at = results.filter((r) => r.connections === connections);
      const base = at.find((r) => r.name.startsWith('reference'))!.rps;
      for (const [name, target] of TARGETS[kind]) {
        const result = at.find((r) => r.name === name);
        if (result)
          verdicts.push(
            verdict(
              result.rps / base >= target,
              `${label}, ${connections} connections, ${name}: ${(result.rps / base).toFixed(2)} of the reference (target ${target})`,
            ),
          );
      }
      const first = at.find((r) => r.name.startsWith('GET /api/gallery/images/ (page'));
      const deep = at.find((r) => r.name.includes('page 200'));
      if (first && deep)
        verdicts.push(
          verdict(
            first.rps / deep.rps <= 1.5,
            `${label}, ${connections} connections: page 200 costs ${(first.rps / deep.rps).toFixed(2)}x page 1 (target ≤ 1.5)`,
          ),
        );
      if (connections >= 50) {
        for (const r of at.filter((x) => !x.name.startsWith('reference'))) {
          const ratio = r.p99 / Math.max(r.p50, 1);
          verdicts.push(
            verdict(
              ratio <= 4,
              `${label}, ${connections} connections, ${r.name}: p99 ${r.p99.toFixed(0)} ms = ${ratio.toFixed(1)} × p50 (target ≤ 4)`,
            ),
          );
        }
      }
    }
  }
  console.log(`\n${verdicts.join('\n')}`);
}
