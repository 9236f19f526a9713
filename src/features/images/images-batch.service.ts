import { outcomeOf } from '../../http/item-results';
import type { ReceivedUpload } from '../../http/upload';
import type { SqlReader } from '../../platform/db/sql-reader';
import type { Actor } from '../../shared/actor';
import { badRequest, notFound, type AppError } from '../../shared/errors';
import { viewerOf, type GalleriesService } from '../galleries';
import { embeddedTitle } from './exif';
import type { ImageRow } from './image-columns';
import type { ImageFiles } from './image-files';
import { findVisibleBySha256, type KnownHash } from './images-batch.repository';
import { batchFileFields } from './images-batch.schemas';
import type { BulkBody } from './images-bulk.schemas';
import { createImageBulk } from './images-bulk.service';
import type { ImagesService } from './images.service';

/** The titles and descriptions sent, by the place of their file among the files (from 0). */
export type BatchTexts = { title: (string | undefined)[]; description: (string | undefined)[] };
/** What became of one file: the image (201 new, 200 already in the gallery), or the refusal. */
export type BatchResult = { file: string; status: number; image?: ImageRow; error?: AppError };

type Deps = {
  reader: SqlReader;
  images: Pick<ImagesService, 'create' | 'update' | 'remove' | 'trash' | 'tags'>;
  galleries: Pick<GalleriesService, 'requireWritable'>;
  files: Pick<ImageFiles, 'discardUpload'>;
};

type Texts = { title?: string; description?: string };

const galleryNotFound = () => notFound('Gallery not found');

/** 400 without files, or with a title or description for a place no file is at. */
function requireFiles(uploads: ReceivedUpload[], texts: BatchTexts) {
  if (uploads.length === 0) {
    throw badRequest('image: Send one or more files, each in a field named "image".', [
      { path: 'image', message: 'This field is required.' },
    ]);
  }
  for (const field of ['title', 'description'] as const) {
    const last = texts[field].length - 1;
    if (last >= uploads.length) {
      const path = `${field}[${last}]`;
      throw badRequest(`${path}: There is no file at that place.`, [
        { path, message: 'There is no file at that place.' },
      ]);
    }
  }
}

/** A title made from a file name: without its folder and extension, at most 200 characters. */
export function titleFromFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const title = base
    .replace(/\.[^.]*$/, '')
    .replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, ' ')
    .trim();
  return title.slice(0, 200).trim() || 'Untitled';
}

/** Files decoded at the same time within one request, while the one before is committed. */
const DECODING_AHEAD = 2;

/**
 * Runs `work` on each item, at most DECODING_AHEAD at a time, each given a promise of the end of
 * the one before it (what its commit waits for); every result, in order, once all have ended.
 */
async function inOrder<T, R>(items: T[], work: (item: T, n: number, after: Promise<unknown>) => Promise<R>) {
  const tasks: Promise<R>[] = [];
  // The end of each task, failed or not: taken at once, so that no failure goes unhandled meanwhile.
  const ends: Promise<unknown>[] = [];
  for (const [n, item] of items.entries()) {
    if (n >= DECODING_AHEAD) await ends[n - DECODING_AHEAD];
    const task = work(item, n, n > 0 ? ends[n - 1] : Promise.resolve());
    tasks.push(task);
    ends.push(task.catch(() => undefined));
  }
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<R>).value);
}

/**
 * Several files into one gallery, and which hashes a caller can already see. Each file goes the
 * way of a single upload (`images.create`: the same checks, quota, de-duplication and crash-safe
 * commit) and succeeds or fails on its own; their rows are written in the order the files came,
 * one after the other, so the quota is spent in that order (the next file's decode runs while the
 * one before it is committed).
 */
export function createImageBatchService({ reader, images, galleries, files }: Deps) {
  const bulk = createImageBulk({ images });
  async function uploadOne(
    actor: Actor,
    gallery: number,
    upload: ReceivedUpload,
    texts: Texts,
    after: Promise<unknown>,
  ): Promise<BatchResult> {
    const name = upload.originalname;
    if ('refusal' in upload) return { file: name, status: upload.refusal.status, error: upload.refusal };
    try {
      const outcome = await outcomeOf(async () => {
        const fields = batchFileFields.parse({
          // No title sent: the file's own (IPTC/XMP), else one made from its name.
          title: texts.title ?? (await embeddedTitle(upload.path)) ?? titleFromFileName(name),
          description: texts.description,
        });
        return images.create(actor, { gallery, ...fields }, upload, after);
      });
      if (!outcome.value) return { file: name, status: outcome.status, error: outcome.error };
      return { file: name, status: outcome.value.created ? 201 : 200, image: outcome.value.image };
    } finally {
      await files.discardUpload(upload.path);
    }
  }

  return {
    /** Every file's result, in order; the temp files are all gone when it returns or throws. */
    async uploadMany(actor: Actor, gallery: number, uploads: ReceivedUpload[], texts: BatchTexts) {
      try {
        requireFiles(uploads, texts);
        await galleries.requireWritable(actor, gallery, { missing: galleryNotFound });
        return await inOrder(uploads, (upload, n, after) =>
          uploadOne(actor, gallery, upload, { title: texts.title[n], description: texts.description[n] }, after),
        );
      } finally {
        await Promise.all(uploads.filter((upload) => upload.path).map((upload) => files.discardUpload(upload.path)));
      }
    },

    /** One action on up to 500 images, each as a single request about it (images-bulk.service.ts). */
    bulk: (actor: Actor, body: BulkBody) => bulk.apply(actor, body),

    /** Of these hashes, the images the caller can see that have them (only in `gallery` when given). */
    check(actor: Actor, hashes: string[], gallery?: number): Promise<KnownHash[]> {
      return findVisibleBySha256(reader, viewerOf(actor), [...new Set(hashes)], gallery);
    },
  };
}

export type ImageBatchService = ReturnType<typeof createImageBatchService>;
