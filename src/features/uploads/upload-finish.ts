import { randomUUID } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { toAppError } from '../../http/error-handler';
import { UPLOAD_SUFFIX } from '../../http/upload-engine';
import type { Database } from '../../platform/db/client';
import type { Storage } from '../../platform/storage/storage';
import type { Actor } from '../../shared/actor';
import type { Config } from '../../shared/config';
import { AppError } from '../../shared/errors';
import { NOT_AN_IMAGE, sniffImageType } from '../../shared/image-types';
import type { Logger } from '../../shared/logger';
import { canSeeOriginal, toImageJson, type ImagesService } from '../images';
import type { ResumableStore } from './resumable-store';
import { takeUploadLease, type HeldLease } from './upload-leases';
import * as repo from './uploads.repository';

/** What became of a finished upload: the status and JSON body a multipart upload of it gets. */
export type UploadOutcome = { status: number; body: Record<string, unknown> };

export type FinishDeps = {
  db: Database;
  storage: Pick<Storage, 'tempDir' | 'discardTemp'>;
  config: Pick<Config, 'maxUploadBytes' | 'originalsVisibleTo'>;
  images: Pick<ImagesService, 'create'>;
  logger: Logger;
  resumable: ResumableStore;
};

/** Runs cleanup work now, or once the request has been answered. */
export type Later = (work: () => Promise<void>) => void;

/** The error body every route answers with, for an error of the table. */
export const errorOutcome = (error: AppError): UploadOutcome => ({
  status: error.status,
  body: { message: error.message, code: error.code, ...(error.details ? { details: error.details } : {}) },
});

/** A result that is the upload's for good; a 409 or 5xx may go otherwise next time (the bytes are kept). */
const isFinal = (outcome: UploadOutcome) => outcome.status < 500 && outcome.status !== 409;

const SNIFF_BYTES = 32;

async function sniff(path: string) {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return sniffImageType(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/**
 * Makes the image of a finished upload, once, whichever request asks first: the upload's bytes go
 * through the same pipeline as a multipart upload's (sniffed, decoded, EXIF, variants, de-duplicated,
 * committed crash-safely by the images feature), under the upload's lease.
 */
export function createUploadFinisher({ db, storage, config, images, logger, resumable }: FinishDeps) {
  /** The image (or the refusal) a multipart upload of the same file would have got. */
  async function makeImage(actor: Actor, row: repo.UploadRow, path: string, baseUrl: string): Promise<UploadOutcome> {
    const mimeType = await sniff(path);
    if (!mimeType) throw new AppError('UNSUPPORTED_MEDIA_TYPE', NOT_AN_IMAGE);
    const { size } = await stat(path);
    if (size !== row.length) throw new Error(`upload ${row.id}: ${size} bytes where ${row.length} were declared`);
    if (size > config.maxUploadBytes)
      throw new AppError('PAYLOAD_TOO_LARGE', 'The file is larger than the upload limit.');
    const fields = { gallery: row.galleryId, title: row.title, description: row.description };
    const { image, created } = await images.create(actor, fields, { path, size, mimeType });
    const json = toImageJson(image, baseUrl, canSeeOriginal(actor, image, config.originalsVisibleTo));
    return created
      ? { status: 201, body: { message: 'Image created successfully', ...json } }
      : { status: 200, body: { message: 'This gallery already has this image', ...json } };
  }

  /** Runs the pipeline on a local copy of the bytes; a refusal of the table is an outcome, not a throw. */
  async function outcomeOf(actor: Actor, row: repo.UploadRow, baseUrl: string): Promise<UploadOutcome> {
    const path = join(storage.tempDir, `${randomUUID()}${UPLOAD_SUFFIX}`);
    try {
      await resumable.takeFinished(row.id, path);
      return await makeImage(actor, row, path, baseUrl);
    } catch (error) {
      const known = toAppError(error);
      if (!known) throw error;
      return errorOutcome(known);
    } finally {
      await storage.discardTemp(path);
    }
  }

  /**
   * Keeps a final outcome, then removes the bytes (by `later`, when the request still reads the
   * upload), or gives the upload back as complete for another try.
   */
  async function settle(row: repo.UploadRow, held: HeldLease, outcome: UploadOutcome, later?: Later) {
    if (!isFinal(outcome)) {
      await held.release('complete');
      return;
    }
    held.stop();
    if (
      !(await repo.recordResult(db, row.id, held.holder, {
        status: outcome.status,
        body: JSON.stringify(outcome.body),
      }))
    )
      logger.warn('resumable upload: its lease was lost while it was finished', { upload: row.id });
    const discard = () =>
      resumable.discard(row.id).catch((error: unknown) =>
        logger.error('resumable upload: its bytes could not be removed; the sweep will', {
          upload: row.id,
          error: String(error),
        }),
      );
    if (later) later(discard);
    else await discard();
  }

  /**
   * The outcome of finishing upload `id` for `actor`: made now, under the lease, or the one kept
   * from before; 423 while another request makes it, 409 while bytes are still awaited.
   */
  return async function finish(actor: Actor, id: string, baseUrl: string, later?: Later): Promise<UploadOutcome> {
    const taken = await takeUploadLease(db, id, 'finish');
    if ('refused' in taken) {
      const { row } = taken;
      if (row?.state === 'done' && row.resultStatus !== null)
        return { status: row.resultStatus, body: JSON.parse(row.resultBody ?? '{}') as Record<string, unknown> };
      if (!row) return errorOutcome(new AppError('NOT_FOUND', 'No such upload.'));
      if (taken.refused === 'held')
        return errorOutcome(
          new AppError('LOCKED', "Another request is making this upload's image now; ask for its result shortly."),
        );
      return errorOutcome(new AppError('CONFLICT', 'Bytes of this upload are still awaited: see its offset (HEAD).'));
    }
    const { held } = taken;
    let outcome: UploadOutcome;
    try {
      const row = (await repo.findUpload(db, id))!;
      outcome = await outcomeOf(actor, row, baseUrl);
      await settle(row, held, outcome, later);
    } catch (error) {
      await held.release('complete').catch(() => undefined);
      throw error;
    }
    return outcome;
  };
}

export type UploadFinisher = ReturnType<typeof createUploadFinisher>;
