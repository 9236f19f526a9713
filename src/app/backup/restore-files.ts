import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { Storage } from '../../platform/storage/storage';
import { KEY_SHAPE } from '../../platform/storage/storage-keys';
import { hashStream, inParallel, writeHashed } from './file-io';
import { backupFilePath, type Manifest, type ManifestFile } from './manifest';

/** Files restored at once. */
const AT_ONCE = 16;
/** Keys are 32 hex characters and more: listed by their first two. */
const PREFIXES = Array.from({ length: 256 }, (_, n) => n.toString(16).padStart(2, '0'));

export type RestoreFilesResult = {
  /** Copied from the backup into the storage, their SHA-256 checked on the way. */
  copied: number;
  /** Already in the storage as the manifest has them (a bucket the backup only listed, or a restore with --force). */
  kept: number;
  bytes: number;
  /** Keys the backup (or, for a listed bucket, the storage) does not have. */
  missing: string[];
  /** Keys whose bytes differ from the manifest: not restored. */
  damaged: string[];
};

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function storedHash(storage: Storage, key: string): Promise<string> {
  const { stream } = await storage.get(key);
  return (await hashStream(stream)).sha256;
}

/**
 * Every file the manifest names, into `storage`: copied from the backup through a temp file while
 * its SHA-256 is computed, and stored only when it matches. For a bucket the backup only listed,
 * each object must be there with the size and ETag listed. `checkExisting`: a file already
 * stored with the right bytes is kept (a restore over a storage that is not empty).
 */
export async function restoreFiles(
  storage: Storage,
  manifest: Manifest,
  from: string,
  checkExisting: boolean,
): Promise<RestoreFilesResult> {
  const result: RestoreFilesResult = { copied: 0, kept: 0, bytes: 0, missing: [], damaged: [] };
  const listed = manifest.storage.files === 'listed';

  async function restoreOne(file: ManifestFile) {
    if (listed || checkExisting) {
      const info = await storage.stat(file.key);
      if (listed) {
        if (!info) result.missing.push(file.key);
        else if (info.size !== file.size || (file.etag && info.etag && info.etag !== file.etag))
          result.damaged.push(file.key);
        else result.kept += 1;
        return;
      }
      if (info?.size === file.size && (await storedHash(storage, file.key)) === file.sha256) {
        result.kept += 1;
        return;
      }
    }
    const temp = join(storage.tempDir, `${file.key}.restoring`);
    await rm(temp, { force: true });
    try {
      const source = backupFilePath(from, file.key);
      const written = await writeHashed(
        async () => (await open(source, 'r')).createReadStream({ highWaterMark: 1 << 20 }),
        temp,
      );
      if (written.sha256 !== file.sha256 || written.size !== file.size) {
        result.damaged.push(file.key);
        await rm(temp, { force: true });
        return;
      }
    } catch (error) {
      await rm(temp, { force: true });
      if (!isMissing(error)) throw error;
      result.missing.push(file.key);
      return;
    }
    await storage.put(file.key, temp);
    result.copied += 1;
    result.bytes += file.size;
  }

  await inParallel(
    manifest.images.flatMap((image) => image.files),
    AT_ONCE,
    restoreOne,
  );
  result.missing.sort();
  result.damaged.sort();
  return result;
}

/** The first stored key, or null when the storage holds no file. */
export async function firstStoredKey(storage: Storage): Promise<string | null> {
  for (const prefix of PREFIXES) for await (const key of storage.listKeys(prefix)) return key;
  return null;
}

/** Removes every stored file the manifest does not name (a restore with --force); how many. */
export async function removeOtherFiles(storage: Storage, manifest: Manifest): Promise<number> {
  const keep = new Set(manifest.images.flatMap((image) => image.files.map((file) => file.key)));
  let removed = 0;
  for (const prefix of PREFIXES) {
    const others: string[] = [];
    // Only keys the server makes: anything else under the bucket's prefix is not the server's to remove.
    for await (const key of storage.listKeys(prefix)) if (KEY_SHAPE.test(key) && !keep.has(key)) others.push(key);
    for (const key of others) await storage.delete(key);
    removed += others.length;
  }
  return removed;
}
