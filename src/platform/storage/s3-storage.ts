import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

import { StorageError } from './errors';
import { listTempFiles, removeLocalFile } from './local-temp';
import type { Storage } from './storage';
import { KEY_SHAPE } from './storage-keys';

export type S3Settings = {
  bucket: string;
  /** Prepended to every key ("gallery/"), so that one bucket can hold other things too. */
  prefix: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2, a test emulator); none: AWS. */
  endpoint?: string;
  region: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (most S3-compatible servers). */
  forcePathStyle: boolean;
  /** Otherwise the SDK's usual chain (AWS_* environment, shared files, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Local folder for uploads in progress (per server process). */
  tempRoot: string;
};

/** Parts of a streamed upload: 8 MiB each, two in flight, so an upload holds at most ~16 MiB. */
const PART_SIZE = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/**
 * The store did not answer, or answered that it cannot now (5xx, throttling): a StorageError the
 * API answers with 503. A refusal (403 wrong credentials, 404 no such bucket) stays what it is.
 */
function asUnavailable(error: unknown): unknown {
  const { name, code, $metadata } = (error ?? {}) as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = $metadata?.httpStatusCode;
  const network =
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code ?? '') ||
    name === 'TimeoutError';
  if (network || (status !== undefined && (status >= 500 || status === 429)) || name === 'SlowDown') {
    return new StorageError('unavailable', `object storage unavailable: ${name ?? code ?? status}`);
  }
  return error;
}

/** Runs one call to the store, its failures as the server tells them apart. */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asUnavailable(error);
  }
}

function isMissingObject(error: unknown): boolean {
  const meta = (error as { name?: string; $metadata?: { httpStatusCode?: number } } | null) ?? {};
  return meta.name === 'NoSuchKey' || meta.name === 'NotFound' || meta.$metadata?.httpStatusCode === 404;
}

/**
 * Files as objects in an S3 bucket, through the public S3 API only (PUT, multipart upload, ranged
 * GET, HEAD, DELETE, ListObjectsV2). There is no rename, so a file is staged in place: written to
 * its final key before the row that refers to it is committed (the caller notes the key first, so
 * that objects of an upload that never committed are found without listing the bucket). Uploads in
 * progress wait in a local temp folder.
 */
export async function createS3Storage(settings: S3Settings): Promise<Storage> {
  const tempDir = join(resolve(settings.tempRoot), 'tmp');
  await mkdir(tempDir, { recursive: true });
  const client = new S3Client({
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: settings.credentials,
    maxAttempts: 3,
  });
  const Bucket = settings.bucket;
  const checked = (key: string) => {
    if (!KEY_SHAPE.test(key)) throw new Error(`invalid storage key: ${key}`);
    return key;
  };
  const objectKey = (key: string) => `${settings.prefix}${checked(key)}`;
  const stagingPath = (key: string) => join(tempDir, checked(key));

  async function upload(key: string, Body: Readable | Buffer) {
    await guarded(() =>
      new Upload({
        client,
        params: { Bucket, Key: objectKey(key), Body },
        partSize: PART_SIZE,
        queueSize: PARTS_IN_FLIGHT,
      }).done(),
    );
  }

  async function head(key: string) {
    try {
      return await client.send(new HeadObjectCommand({ Bucket, Key: objectKey(key) }));
    } catch (error) {
      if (isMissingObject(error)) return null;
      throw asUnavailable(error);
    }
  }

  return {
    tempDir,
    stagesInPlace: true,
    stagingPath,
    async stageFile(key, fromPath) {
      await upload(key, createReadStream(fromPath, { highWaterMark: 1 << 20 }));
      await removeLocalFile(fromPath);
    },
    async stageBytes(key, bytes) {
      await upload(key, bytes);
    },
    async discardStaged(key) {
      await guarded(() => client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) })));
      await removeLocalFile(stagingPath(key));
    },
    async put(key, fromPath) {
      // Staged files are in place already; a local file (from an older staging) is sent now.
      await upload(key, createReadStream(fromPath, { highWaterMark: 1 << 20 }));
      await removeLocalFile(fromPath);
    },
    async get(key, rangeFor) {
      const info = await head(key);
      if (!info) throw new StorageError('not-found', `no stored file ${key}`);
      const size = info.ContentLength ?? 0;
      const range = rangeFor?.(size);
      try {
        // Pinned to the version just measured: a file replaced meanwhile is not sent half old, half new.
        const reply = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: objectKey(key),
            IfMatch: info.ETag,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
        );
        return { stream: reply.Body as Readable, size, range };
      } catch (error) {
        if (
          isMissingObject(error) ||
          (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412
        ) {
          throw new StorageError('not-found', `no stored file ${key}`);
        }
        throw asUnavailable(error);
      }
    },
    async stat(key) {
      const info = await head(key);
      if (!info) return null;
      return { key, size: info.ContentLength ?? 0, modifiedAt: info.LastModified ?? new Date(0), etag: info.ETag };
    },
    async delete(key) {
      // S3 answers a delete of a missing key with success, as the interface wants.
      await guarded(() => client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) })));
    },
    async *listKeys(prefix: string): AsyncIterable<string> {
      if (prefix.length < 2) throw new Error('listKeys: a prefix of at least two characters');
      let ContinuationToken: string | undefined;
      do {
        const page = await guarded(() =>
          client.send(new ListObjectsV2Command({ Bucket, Prefix: `${settings.prefix}${prefix}`, ContinuationToken })),
        );
        for (const object of page.Contents ?? []) if (object.Key) yield object.Key.slice(settings.prefix.length);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
    listTemp: () => listTempFiles(tempDir),
    discardTemp: removeLocalFile,
    async check() {
      await client.send(new HeadBucketCommand({ Bucket }));
    },
    close() {
      client.destroy();
    },
  };
}
