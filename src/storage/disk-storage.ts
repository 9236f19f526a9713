import { createReadStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError } from '../http/errors';
import type { Storage } from './storage';

const KEY_SHAPE = /^[a-f0-9]{32}\.[a-z0-9]{2,5}$/;

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

/**
 * Files under `<root>/images/<first two characters of key>/<key>`; uploads in progress in
 * `<root>/tmp`, so that moving one into place is a rename on one filesystem.
 */
export async function createDiskStorage(root: string): Promise<Storage> {
  const base = resolve(root);
  const tempDir = join(base, 'tmp');
  const imagesDir = join(base, 'images');
  await mkdir(tempDir, { recursive: true });
  await mkdir(imagesDir, { recursive: true });

  const pathOf = (key: string) => {
    if (!KEY_SHAPE.test(key)) throw new Error(`invalid storage key: ${key}`);
    return join(imagesDir, key.slice(0, 2), key);
  };

  return {
    tempDir,
    async putFromTemp(tempPath, key) {
      const target = pathOf(key);
      await mkdir(join(imagesDir, key.slice(0, 2)), { recursive: true });
      await rename(tempPath, target);
    },
    async open(key, range) {
      let handle;
      try {
        handle = await open(pathOf(key), 'r');
      } catch (error) {
        ignoreMissing(error);
        throw new AppError('NOT_FOUND', 'Image file not found');
      }
      const { size } = await handle.stat();
      // The stream owns the descriptor: a delete racing this read cannot truncate what is sent.
      return { stream: createReadStream('', { fd: handle, autoClose: true, ...range }), size };
    },
    async delete(key) {
      await unlink(pathOf(key)).catch(ignoreMissing);
    },
    async discardTemp(tempPath) {
      await unlink(tempPath).catch(ignoreMissing);
    },
  };
}
