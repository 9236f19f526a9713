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
import sharp from 'sharp';

import { buildApp } from '../../src/app/app';
import { prepareAppDatabase } from '../../src/app/database';
import { createDiskStorage } from '../../src/platform/storage/disk-storage';
import { loadConfig } from '../../src/shared/config';
import { VARIANTS } from '../../src/shared/image-variants';
import { createLogger } from '../../src/shared/logger';
import { LARGE, photoJpeg, sharedNoiseJpegs, SMALL, writeAll, type JpegSpec } from './images';
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

async function batch(
  target: Target,
  label: string,
  bodies: { contentType: string; body: Buffer }[],
  concurrency: number,
): Promise<Row> {
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
  return {
    name: `${target.name}, ${label}`,
    size: (bytes / bodies.length / 1e6).toFixed(2),
    n: bodies.length,
    mbPerS: mb(bytes) / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

/** What any server must do with an upload it checks: read the header, decode once (failing on damage), encode the variants. */
async function bareSharpVariants(path: string, maxPixels: number) {
  await sharp(path).metadata();
  const { data, info } = await sharp(path, { failOn: 'warning', limitInputPixels: maxPixels })
    .rotate()
    .resize({
      width: VARIANTS.preview.maxSide,
      height: VARIANTS.preview.maxSide,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
  await sharp(data, raw).webp({ quality: VARIANTS.preview.quality, effort: VARIANTS.preview.effort }).toBuffer();
  await sharp(data, raw)
    .resize({ width: VARIANTS.thumb.maxSide, height: VARIANTS.thumb.maxSide, fit: 'inside' })
    .webp({ quality: VARIANTS.thumb.quality, effort: VARIANTS.thumb.effort })
    .toBuffer();
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
      data: {
        username,
        usernameLower: username,
        email: `${username}@example.test`,
        emailLower: `${username}@example.test`,
        passwordHash: await bcrypt.hash('bench-password', 4),
        roleId: role.id,
      },
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

    const login = await postJson<{ token: string }>(`${oursUrl}/api/auth/login`, {
      username,
      password: 'bench-password',
    });
    const auth = { authorization: `Token ${login.json.token}` };
    const gallery = await postJson<{ id: number }>(
      `${oursUrl}/api/gallery/galleries/`,
      { name: 'Upload bench', description: 'noise' },
      auth,
    );
    if (gallery.status !== 201) throw new Error(`create gallery: ${gallery.status} ${JSON.stringify(gallery.json)}`);

    process.stdout.write(
      `generating ${options.small + 2} × ${SMALL.label} and ${options.large} × ${LARGE.label} noise JPEGs... `,
    );
    const smallImages = await sharedNoiseJpegs(SMALL, options.small + 2);
    const largeImages = await sharedNoiseJpegs(LARGE, options.large);
    console.log('done');
    const bodiesOf = (spec: JpegSpec, images: Buffer[]) =>
      images.map((bytes, i) =>
        multipartBody(
          { title: `Noise ${spec.label} #${i}`, gallery: String(gallery.json.id) },
          { field: 'image', filename: `noise-${i}.jpg`, contentType: 'image/jpeg' },
          bytes,
        ),
      );
    const warmUp = bodiesOf(SMALL, smallImages.slice(0, 2));
    const sets: [JpegSpec, { contentType: string; body: Buffer }[]][] = [
      [SMALL, bodiesOf(SMALL, smallImages.slice(2))],
      [LARGE, bodiesOf(LARGE, largeImages)],
    ];

    const agentOptions = { keepAlive: true, maxSockets: options.concurrency };
    const targets: Target[] = [
      {
        name: 'reference: plain http → file',
        url: `${refUrl}/`,
        headers: auth,
        agent: new http.Agent(agentOptions),
        expect: 201,
      },
      {
        name: 'POST /api/gallery/images/',
        url: `${oursUrl}/api/gallery/images/`,
        headers: auth,
        agent: new http.Agent(agentOptions),
        expect: 201,
      },
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

    // The unavoidable work of a large upload besides the transfer: bare sharp checking the header,
    // decoding the whole file once (refusing a damaged one) and encoding the same two variants.
    const largePaths = await writeAll(dir.path, largeImages, 'large');
    const sharpMs: number[] = [];
    for (const path of largePaths) {
      const start = performance.now();
      await bareSharpVariants(path, config.maxImagePixels);
      sharpMs.push(performance.now() - start);
    }

    // A photo-like 12 MP JPEG: the time to its 201, and to its thumbnail served after that.
    const photo = await photoJpeg();
    const photoTimes: { created: number; thumb: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const bytes = Buffer.concat([photo, Buffer.from(`photo ${i}`)]); // other bytes, not a duplicate
      const body = multipartBody(
        { title: `Photo ${i}`, gallery: String(gallery.json.id) },
        { field: 'image', filename: 'photo.jpg', contentType: 'image/jpeg' },
        bytes,
      );
      const start = performance.now();
      const reply = await post(`${oursUrl}/api/gallery/images/`, auth, body.contentType, { buffer: body.body });
      const created = performance.now() - start;
      if (reply.status !== 201) throw new Error(`photo upload: ${reply.status} ${reply.body.slice(0, 200)}`);
      const id = (JSON.parse(reply.body) as { id: number }).id;
      const thumb = await fetch(`${oursUrl}/api/gallery/images/${id}/file/?size=thumb`, { headers: auth });
      await thumb.arrayBuffer();
      if (thumb.status !== 200) throw new Error(`photo thumbnail: ${thumb.status}`);
      photoTimes.push({ created, thumb: performance.now() - start });
    }

    const mode = options.concurrency === 1 ? 'sequential (1 at a time)' : `${options.concurrency} concurrent`;
    console.log(
      `\nUpload throughput: ${mode}, one keep-alive connection per concurrent upload, identical multipart bodies to both servers, both in this process`,
    );
    console.log(
      `  ${SMALL.label} = ${SMALL.width}×${SMALL.height} q${SMALL.quality} ${SMALL.chromaSubsampling}; ${LARGE.label} = ${LARGE.width}×${LARGE.height} q${LARGE.quality} ${LARGE.chromaSubsampling}; gaussian noise\n`,
    );
    printTable(
      ['upload', 'MB each', 'n', 'MB/s', 'p50 ms', 'p99 ms', 'ratio', 'errors'],
      rows.map((r, i) => {
        const base = rows[i - (i % 2)];
        return [
          r.name,
          r.size,
          String(r.n),
          r.mbPerS.toFixed(1),
          r.p50.toFixed(0),
          r.p99.toFixed(0),
          (r.mbPerS / base.mbPerS).toFixed(2),
          String(r.errors),
        ];
      }),
      [44, 9, 5, 9, 9, 9, 7, 8],
    );
    const small = rows.filter((r) => r.name.endsWith(SMALL.label));
    const large = rows.filter((r) => r.name.endsWith(LARGE.label));
    const sharpP50 = percentile(sharpMs, 50);
    const reference = large[0].p50 + sharpP50;
    console.log(
      `\n  bare sharp on the same ${LARGE.label} files (header, one decode that refuses damage, the 2 WebP variants): median ${sharpP50.toFixed(0)} ms of ${sharpMs.length}`,
    );
    console.log(
      `  ${LARGE.label}: ours p50 ${large[1].p50.toFixed(0)} ms; plain copy p50 ${large[0].p50.toFixed(0)} ms + bare sharp ${sharpP50.toFixed(0)} ms = ${reference.toFixed(0)} ms`,
    );
    const median = (values: number[]) => percentile(values, 50);
    console.log(
      `  photo-like 12 MP JPEG (${(photo.length / 1e6).toFixed(1)} MB), median of 3: 201 after ${median(photoTimes.map((t) => t.created)).toFixed(0)} ms, its thumbnail served after ${median(photoTimes.map((t) => t.thumb)).toFixed(0)} ms`,
    );
    console.log('');
    console.log(
      `info  ${SMALL.label} uploads: ${(small[1].mbPerS / small[0].mbPerS).toFixed(2)} of the plain copy; ${LARGE.label}: ${(large[1].mbPerS / large[0].mbPerS).toFixed(2)}`,
    );
    const ratio = large[1].p50 / reference;
    console.log(
      verdict(
        ratio <= options.target && large[1].errors === 0,
        `${LARGE.label} uploads: ${ratio.toFixed(2)} × (plain copy + bare sharp) (target ≤ ${options.target})`,
      ),
    );
  } finally {
    for (const server of servers) await closeServer(server);
    await close();
    dir.remove();
  }
}
