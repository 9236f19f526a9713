import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';

import { startNginx, type Nginx } from '../helpers/nginx';
import { startS3Emulator } from '../helpers/s3-emulator';
import { prepareWorld, send, startServer, type ServerProcess } from '../helpers/server-process';

/**
 * Two server processes (dist/server.js) on one PostgreSQL database and one storage, behind nginx:
 * what the multi-node test starts, and how it looks at the storage afterwards.
 */

const ROOT = resolve(__dirname, '../..');
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const S3_PREFIX = 'gallery/';

export type StorageKind = 'disk' | 's3';
export type World = Awaited<ReturnType<typeof prepareWorld>>;

export type Cluster = {
  storage: StorageKind;
  world: World;
  nodes: ServerProcess[];
  nginx: Nginx;
  /** The settings of node `n` (0 or 1), to start it again or to run a CLI as it. */
  envOf(n: number): Record<string, string>;
  /** Every stored file or object key (variants included), sorted. */
  storedKeys(): Promise<string[]>;
  /** Files left in the upload temp folders (uploads in progress, staged files). */
  tempFiles(): string[];
  close(): Promise<void>;
};

function filesUnder(root: string, prefix = ''): string[] {
  let entries;
  try {
    entries = readdirSync(join(root, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(root, path) : [path];
  });
}

/**
 * Disk: both nodes on the same UPLOAD_DIR (images and tmp shared; see docs on why this is safe with
 * the default UPLOAD_TEMP_MAX_AGE_SECONDS). S3: one bucket, each node its own UPLOAD_DIR for the
 * temp files of its uploads in progress.
 */
export async function startCluster(
  nginxBinary: string,
  storage: StorageKind,
  extraEnv: Record<string, string> = {},
): Promise<Cluster> {
  const [world, s3] = await Promise.all([prepareWorld(), storage === 's3' ? startS3Emulator() : Promise.resolve(null)]);
  const common = {
    ...world.env,
    TRUST_PROXY: 'true',
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...extraEnv,
  };
  const envOf = (n: number): Record<string, string> => {
    if (!s3) return common;
    const uploadDir = join(world.uploadDir, `node-${n + 1}`);
    mkdirSync(uploadDir, { recursive: true });
    return { ...common, ...s3.env, S3_PREFIX, UPLOAD_DIR: uploadDir };
  };
  let nodes: ServerProcess[] = [];
  let nginx: Nginx | null = null;
  const client = s3
    ? new S3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      })
    : null;
  const close = async () => {
    await Promise.all(nodes.map((node) => node.stop(2000)));
    await nginx?.stop();
    client?.destroy();
    await Promise.all([world.close(), s3?.stop()]);
  };
  try {
    nodes = await Promise.all([startServer(envOf(0)), startServer(envOf(1))]);
    nginx = await startNginx(nginxBinary, {
      upstreams: nodes.map((node) => node.url),
      maxBodyBytes: MAX_UPLOAD_BYTES + 1024 * 1024,
    });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    storage,
    world,
    nodes,
    nginx,
    envOf,
    async storedKeys() {
      if (!client || !s3)
        return filesUnder(join(world.uploadDir, 'images'))
          .map((path) => path.split('/').at(-1)!)
          .sort();
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key!.slice(S3_PREFIX.length)));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    tempFiles() {
      return s3
        ? [0, 1].flatMap((n) => filesUnder(join(envOf(n).UPLOAD_DIR, 'tmp')))
        : filesUnder(join(world.uploadDir, 'tmp'));
    },
    close,
  };
}

/** Runs a CLI of the build (`dist/cli/<name>.js`) with these settings only; resolves with its output and exit code. */
export function runCli(
  name: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, 'dist/cli', `${name}.js`), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } },
      (error, stdout, stderr) => {
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

/** Every stored key an image row needs: its original and its two variants. */
export const keysOfRow = (storageKey: string) => [
  storageKey,
  `${storageKey.slice(0, 32)}.preview.webp`,
  `${storageKey.slice(0, 32)}.thumb.webp`,
];

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A small JPEG, different for every seed (uploads of the same bytes into one gallery are one image). */
export function photo(seed: number): Promise<Buffer> {
  return sharp({
    create: {
      width: 40 + (seed % 7),
      height: 30,
      channels: 3,
      background: { r: seed % 256, g: Math.floor(seed / 256) % 256, b: 97 },
    },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
}

export function json(url: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return send(url, {
    method,
    path,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify(body)),
  });
}
