import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';

import type { Database } from '../../platform/db/client';
import type { Storage } from '../../platform/storage/storage';
import { METADATA_VERSION, readMetadata } from './exif';
import { thumbHashOfFile } from './image-processing';
import * as repo from './metadata-backfill.repository';

export type BackfillDeps = { db: Database; storage: Storage };
export type BackfillOptions = {
  /** Rows fetched at a time. */
  batchSize: number;
  /** The decode limit for a missing ThumbHash (MAX_IMAGE_PIXELS). */
  maxImagePixels: number;
  /** Stop after this many rows (what is left stays for the next run). */
  limit?: number;
  /** Stops between rows (Ctrl-C): what was written stays written. */
  signal?: AbortSignal;
  /** After each batch: the rows done in this run so far, and the id of the last. */
  onBatch?: (progress: { done: number; lastId: number }) => void;
};
export type BackfillReport = {
  /** Rows whose facts were read and written. */
  updated: number;
  /** ThumbHashes made for rows that had none. */
  thumbhashes: number;
  /** Rows whose file changed while it was read (its upload read the new one). */
  changedMeanwhile: number;
  /** Rows whose original could not be read (missing, unreadable): left for a later run. */
  failed: { id: number; error: string }[];
  /** Rows left to read after this run (the failed ones included). */
  left: number;
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One row: its original copied to the temp area, read there, its facts written. */
async function backfillRow(
  deps: BackfillDeps,
  row: repo.BackfillRow,
  options: BackfillOptions,
  report: BackfillReport,
) {
  const path = join(deps.storage.tempDir, `metadata-${randomUUID()}`);
  try {
    const { stream } = await deps.storage.get(row.storageKey);
    await pipeline(stream, createWriteStream(path));
    // sharp's view of the header: the EXIF and XMP blocks of formats exifr does not open.
    const blocks = await sharp(path, { limitInputPixels: false })
      .metadata()
      .catch(() => ({}));
    const { keywords: _k, title: _t, description: _d, orientation: _o, ...exif } = await readMetadata(path, blocks);
    // A ThumbHash only where there is none; a file that will not decode keeps none (and its facts).
    const thumbhash =
      row.thumbhash === null ? await thumbHashOfFile(path, options.maxImagePixels).catch(() => null) : null;
    const written = await repo.writeFacts(deps.db, row, { ...exif, thumbhash, metadataVersion: METADATA_VERSION });
    if (!written) report.changedMeanwhile += 1;
    else {
      report.updated += 1;
      if (thumbhash !== null) report.thumbhashes += 1;
    }
  } catch (error) {
    report.failed.push({ id: row.id, error: messageOf(error) });
  } finally {
    await deps.storage.discardTemp(path).catch(() => undefined);
  }
}

/**
 * Reads again the originals of the images whose facts an older reader read (`metadataVersion`
 * below METADATA_VERSION): the EXIF summary (lens, exposure, ISO… included) and a missing
 * ThumbHash, in id order, `batchSize` rows at a time, one file at a time, through the Storage
 * interface (disk or S3). Resumable: each row is marked as it is written, so a run stopped
 * anywhere goes on where it stopped. Only the facts of the file change: never a title,
 * description, tag, orientation or size.
 */
export async function backfillMetadata(deps: BackfillDeps, options: BackfillOptions): Promise<BackfillReport> {
  const report: BackfillReport = { updated: 0, thumbhashes: 0, changedMeanwhile: 0, failed: [], left: 0 };
  const limit = options.limit ?? Infinity;
  let afterId = 0;
  let done = 0;
  while (done < limit && !options.signal?.aborted) {
    const take = Math.min(options.batchSize, limit - done);
    const rows = await repo.rowsToRead(deps.db, METADATA_VERSION, afterId, take);
    if (rows.length === 0) break;
    for (const row of rows) {
      if (options.signal?.aborted) break;
      await backfillRow(deps, row, options, report);
      afterId = row.id;
      done += 1;
    }
    options.onBatch?.({ done, lastId: afterId });
  }
  report.left = await repo.countToRead(deps.db, METADATA_VERSION);
  return report;
}
