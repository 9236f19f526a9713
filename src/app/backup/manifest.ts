import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

import { KEY_SHAPE } from '../../platform/storage/storage-keys';

/**
 * A backup folder:
 *   manifest.json      written last: a folder without it is not a complete backup
 *   database.sqlite    SQLite: the online backup API's copy; or
 *   database.pgdump    PostgreSQL: a pg_dump archive in custom format
 *   files/<ab>/<key>   each image's original and variants (hard links or copies; left out for
 *                      an S3 bucket unless --with-files: the manifest then lists keys and ETags)
 */
export const MANIFEST_FILE = 'manifest.json';
export const FILES_DIR = 'files';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();

const fileEntry = z.object({
  key: z.string().regex(KEY_SHAPE),
  size: count,
  /** The original's is its row's; a variant's is computed by the backup (absent for keys only listed). */
  sha256: sha256.optional(),
  /** The object store's ETag, when the files are in a bucket. */
  etag: z.string().optional(),
});

const imageEntry = z.object({
  id: z.number().int().positive(),
  storageKey: z.string().regex(KEY_SHAPE),
  sha256,
  size: count,
  /** The original first, then the variants the storage held. */
  files: z.array(fileEntry).min(1),
});

export const manifestSchema = z.object({
  format: z.literal('gallery-server-backup'),
  formatVersion: z.literal(1),
  createdAt: z.string(),
  app: z.object({ name: z.string(), version: z.string() }),
  database: z.object({
    kind: z.enum(['sqlite', 'postgres']),
    file: z.enum(['database.sqlite', 'database.pgdump']),
    size: count,
    sha256,
    /** The newest migration applied to the database backed up, and all of them. */
    migration: z.string(),
    migrations: z.array(z.string()),
  }),
  storage: z.object({
    kind: z.enum(['disk', 's3']),
    /** `included`: every file is under files/; `listed`: only keys, sizes and ETags (the bucket keeps the bytes). */
    files: z.enum(['included', 'listed']),
    bucket: z.string().optional(),
    prefix: z.string().optional(),
  }),
  counts: z.object({ users: count, galleries: count, images: count, files: count, bytes: count }),
  /** Images whose stored files lacked a variant (made again by the storage audit after a restore). */
  variantsMissing: z.array(z.number().int().positive()),
  images: z.array(imageEntry),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestImage = z.infer<typeof imageEntry>;
export type ManifestFile = z.infer<typeof fileEntry>;

/** Where a file of the backup is: files/<first two characters>/<key>. */
export function backupFilePath(dir: string, key: string): string {
  return join(dir, FILES_DIR, key.slice(0, 2), key);
}

function fsyncPath(path: string) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Written to a temp name, made durable, renamed: the manifest's presence means the backup is complete. */
export function writeManifest(dir: string, manifest: Manifest): void {
  const temp = join(dir, `${MANIFEST_FILE}.tmp`);
  writeFileSync(temp, `${JSON.stringify(manifest, null, 1)}\n`);
  fsyncPath(temp);
  renameSync(temp, join(dir, MANIFEST_FILE));
  fsyncPath(dir);
}

/** The manifest of the backup in `dir`, checked; throws with what is wrong. */
export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) {
    throw new Error(`${dir} holds no ${MANIFEST_FILE}: not a backup, or one that did not finish`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not JSON: ${String(error)}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${path} is not a backup manifest this version reads: ${first.path.join('.')}: ${first.message}`);
  }
  if (parsed.data.storage.files === 'included') {
    const unhashed = parsed.data.images.flatMap((image) => image.files).find((file) => !file.sha256);
    if (unhashed) throw new Error(`${path}: file ${unhashed.key} has no sha256`);
  }
  return parsed.data;
}
