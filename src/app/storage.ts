import { createDiskStorage } from '../platform/storage/disk-storage';
import { createS3Storage } from '../platform/storage/s3-storage';
import type { Storage } from '../platform/storage/storage';
import type { Config } from '../shared/config';

/** The storage the configuration names: UPLOAD_DIR on disk, or an S3 bucket with uploads in progress in UPLOAD_DIR. */
export function openStorage(config: Pick<Config, 'storage' | 'uploadDir'>): Promise<Storage> {
  const { storage } = config;
  if (storage.kind === 'disk') return createDiskStorage(config.uploadDir);
  const { kind: _kind, ...settings } = storage;
  return createS3Storage({ ...settings, tempRoot: config.uploadDir });
}
