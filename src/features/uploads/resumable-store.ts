import { createWriteStream } from 'node:fs';
import { copyFile, link, open, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import type { DataStore } from '@tus/server';

import type { Config } from '../../shared/config';

/**
 * Where the bytes of resumable uploads live while they arrive: in the shared store, so that any
 * server process can take an upload up where another left it. On disk, UPLOAD_DIR/resumable (the
 * tus project's file store: `<id>` and `<id>.json`); on S3, the bucket under
 * `<S3_PREFIX>resumable/<id>` (its S3 store: a multipart upload, `.info` and `.part` objects).
 */
export type ResumableStore = {
  /** The tus data store. */
  readonly store: DataStore;
  /** The store's key of upload `id` (the 32 hex characters of its URL). */
  keyOf(id: string): string;
  /** The finished upload's bytes as the local file `path`, durable (linked on disk, copied from S3). */
  takeFinished(id: string, path: string): Promise<void>;
  /** Removes whatever the store holds of upload `id`; what is already gone is not an error. */
  discard(id: string): Promise<void>;
  /** Releases connections (S3). */
  close(): void;
};

/** A length is declared when an upload is created (the limits and the quota are checked against it). */
const withoutDeferredLength = (extensions: string[]) => extensions.filter((name) => name !== 'creation-defer-length');

/** Called, under the writer's lease, when a write brings an upload to its length. */
export type OnComplete = (key: string) => Promise<void>;

const ignoreMissing = (error: unknown) => {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
};

/** The file store, told when an upload is complete. */
class DiskStore extends FileStore {
  constructor(
    directory: string,
    expiryMs: number,
    private readonly onComplete: OnComplete,
  ) {
    super({ directory, expirationPeriodInMilliseconds: expiryMs });
    this.extensions = withoutDeferredLength(this.extensions);
  }

  override async write(readable: Readable, key: string, offset: number): Promise<number> {
    const written = await super.write(readable, key, offset);
    if (written === (await this.configstore.get(key))?.size) await this.onComplete(key);
    return written;
  }
}

/** The S3 store, told when an upload is complete, and able to remove a completed one too. */
class BucketStore extends S3Store {
  constructor(
    options: ConstructorParameters<typeof S3Store>[0],
    private readonly onComplete: OnComplete,
  ) {
    super(options);
    this.extensions = withoutDeferredLength(this.extensions);
  }

  override async write(readable: Readable, key: string, offset: number): Promise<number> {
    let written: number;
    try {
      written = await super.write(readable, key, offset);
    } catch (error) {
      // S3 completed the multipart upload, and the server stopped before it noted so: the
      // upload is whole (no more parts can be listed), and the PATCH at its end finishes it.
      const upload = await this.getUpload(key).catch(() => null);
      if (!upload || upload.offset !== upload.size || offset !== upload.size) throw error;
      readable.resume();
      written = upload.size;
    }
    if (written === (await this.getMetadata(key)).file.size) await this.onComplete(key);
    return written;
  }

  async copyFinished(key: string, path: string) {
    await pipeline(await this.read(key), createWriteStream(path, { flags: 'wx', flush: true }));
  }

  /** The multipart upload aborted (if it is not complete), then every object of the upload. */
  async discard(key: string) {
    const uploadId = await this.getMetadata(key).then(
      (metadata) => metadata['upload-id'],
      () => undefined,
    );
    if (uploadId) {
      await this.client
        .abortMultipartUpload({ Bucket: this.bucket, Key: key, UploadId: uploadId })
        .catch(() => undefined);
    }
    const keys = [key, this.infoKey(key), this.partKey(key, true)];
    await this.client.deleteObjects({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } });
    await this.clearCache(key);
  }

  close() {
    this.client.destroy();
  }
}

/** Makes the local file at `path` durable. */
async function fsync(path: string) {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function diskStore(uploadDir: string, expiryMs: number, onComplete: OnComplete): ResumableStore {
  const directory = join(resolve(uploadDir), 'resumable');
  const store = new DiskStore(directory, expiryMs, onComplete);
  return {
    store,
    keyOf: (id) => id,
    async takeFinished(id, path) {
      // A second name for the same bytes (a copy across filesystems): they stay in the store until
      // the upload's result is kept, so that a failed try can be made again.
      const from = join(directory, id);
      try {
        await link(from, path);
      } catch (error) {
        if (!['EXDEV', 'EPERM', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
        await copyFile(from, path);
      }
      await fsync(path);
    },
    async discard(id) {
      await unlink(join(directory, id)).catch(ignoreMissing);
      await unlink(join(directory, `${id}.json`)).catch(ignoreMissing);
    },
    close: () => undefined,
  };
}

function bucketStore(
  settings: Extract<Config['storage'], { kind: 's3' }>,
  expiryMs: number,
  onComplete: OnComplete,
): ResumableStore {
  const store = new BucketStore(
    {
      s3ClientConfig: {
        bucket: settings.bucket,
        endpoint: settings.endpoint,
        region: settings.region,
        forcePathStyle: settings.forcePathStyle,
        credentials: settings.credentials,
        maxAttempts: 3,
        // Parts are streamed: with the SDK's default checksums they would be sent aws-chunked,
        // which not every S3-compatible store reads. S3 checks each part's MD5 ETag all the same.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      },
      expirationPeriodInMilliseconds: expiryMs,
      // Expiry is the server's own sweep (by the database's rows), not tags and bucket rules.
      useTags: false,
    },
    onComplete,
  );
  const keyOf = (id: string) => `${settings.prefix}resumable/${id}`;
  return {
    store,
    keyOf,
    takeFinished: (id, path) => store.copyFinished(keyOf(id), path),
    discard: (id) => store.discard(keyOf(id)),
    close: () => store.close(),
  };
}

/** The store the configuration names: UPLOAD_DIR on disk, or the S3 bucket. */
export function openResumableStore(
  config: Pick<Config, 'storage' | 'uploadDir' | 'resumableUploadExpiryMs'>,
  onComplete: OnComplete,
): ResumableStore {
  const { storage, resumableUploadExpiryMs: expiryMs } = config;
  return storage.kind === 's3'
    ? bucketStore(storage, expiryMs, onComplete)
    : diskStore(config.uploadDir, expiryMs, onComplete);
}
