import { isUniqueViolation } from '../../platform/db/errors';
import type { Actor } from '../../shared/actor';
import { badRequest, conflict } from '../../shared/errors';
import type { DescribedFile, ExaminedFile, UploadedFile } from './image-files';
import { addTags } from './image-tags.repository';
import type { ImageTrash } from './image-trash';
import { INSERT_TRANSACTION, noSuchGallery, type ImageFields, type ImagesDeps, type WriteRules } from './image-writes';
import * as repo from './images.repository';
import { tagsFromKeywords } from './tag-names';

/** Uploads: a new image from a received file, or the one already there with the same bytes. */
export function createImageUploads(
  { reader, files, audit, galleries, config }: ImagesDeps,
  rules: WriteRules,
  trash: Pick<ImageTrash, 'refuseTrashedDuplicate'>,
) {
  const { requireRoom, lockForWrite, examine } = rules;

  /**
   * Upload: the same bytes already in the gallery give back that image (`created: false`);
   * otherwise temp file → hash and decode, variants → staged (fsync) → row committed → files stored.
   * The unique (gallery, sha256) index settles parallel identical uploads: one row, one file.
   * `after`: what must be over before this upload's row is looked for and written (the upload
   * before it in a request of several), while its decode may already run.
   */
  async function create(
    actor: Actor,
    input: Required<ImageFields>,
    received: UploadedFile | undefined,
    after?: Promise<unknown>,
  ) {
    if (!received) {
      throw badRequest('image: This field is required.', [{ path: 'image', message: 'This field is required.' }]);
    }
    try {
      await galleries.requireWritable(actor, input.gallery, { missing: noSuchGallery });
      const examined = await examine(received);
      await after;
      return await insertOrFind(actor, input, examined);
    } finally {
      await files.discardUpload(received.path);
    }
  }

  /**
   * The image with these bytes in the gallery if there is one (`created: false`); else a new row,
   * its files put in by the file protocol (`files.putNew`). The unique (gallery, sha256) index
   * settles parallel identical uploads: one row, one file.
   */
  async function insertOrFind(actor: Actor, input: Required<ImageFields>, file: ExaminedFile) {
    const existing = await repo.findImageBySha256(reader, input.gallery, file.sha256, 'anyone');
    if (existing) return { image: existing, created: false };
    await trash.refuseTrashedDuplicate(input.gallery, file.sha256);
    await requireRoom(actor, file.size);
    try {
      const image = await files.putNew(
        file,
        (described) => insertRow(actor, { ...input, ...described }, keywordTags(file)),
        (inserted) => takeBackUpload(actor, inserted.id),
      );
      return { image, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const winner = await repo.findImageBySha256(reader, input.gallery, file.sha256, 'anyone');
      if (winner) return { image: winner, created: false };
      await trash.refuseTrashedDuplicate(input.gallery, file.sha256);
      throw conflict('The same image is being deleted from this gallery; try again.');
    }
  }

  /** The tags an upload gets from the keywords its file carries (IMPORT_KEYWORDS). */
  const keywordTags = (file: ExaminedFile) =>
    config.importKeywords ? tagsFromKeywords(file.processed.embedded.keywords) : [];

  /**
   * The upload's row, its tags and its audit event; access and quota checked again with the
   * insert, under a lock.
   */
  function insertRow(actor: Actor, row: Required<ImageFields> & DescribedFile, tags: string[]) {
    const { gallery: galleryId, ...fields } = row;
    return audit.withEvent(
      async (tx) => {
        await lockForWrite(tx, actor.id, galleryId);
        await galleries.requireWritable(actor, galleryId, { within: tx, missing: noSuchGallery });
        await requireRoom(actor, row.size, 0, tx);
        const image = await repo.insertImage(tx, { ...fields, galleryId, uploaderId: actor.id });
        if (tags.length === 0) return image;
        await addTags(tx, image.id, tags);
        return image;
      },
      (created) => ({
        action: 'image.upload',
        actor,
        target: { type: 'image', id: created.id },
        detail: `${created.mimeType} ${created.size} bytes${tags.length ? `; tags from its keywords: ${tags.join(', ')}` : ''}`,
        address: actor.address,
      }),
      INSERT_TRANSACTION,
    );
  }

  /** The row of an upload whose files could not be stored goes again (the files go after it). */
  async function takeBackUpload(actor: Actor, id: number) {
    await audit
      .withEvent(
        (tx) => repo.deleteImage(tx, id),
        () => ({
          action: 'image.upload',
          outcome: 'failed',
          actor,
          target: { type: 'image', id },
          detail: 'the file could not be stored; the image was taken back',
          address: actor.address,
        }),
      )
      .catch(() => undefined);
  }

  return { create };
}
