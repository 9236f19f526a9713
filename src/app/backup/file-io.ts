import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** Makes a file, or a folder's entries, durable. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a file durable, without blocking the event loop. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export type Hashed = { sha256: string; size: number };

/** The SHA-256 and length of a stream's bytes. */
export async function hashStream(stream: Readable): Promise<Hashed> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

export function hashFile(path: string): Promise<Hashed> {
  return hashStream(createReadStream(path, { highWaterMark: 1 << 20 }));
}

/**
 * Writes the stream `source` opens to a new file (failing if it exists), hashing it on the way,
 * durable once it resolves. The stream is opened only once the file is, and read at once, so that
 * none of its errors goes unheard.
 */
export async function writeHashed(source: () => Promise<Readable>, path: string): Promise<Hashed> {
  const handle = await open(path, 'wx');
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of await source()) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      size += bytes.length;
      await handle.write(bytes);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), size };
}

/** Runs `work` over `items`, `width` at a time, in order of the list. */
export async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}
