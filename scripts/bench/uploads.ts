// Upload throughput: POST /api/gallery/images/ (this app, in this process) against a plain Node
// http server (also in this process) that pipes the request body to a file, both fed the same
// pre-built multipart bodies by the same http.request client.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import bcrypt from 'bcrypt';
import type express from 'express';
import { buildApp } from '../../src/app/app';
import { loadConfig } from '../../src/shared/config';
import { prepareAppDatabase } from '../../src/app/database';
import { createLogger } from '../../src/shared/logger';
import { createDiskStorage } from '../../src/platform/storage/disk-storage';
import { LARGE, SMALL, sharedNoiseJpegs, writeAll, type JpegSpec } from './images';
import { multipartBody, post, postJson } from './multipart';
import { mb, percentile, pool, printTable, tempDir, verdict } from './util';

export type UploadOptions = { small: number; large: number; concurrency: number; target: number };

type Target = { name: string; url: string; headers: Record<string, string>; agent: http.Agent; expect: number };
type Row = { name: string; size: string; n: number; mbPerS: number; p50: number; p99: number; errors: number };

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}
const closeServer = (server: http.Server) =>
  new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });

/** The reference: every POST body piped to its own file, then 201 with a tiny JSON reply. */
function plainCopyServer(dir: string): http.Server {
  let n = 0;
  return http.createServer((req, res) => {
    pipeline(req, createWriteStream(join(dir, `${n++}.bin`))).then(
      () => {
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      },
      () => {
        res.writeHead(500).end();
      },
    );
  });
}

async function batch(target: Target, label: string, bodies: { contentType: string; body: Buffer }[], concurrency: number): Promise<Row> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  const start = performance.now();
  await pool(bodies, concurrency, async ({ contentType, body }) => {
    const reply = await post(target.url, target.headers, contentType, { buffer: body }, { agent: target.agent });
    latencies.push(reply.ms);
    if (reply.status !== target.expect) {
      errors += 1;
      firstError ||= `${reply.status} ${reply.body.slice(0, 200)}`;
    }
  });
  const seconds = (performance.now() - start) / 1000;
  if (firstError) console.error(`  ${target.name} ${label}: ${errors} unexpected replies, first: ${firstError}`);
  const bytes = bodies.reduce((sum, b) => sum + b.body.length, 0);
  return { name: `${target.name}, ${label}`, size: (bytes / bodies.length / 1e6).toFixed(2), n: bodies.length, mbPerS: mb(bytes) / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

export async function runUploadThroughput(options: UploadOptions): Promise<void> {
  const dir = tempDir('gallery-bench-uploads-');
  const databaseUrl = `file:${join(dir.path, 'uploads.db')}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    UPLOAD_DIR: join(dir.path, 'uploads'),
    LOG_LEVEL: 'error',
    BCRYPT_COST: '10',
    RATE_LIMIT_PER_MINUTE: '1000000',
    MAX_UPLOAD_BYTES: String(150 * 1024 * 1024),
    STORAGE_QUOTA_MB: '100000',
  });
  const { db, reader, changes, close } = await prepareAppDatabase(databaseUrl);
  const servers: http.Server[] = [];
  try {
    const role = await db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
    const username = 'benchuploader';
    await db.user.create({
      data: { username, usernameLower: username, email: `${username}@example.test`, emailLower: `${username}@example.test`, passwordHash: await bcrypt.hash('bench-password', 4), roleId: role.id },
    });

    const storage = await createDiskStorage(config.uploadDir);
    const app: express.Express = buildApp({ config, db, reader, changes, storage, logger: createLogger('error') });
    const ours = http.createServer(app);
    ours.requestTimeout = 10 * 60 * 1000;
    servers.push(ours);
    const oursUrl = await listen(ours);
    const plainDir = join(dir.path, 'plain');
    mkdirSync(plainDir);
    const ref = plainCopyServer(plainDir);
    servers.push(ref);
    const refUrl = await listen(ref);

    const login = await postJson<{ token: string }>(`${oursUrl}/api/auth/login`, { username, password: 'bench-password' });
    const auth = { authorization: `Token ${login.json.token}` };
    const gallery = await postJson<{ id: number }>(`${oursUrl}/api/gallery/galleries/`, { name: 'Upload bench', description: 'noise' }, auth);
    if (gallery.status !== 201) throw new Error(`create gallery: ${gallery.status} ${JSON.stringify(gallery.json)}`);

    process.stdout.write(`generating ${options.small + 2} × ${SMALL.label} and ${options.large} × ${LARGE.label} noise JPEGs... `);
    const smallImages = await sharedNoiseJpegs(SMALL, options.small + 2);
    const largeImages = await sharedNoiseJpegs(LARGE, options.large);
    console.log('done');
    const bodiesOf = (spec: JpegSpec, images: Buffer[]) =>
      images.map((bytes, i) => multipartBody({ title: `Noise ${spec.label} #${i}`, gallery: String(gallery.json.id) }, { field: 'image', filename: `noise-${i}.jpg`, contentType: 'image/jpeg' }, bytes));
    const warmUp = bodiesOf(SMALL, smallImages.slice(0, 2));
    const sets: [JpegSpec, { contentType: string; body: Buffer }[]][] = [
      [SMALL, bodiesOf(SMALL, smallImages.slice(2))],
      [LARGE, bodiesOf(LARGE, largeImages)],
    ];

    const agentOptions = { keepAlive: true, maxSockets: options.concurrency };
    const targets: Target[] = [
      { name: 'reference: plain http → file', url: `${refUrl}/`, headers: auth, agent: new http.Agent(agentOptions), expect: 201 },
      { name: 'POST /api/gallery/images/', url: `${oursUrl}/api/gallery/images/`, headers: auth, agent: new http.Agent(agentOptions), expect: 201 },
    ];
    for (const target of targets) await batch(target, 'warm-up', warmUp, 1);

    const rows: Row[] = [];
    for (const [spec, bodies] of sets) {
      for (const target of targets) {
        execFileSync('sync'); // the previous batch's dirty pages are not left for this one to flush
        rows.push(await batch(target, spec.label, bodies, options.concurrency));
      }
    }
    for (const target of targets) target.agent.destroy();

    // Where the time of a large upload goes: the decode and variants alone, on the same file.
    const { processImage } = await import('../../src/features/images');
    const [largePath] = await writeAll(dir.path, largeImages.slice(0, 1), 'large');
    const processMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await processImage(largePath, 'image/jpeg', config.maxImagePixels);
      processMs.push(performance.now() - start);
    }

    const mode = options.concurrency === 1 ? 'sequential (1 at a time)' : `${options.concurrency} concurrent`;
    console.log(`\nUpload throughput: ${mode}, one keep-alive connection per concurrent upload, identical multipart bodies to both servers, both in this process`);
    console.log(`  ${SMALL.label} = ${SMALL.width}×${SMALL.height} q${SMALL.quality} ${SMALL.chromaSubsampling}; ${LARGE.label} = ${LARGE.width}×${LARGE.height} q${LARGE.quality} ${LARGE.chromaSubsampling}; gaussian noise\n`);
    printTable(
      ['upload', 'MB each', 'n', 'MB/s', 'p50 ms', 'p99 ms', 'ratio', 'errors'],
      rows.map((r, i) => {
        const base = rows[i - (i % 2)];
        return [r.name, r.size, String(r.n), r.mbPerS.toFixed(1), r.p50.toFixed(0), r.p99.toFixed(0), (r.mbPerS / base.mbPerS).toFixed(2), String(r.errors)];
      }),
      [44, 9, 5, 9, 9, 9, 7, 8],
    );
    console.log(`\n  processImage() alone on one ${LARGE.label} image (header, EXIF, decode, 2 WebP variants): median ${percentile(processMs, 50).toFixed(0)} ms of 3`);
    console.log('');
    const small = rows.filter((r) => r.name.endsWith(SMALL.label));
    const large = rows.filter((r) => r.name.endsWith(LARGE.label));
    console.log(`info  ${SMALL.label} uploads: ${(small[1].mbPerS / small[0].mbPerS).toFixed(2)} of the plain copy`);
    const ratio = large[1].mbPerS / large[0].mbPerS;
    console.log(verdict(ratio >= options.target && large[1].errors === 0, `${LARGE.label} uploads: ${ratio.toFixed(2)} of the plain copy (target ${options.target})`));
  } finally {
    for (const server of servers) await closeServer(server);
    await close();
    dir.remove();
  }
}
