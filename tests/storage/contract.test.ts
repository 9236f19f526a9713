import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import { createDiskStorage } from '../../src/platform/storage/disk-storage';
import { StorageError } from '../../src/platform/storage/errors';
import { createS3Storage } from '../../src/platform/storage/s3-storage';
import type { Storage } from '../../src/platform/storage/storage';
import { newStorageKey, variantKey } from '../../src/platform/storage/storage-keys';
import { startS3Emulator } from '../helpers/s3-emulator';
import { testDbKind } from '../helpers/test-env';

/**
 * The Storage contract, the same cases for every driver: the disk, and S3 (against s3rver, a local
 * emulator of the S3 API). It needs no database: it runs once, with the SQLite pass of the suite.
 */
const drivers: [string, () => Promise<{ storage: Storage; stop(): Promise<void> }>][] = [
  [
    'disk',
    async () => {
      const root = mkdtempSync(join(tmpdir(), 'gallery-contract-'));
      return {
        storage: await createDiskStorage(root),
        stop: () => Promise.resolve(rmSync(root, { recursive: true, force: true })),
      };
    },
  ],
  [
    's3',
    async () => {
      const s3 = await startS3Emulator();
      const tempRoot = mkdtempSync(join(tmpdir(), 'gallery-contract-'));
      const storage = await createS3Storage({
        bucket: s3.bucket,
        prefix: 'library/',
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        tempRoot,
      });
      return {
        storage,
        async stop() {
          storage.close?.();
          await s3.stop();
          rmSync(tempRoot, { recursive: true, force: true });
        },
      };
    },
  ],
];

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What `files.store` does once the row is committed: nothing more where staging is in place. */
async function commit(storage: Storage, key: string) {
  if (!storage.stagesInPlace) await storage.put(key, storage.stagingPath(key));
}

const describeOnce = testDbKind() === 'sqlite' ? describe.each(drivers) : describe.skip.each(drivers);

describeOnce('the %s storage', (_name, open) => {
  let storage: Storage;
  let opened: { storage: Storage; stop(): Promise<void> };
  beforeAll(async () => {
    opened = await open();
    storage = opened.storage;
  });
  afterAll(async () => {
    await opened.stop();
  });

  /** A finished upload in the temp folder, as the upload engine leaves it. */
  function tempUpload(bytes: Buffer): string {
    const path = join(storage.tempDir, `${randomBytes(8).toString('hex')}.upload`);
    writeFileSync(path, bytes);
    return path;
  }

  it('stores a staged file under its key: read whole, by range, and its size', async () => {
    const key = newStorageKey('jpg');
    const bytes = randomBytes(100_000);
    const upload = tempUpload(bytes);
    await storage.stageFile(key, upload);
    expect(existsSync(upload)).toBe(false);
    await commit(storage, key);
    expect(await storage.stat(key)).toMatchObject({ key, size: bytes.length });
    const whole = await storage.get(key);
    expect(whole.size).toBe(bytes.length);
    expect((await read(whole.stream)).equals(bytes)).toBe(true);
    const part = await storage.get(key, (size) => ({ start: 10, end: Math.min(size - 1, 1009) }));
    expect(part.range).toEqual({ start: 10, end: 1009 });
    expect((await read(part.stream)).equals(bytes.subarray(10, 1010))).toBe(true);
  });

  it('streams a large file through without change (multipart on S3)', async () => {
    const key = newStorageKey('png');
    const bytes = randomBytes(20 * 1024 * 1024 + 123);
    await storage.stageFile(key, tempUpload(bytes));
    await commit(storage, key);
    const { stream, size } = await storage.get(key);
    expect(size).toBe(bytes.length);
    const digest = createHash('sha256')
      .update(await read(stream))
      .digest('hex');
    expect(digest).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('stages bytes (the variants) and serves them once committed', async () => {
    const key = variantKey(newStorageKey('jpg'), 'thumb');
    await storage.stageBytes(key, Buffer.from('thumbnail bytes'));
    await commit(storage, key);
    expect((await read((await storage.get(key)).stream)).toString()).toBe('thumbnail bytes');
  });

  it('discards what was staged for a key, and is quiet when there is nothing', async () => {
    const key = newStorageKey('gif');
    await storage.stageBytes(key, Buffer.from('never committed'));
    await storage.discardStaged(key);
    await storage.discardStaged(key);
    await expect(storage.get(key)).rejects.toBeInstanceOf(StorageError);
    expect(await storage.stat(key)).toBeNull();
  });

  it('says not-found for a missing file, and deletes idempotently', async () => {
    const key = newStorageKey('webp');
    await expect(storage.get(key)).rejects.toMatchObject({ failure: 'not-found' });
    expect(await storage.stat(key)).toBeNull();
    await storage.delete(key);
    await storage.stageBytes(key, Buffer.from('x'));
    await commit(storage, key);
    await storage.delete(key);
    await storage.delete(key);
    expect(await storage.stat(key)).toBeNull();
  });

  it('lists the stored keys that start with a prefix, and only those', async () => {
    const stem = `ab${randomBytes(15).toString('hex')}`;
    const keys = [`${stem}.jpg`, variantKey(`${stem}.jpg`, 'thumb'), variantKey(`${stem}.jpg`, 'preview')];
    for (const key of keys) {
      await storage.stageBytes(key, Buffer.from(key));
      await commit(storage, key);
    }
    const other = `ac${randomBytes(15).toString('hex')}.png`;
    await storage.stageBytes(other, Buffer.from('other'));
    await commit(storage, other);
    const listed: string[] = [];
    for await (const key of storage.listKeys(stem.slice(0, 2))) listed.push(key);
    expect(listed.sort()).toEqual(keys.sort());
    await expect(async () => {
      for await (const key of storage.listKeys('a')) void key;
    }).rejects.toThrow(/at least two characters/);
  });

  it('lists and removes temp files', async () => {
    const path = tempUpload(Buffer.from('aborted upload'));
    const temps = await storage.listTemp();
    expect(temps.map((t) => t.path)).toContain(path);
    await storage.discardTemp(path);
    await storage.discardTemp(path);
    expect((await storage.listTemp()).map((t) => t.path)).not.toContain(path);
  });

  it('refuses a key that the server did not make', async () => {
    await expect(storage.stageBytes('../../etc/passwd', Buffer.from('x'))).rejects.toThrow(/invalid storage key/);
    await expect(storage.get('../secret')).rejects.toThrow(/invalid storage key/);
  });

  it('answers its readiness probe', async () => {
    await expect(storage.check()).resolves.toBeUndefined();
  });
});

(testDbKind() === 'sqlite' ? it : it.skip)(
  'an S3 storage whose bucket does not exist fails its readiness probe',
  async () => {
    const s3 = await startS3Emulator();
    const tempRoot = mkdtempSync(join(tmpdir(), 'gallery-contract-'));
    try {
      const storage = await createS3Storage({
        bucket: 'no-such-bucket',
        prefix: '',
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        tempRoot,
      });
      await expect(storage.check()).rejects.toThrow();
      storage.close?.();
    } finally {
      await s3.stop();
      rmSync(tempRoot, { recursive: true, force: true });
    }
  },
);
