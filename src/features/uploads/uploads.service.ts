import { randomBytes } from 'node:crypto';

import type { Database } from '../../platform/db/client';
import type { Storage } from '../../platform/storage/storage';
import type { Actor } from '../../shared/actor';
import type { Config } from '../../shared/config';
import { AppError, badRequest, notFound } from '../../shared/errors';
import { faultPointHook } from '../../shared/fault-points';
import { NOT_AN_IMAGE } from '../../shared/image-types';
import type { Logger } from '../../shared/logger';
import type { GalleriesService } from '../galleries';
import { requireRoom, type ImagesService } from '../images';
import { openResumableStore, type ResumableStore } from './resumable-store';
import { createUploadFinisher, type UploadOutcome } from './upload-finish';
import { takeUploadLease, type HeldLease } from './upload-leases';
import { readUploadMetadata } from './upload-metadata';
import * as repo from './uploads.repository';

export type { UploadOutcome };

export type UploadsDeps = {
  db: Database;
  storage: Pick<Storage, 'tempDir' | 'discardTemp'>;
  config: Pick<
    Config,
    | 'maxUploadBytes'
    | 'storageQuotaBytes'
    | 'resumableUploadExpiryMs'
    | 'originalsVisibleTo'
    | 'storage'
    | 'uploadDir'
    | 'faultPoint'
  >;
  images: Pick<ImagesService, 'create'>;
  galleries: Pick<GalleriesService, 'requireWritable'>;
  logger: Logger;
};

/** The headers that create an upload. */
export type NewUploadRequest = { length?: string; deferLength?: string; metadata?: string };

const LENGTH = /^[0-9]{1,15}$/;
const NO_SUCH_UPLOAD = 'No such upload.';

const noSuchGallery = () =>
  badRequest('gallery: No gallery with that id.', [{ path: 'gallery', message: 'No gallery with that id.' }]);

/** Upload-Length, required: the limits and the quota are checked against it before any byte comes. */
function lengthOf({ length, deferLength }: NewUploadRequest): number {
  if (deferLength !== undefined || length === undefined || !LENGTH.test(length)) {
    const message = 'A whole number of bytes is required: a resumable upload declares its length when it is created.';
    throw badRequest(`Upload-Length: ${message}`, [{ path: 'Upload-Length', message }]);
  }
  return Number(length);
}

/** The upload's bytes, then its row; when the bytes cannot be removed, the lease is given back and the row stays. */
async function removeUnderLease(resumable: ResumableStore, db: Database, id: string, held: HeldLease) {
  try {
    await resumable.discard(id);
  } catch (error) {
    await held.release();
    throw error;
  }
  held.stop();
  await repo.deleteUpload(db, id, held.holder);
}

/**
 * Resumable uploads: created with their length and metadata (checked then: the gallery, the limit,
 * the quota), written by the tus protocol (tus-protocol.ts) under a lease, finished once through
 * the images pipeline (upload-finish.ts), removed by their owner or at their expiry.
 */
export function createUploadsService(deps: UploadsDeps) {
  const { db, config, galleries, logger } = deps;
  const faultPoint = faultPointHook(config.faultPoint);
  const resumable = openResumableStore(config, async (key) => {
    faultPoint('resumable-written'); // tests: a crash after the last byte, before it is noted
    await repo.markComplete(db, key.slice(-32));
  });
  const finish = createUploadFinisher({ ...deps, resumable });

  /** The actor's upload, or 404: another user's upload is not there for them, nor one past its expiry. */
  async function own(actor: Actor, id: string): Promise<repo.UploadRow> {
    const row = await repo.findUpload(db, id);
    if (!row || row.userId !== actor.id || row.expiresAt.getTime() <= Date.now()) throw notFound(NO_SUCH_UPLOAD);
    return row;
  }

  /** Checks a new upload as a multipart upload of its file would be checked, and notes it; its id. */
  async function create(actor: Actor, request: NewUploadRequest): Promise<string> {
    const length = lengthOf(request);
    if (length > config.maxUploadBytes)
      throw new AppError('PAYLOAD_TOO_LARGE', 'The file is larger than the upload limit.');
    if (length === 0) throw new AppError('UNSUPPORTED_MEDIA_TYPE', NOT_AN_IMAGE);
    const metadata = readUploadMetadata(request.metadata);
    await galleries.requireWritable(actor, metadata.gallery, { missing: noSuchGallery });
    await requireRoom(db, actor.id, config.storageQuotaBytes, length);
    const id = randomBytes(16).toString('hex');
    await repo.insertUpload(db, {
      id,
      userId: actor.id,
      galleryId: metadata.gallery,
      title: metadata.title,
      description: metadata.description,
      length,
      expiresAt: new Date(Date.now() + config.resumableUploadExpiryMs),
    });
    return id;
  }

  /** Terminates the upload: its bytes and its row go (an image it made stays). 423 while it is written. */
  async function remove(actor: Actor, id: string): Promise<void> {
    await own(actor, id);
    const taken = await takeUploadLease(db, id, 'remove');
    if ('refused' in taken) {
      if (taken.refused === 'missing') throw notFound(NO_SUCH_UPLOAD);
      throw new AppError('LOCKED', undefined, { headers: { 'Retry-After': '1' } });
    }
    await removeUnderLease(resumable, db, id, taken.held);
  }

  /** Where the upload stands, with its result once done. */
  async function describe(actor: Actor, id: string) {
    const row = await own(actor, id);
    let offset: number | null = row.length;
    if (row.state === 'receiving') {
      offset = await resumable.store.getUpload(resumable.keyOf(id)).then(
        (upload) => upload.offset,
        () => null,
      );
    }
    const result =
      row.state === 'done' && row.resultStatus !== null
        ? { status: row.resultStatus, body: JSON.parse(row.resultBody ?? '{}') as Record<string, unknown> }
        : null;
    return { row, offset, result };
  }

  return {
    resumable,
    logger,
    maxUploadBytes: config.maxUploadBytes,
    own,
    create,
    finish,
    remove,
    describe,
    lease: (id: string, purpose: repo.LeasePurpose) => takeUploadLease(db, id, purpose),
    /** A new upload whose creation the tus server refused: nothing of it stays. */
    async forget(id: string) {
      const row = await repo.findUpload(db, id);
      if (row?.state !== 'receiving') return;
      await resumable.discard(id).catch(() => undefined);
      await repo.deleteUpload(db, id);
    },
  };
}

export type UploadsService = ReturnType<typeof createUploadsService>;

/**
 * Removes the uploads past their expiry, whatever their state (one being finished right now is
 * left to finish, and goes next time): their bytes from the store, then their rows. Runs with the
 * storage check, on any node: each removal is its own, under the upload's lease.
 */
export function createUploadSweeper({
  db,
  config,
  logger,
}: {
  db: Database;
  config: UploadsDeps['config'];
  logger: Logger;
}) {
  const resumable = openResumableStore(config, () => Promise.resolve());
  return {
    /** The ids of the uploads removed. */
    async sweep(now = new Date()): Promise<string[]> {
      const removed: string[] = [];
      for (let after = ''; ;) {
        const batch = await repo.expiredUploads(db, now, after, 100);
        for (const row of batch) {
          const taken = await takeUploadLease(db, row.id, 'remove');
          if ('refused' in taken) continue;
          try {
            await removeUnderLease(resumable, db, row.id, taken.held);
            removed.push(row.id);
          } catch (error) {
            logger.error('resumable uploads: an expired upload could not be removed', {
              upload: row.id,
              error: String(error),
            });
          }
        }
        if (batch.length < 100) return removed;
        after = batch[batch.length - 1].id;
      }
    },
    close: () => resumable.close(),
  };
}
