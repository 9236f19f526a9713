import { constants } from 'node:fs';
import { copyFile, link, mkdir, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

import { StorageError } from '../../platform/storage/errors';
import type { Storage } from '../../platform/storage/storage';
import { keysOf } from '../../platform/storage/storage-keys';
import type { SnapshotImage } from './backup-rows';
import { fsyncFile, fsyncPath, hashFile, inParallel, writeHashed } from './file-io';
import { backupFilePath, type ManifestFile, type ManifestImage } from './manifest';

/*
 * The files of a snapshot's images, into the backup folder. On disk: a hard link to the stored
 * file (or to its staged copy, for an upload committed but not yet moved into place), a copy when
 * the backup is on another filesystem or copies are asked for. On S3: each object's size and ETag
 * listed, and with `withFiles` its bytes downloaded. A file that is gone is reported, never
 * skipped in silence: the caller decides between a retry and a failure.
 */

export type ExportMode = { copy: boolean; withFiles: boolean };
export type ExportStats = { linked: number; copied: number; downloaded: number; listed: number; bytes: number };
export type ExportResult = {
  images: ManifestImage[];
  /** Images with files gone between the snapshot and their export: `original` when it was one of them. */
  vanished: { image: SnapshotImage; keys: string[]; original: boolean }[];
  /** Originals whose size (or, when downloaded, SHA-256) differs from their row. */
  damaged: { image: SnapshotImage; reason: string }[];
  stats: ExportStats;
};

/** Images exported at once: enough to keep a disk or a bucket busy. */
const AT_ONCE = 16;

type Exported = { file: ManifestFile; how: 'linked' | 'copied' | 'downloaded' | 'listed'; sha256?: string };

const isMissing = (error: unknown) =>
  (error as NodeJS.ErrnoException).code === 'ENOENT' ||
  (error instanceof StorageError && error.failure === 'not-found');

export function createFileExporter(storage: Storage, dir: string, mode: ExportMode) {
  const folders = new Set<string>();
  let copyOnly = mode.copy;

  async function folderFor(path: string) {
    const folder = dirname(path);
    if (!folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      folders.add(folder);
    }
  }

  /** Links (or copies) the first of the file's local places that exists; null when none does. */
  async function placeLocal(paths: string[], dest: string): Promise<'linked' | 'copied' | null> {
    // Stored, staged, stored again: a committed upload may be moved into place between the tries.
    for (const path of [...paths, paths[0]]) {
      try {
        if (!copyOnly) {
          try {
            await link(path, dest);
            return 'linked';
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
            copyOnly = true;
          }
        }
        await copyFile(path, dest, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
        await fsyncFile(dest);
        return 'copied';
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return null;
  }

  async function exportLocal(key: string, original: boolean): Promise<Exported | null> {
    const dest = backupFilePath(dir, key);
    await folderFor(dest);
    const how = await placeLocal(storage.localPaths!(key), dest);
    if (!how) return null;
    const { size } = await stat(dest);
    // An original's SHA-256 is its row's (checked by the restore and by verify); a variant's is computed here.
    const sha256 = original ? undefined : (await hashFile(dest)).sha256;
    return { file: { key, size, sha256 }, how };
  }

  async function exportRemote(key: string): Promise<Exported | null> {
    const info = await storage.stat(key);
    if (!info) return null;
    if (!mode.withFiles) return { file: { key, size: info.size, etag: info.etag }, how: 'listed' };
    const dest = backupFilePath(dir, key);
    await folderFor(dest);
    try {
      const written = await writeHashed(async () => (await storage.get(key)).stream, dest);
      return { file: { key, size: written.size, sha256: written.sha256, etag: info.etag }, how: 'downloaded' };
    } catch (error) {
      await rm(dest, { force: true });
      if (isMissing(error)) return null;
      throw error;
    }
  }

  const exportOne = (key: string, original: boolean) =>
    storage.localPaths ? exportLocal(key, original) : exportRemote(key);

  /** Every file of every image; what is gone or damaged is reported, the rest listed for the manifest. */
  async function exportAll(images: SnapshotImage[]): Promise<ExportResult> {
    const result: ExportResult = {
      images: [],
      vanished: [],
      damaged: [],
      stats: { linked: 0, copied: 0, downloaded: 0, listed: 0, bytes: 0 },
    };
    const done = new Map<number, ManifestImage>();
    await inParallel(images, AT_ONCE, async (image) => {
      const files: ManifestFile[] = [];
      const gone: string[] = [];
      for (const key of keysOf(image.storageKey)) {
        const original = key === image.storageKey;
        const exported = await exportOne(key, original);
        if (!exported) {
          gone.push(key);
          continue;
        }
        result.stats[exported.how] += 1;
        result.stats.bytes += exported.file.size;
        if (original) {
          if (exported.file.size !== image.size) {
            result.damaged.push({ image, reason: `${exported.file.size} bytes, its row says ${image.size}` });
          } else if (exported.file.sha256 && exported.file.sha256 !== image.sha256) {
            result.damaged.push({ image, reason: 'its SHA-256 differs from its row' });
          }
          exported.file.sha256 = image.sha256;
        }
        files.push(exported.file);
      }
      if (gone.length > 0) result.vanished.push({ image, keys: gone, original: gone.includes(image.storageKey) });
      if (!gone.includes(image.storageKey)) done.set(image.id, { ...image, files });
    });
    result.images = images.flatMap((image) => done.get(image.id) ?? []);
    // The new entries (links and copies) made durable, folder by folder.
    for (const folder of folders) fsyncPath(folder);
    return result;
  }

  return { exportAll };
}
