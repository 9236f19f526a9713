import { constants, createReadStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { StorageError } from './errors';
import { listTempFiles, removeLocalFile } from './local-temp';
import type { Storage } from './storage';
import { KEY_SHAPE } from './storage-keys';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

function ignoreMissing(error: unknown): void {
  if (!isMissing(error)) throw error;
}

/** Makes a directory's entries (a rename into it) durable. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Files under `<root>/images/<first two characters of key>/<key>`; uploads in progress and staged
 * files in `<root>/tmp`, so that storing one is a rename on one filesystem.
 */
export async function createDiskStorage(root: string): Promise<Storage> {
  const base = resolve(root);
  const tempDir = join(base, 'tmp');
  const imagesDir = join(base, 'images');
  await mkdir(tempDir, { recursive: true });
  await mkdir(imagesDir, { recursive: true });

  const checked = (key: string) => {
    if (!KEY_SHAPE.test(key)) throw new Error(`invalid storage key: ${key}`);
    return key;
  };
  const pathOf = (key: string) => join(imagesDir, checked(key).slice(0, 2), key);
  const stagingPath = (key: string) => join(tempDir, checked(key));

  /** The stored file, or its staged copy while a committed upload is being moved into place. */
  async function openStoredOrStaged(key: string) {
    for (const path of [pathOf(key), stagingPath(key)]) {
      try {
        return await open(path, 'r');
      } catch (error) {
        ignoreMissing(error);
      }
    }
    throw new StorageError('not-found', `no stored file ${key}`);
  }

  return {
    tempDir,
    stagesInPlace: false,
    stagingPath,
    async stageFile(key, fromPath) {
      await rename(fromPath, stagingPath(key));
      await syncDirectory(tempDir);
    },
    async stageBytes(key, bytes) {
      const handle = await open(stagingPath(key), 'wx');
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
    async put(key, fromPath) {
      const folder = join(imagesDir, checked(key).slice(0, 2));
      await mkdir(folder, { recursive: true });
      await rename(fromPath, join(folder, key));
      await syncDirectory(folder);
    },
    async get(key, rangeFor) {
      const handle = await openStoredOrStaged(key);
      try {
        const { size } = await handle.stat();
        const range = rangeFor?.(size);
        // The stream owns the descriptor: a delete racing this read cannot truncate what is sent.
        return { stream: createReadStream('', { fd: handle, autoClose: true, ...range }), size, range };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },
    localPaths: (key) => [pathOf(key), stagingPath(key)],
    async stat(key) {
      try {
        const info = await stat(pathOf(key));
        return { key, size: info.size, modifiedAt: info.mtime };
      } catch (error) {
        ignoreMissing(error);
        return null;
      }
    },
    async delete(key) {
      await unlink(pathOf(key)).catch(ignoreMissing);
    },
    async *listKeys(prefix: string): AsyncIterable<string> {
      if (prefix.length < 2) throw new Error('listKeys: a prefix of at least two characters');
      // One folder holds every key of a two-character prefix.
      const entries = await readdir(join(imagesDir, prefix.slice(0, 2)), { withFileTypes: true }).catch(
        (error: unknown) => {
          ignoreMissing(error);
          return [];
        },
      );
      for (const entry of entries) if (entry.isFile() && entry.name.startsWith(prefix)) yield entry.name;
    },
    listTemp: () => listTempFiles(tempDir),
    discardTemp: removeLocalFile,
    async discardStaged(key) {
      await removeLocalFile(stagingPath(key));
    },
    async check() {
      // Both folders there, and this process may list and create files in them: no file is written.
      const rwx = constants.R_OK | constants.W_OK | constants.X_OK;
      await Promise.all([access(imagesDir, rwx), access(tempDir, rwx)]);
    },
  };
}
