import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import type { TempFile } from './storage';

/** Every file in a local temp folder (uploads in progress, staged files), with its time. */
export async function listTempFiles(tempDir: string): Promise<TempFile[]> {
  const names = await readdir(tempDir);
  const files = await Promise.all(
    names.map(async (name) => {
      const info = await stat(join(tempDir, name)).catch(() => null);
      return info?.isFile() ? { path: join(tempDir, name), name, modifiedAt: info.mtime } : null;
    }),
  );
  return files.filter((file) => file !== null);
}

/** Removes a local file; one already gone is not an error. */
export async function removeLocalFile(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  });
}
