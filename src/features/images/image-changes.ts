import { isUniqueViolation } from '../../platform/db/errors';
import type { Actor } from '../../shared/actor';
import { badRequest, conflict, notFound } from '../../shared/errors';
import type { AuditEvent } from '../audit';
import type { DeleteOutcome } from '../galleries';
import { fileColumnsOf } from './image-columns';
import type { ExaminedFile, UploadedFile } from './image-files';
import type { ImageTrash } from './image-trash';
import {
  CHANGED_MEANWHILE,
  IMAGE_NOT_FOUND,
  INSERT_TRANSACTION,
  perImageQueue,
  type ImageFields,
  type ImagesDeps,
  type WriteRules,
} from './image-writes';
import * as repo from './images.repository';

/** Changes to an image (fields, a move, a new file) and its delete. */
export function createImageChanges(
  { db, reader, files, audit }: ImagesDeps,
  rules: WriteRules,
  trash: Pick<ImageTrash, 'moveToTrash' | 'refuseTrashedDuplicate'> & { enabled: boolean },
) {
  const { get, authorizeChange, requireRoom, updateEvent, changedOrGone, lockForWrite, duplicateIn, examine } = rules;
  const serially = perImageQueue();

  /** A change of fields, gallery (a move) or file; one at a time per image in this process. */
  async function update(actor: Actor, id: number, input: ImageFields, received: UploadedFile | undefined) {
    try {
      return await serially(id, async () => {
        const image = await get(actor, id);
        await authorizeChange(actor, image, input.gallery);
        const { gallery, ...fields } = Object.fromEntries(
          Object.entries(input).filter(([, value]) => value !== undefined),
        ) as ImageFields;
        const changed = Object.keys({ ...fields, ...(gallery !== undefined ? { gallery } : {}) });
        if (changed.length === 0 && !received) {
          throw badRequest('Send at least one of: title, description, gallery, image.');
        }
        const file = received ? await examine(received) : undefined;
        await requireNoClash(image, gallery ?? image.galleryId, file?.sha256 ?? image.sha256);
        const data: Partial<repo.NewImage> = { ...fields, ...(gallery !== undefined ? { galleryId: gallery } : {}) };
        if (!file) return await saveChanges(actor, image, data, updateEvent(actor, id, `fields=${changed.join(',')}`));
        return await replaceFile(actor, image, data, file);
      });
    } finally {
      if (received) await files.discardUpload(received.path);
    }
  }

  /** 409 when the gallery the image ends up in has another image with the bytes it ends up with. */
  async function requireNoClash(image: repo.ImageRow, galleryId: number, sha256: string) {
    if (galleryId === image.galleryId && sha256 === image.sha256) return;
    const clash = await repo.findImageBySha256(reader, galleryId, sha256, 'anyone');
    if (clash && clash.id !== image.id) throw duplicateIn(galleryId, clash.id);
  }

  /**
   * A new file for the image, put in by the file protocol; the old file is retired once the row
   * points at the new one. Whoever puts new bytes in becomes the image's uploader: the bytes count
   * toward their quota (the previous uploader's are freed), and they, not the previous uploader,
   * see the original.
   */
  async function replaceFile(actor: Actor, image: repo.ImageRow, data: Partial<repo.NewImage>, file: ExaminedFile) {
    await requireRoom(actor, file.size, image.uploaderId === actor.id ? image.size : 0);
    const uploaderNote = image.uploaderId === actor.id ? '' : `, uploader ${image.uploaderId} -> ${actor.id}`;
    const updated = await files.putNew(
      file,
      (described) =>
        saveChanges(
          actor,
          image,
          { ...data, ...described, uploaderId: actor.id },
          updateEvent(actor, image.id, `new file ${described.mimeType} ${described.size} bytes${uploaderNote}`),
          true,
        ),
      (saved) => putBackFile(actor, image, saved.storageKey),
    );
    await files.retire(image.storageKey, () => repo.forgetFileRemoval(db, image.storageKey));
    return updated;
  }

  /**
   * The new file could not be stored: the row goes back to the old one. When it cannot (deleted or
   * replaced meanwhile by another process, which removes the new file's), the old file is ours to
   * retire, and the caller gets 409.
   */
  async function putBackFile(actor: Actor, image: repo.ImageRow, failedKey: string) {
    const restored = await audit
      .withEvent(
        (tx) => repo.restoreImageFile(tx, image.id, failedKey, fileColumnsOf(image)),
        updateEvent(actor, image.id, 'the new file could not be stored; the previous one was kept', 'failed'),
      )
      .catch(() => null);
    if (restored !== false) return;
    await files.retire(image.storageKey, () => repo.forgetFileRemoval(db, image.storageKey));
    throw conflict(CHANGED_MEANWHILE);
  }

  /**
   * The update itself, with its audit event, after the change is authorized again inside its
   * transaction. It applies only while the image is live, in the gallery it was authorized in, and
   * (a new file) still on the file it was prepared against: otherwise 409, or 404 when it is gone.
   * A new file is checked against the quota of its uploader (the actor) under a lock, as uploads
   * are. A clash with another image of the gallery is 409.
   */
  async function saveChanges(
    actor: Actor,
    current: repo.ImageRow,
    data: Partial<repo.NewImage>,
    event: () => AuditEvent,
    newFile = false,
  ) {
    const galleryId = data.galleryId ?? current.galleryId;
    const notApplied = new Error('the image changed meanwhile');
    try {
      return await audit.withEvent(
        async (tx) => {
          if (newFile) await lockForWrite(tx, actor.id, galleryId);
          await authorizeChange(actor, current, data.galleryId, tx);
          if (newFile) await requireRoom(actor, data.size!, current.uploaderId === actor.id ? current.size : 0, tx);
          const saved = newFile
            ? await repo.replaceImageFile(tx, current, data)
            : await repo.updateImage(tx, current, data);
          if (!saved) throw notApplied;
          return saved;
        },
        event,
        newFile ? INSERT_TRANSACTION : undefined,
      );
    } catch (error) {
      if (error === notApplied) return changedOrGone(current.id);
      if (!isUniqueViolation(error)) throw error;
      await trash.refuseTrashedDuplicate(galleryId, data.sha256 ?? current.sha256);
      throw duplicateIn(galleryId);
    }
  }

  /**
   * Delete: into the trash (TRASH_DAYS), or, with TRASH_DAYS=0, for good: the row is marked
   * (hidden at once), the files removed, then the row.
   */
  async function remove(actor: Actor, id: number): Promise<DeleteOutcome> {
    return serially(id, async () => {
      const image = await get(actor, id);
      await authorizeChange(actor, image);
      const eventOf = () => ({
        action: trash.enabled ? 'image.trash' : 'image.delete',
        actor,
        target: { type: 'image', id },
        address: actor.address,
      });
      if (trash.enabled) return trash.moveToTrash(actor, image, eventOf);
      await audit.withEvent(async (tx) => {
        await authorizeChange(actor, image, undefined, tx);
        const marked = await repo.markDeleted(tx, id, image.storageKey);
        if (marked === 'changed') throw conflict(CHANGED_MEANWHILE);
        if (marked === 'gone') throw notFound(IMAGE_NOT_FOUND);
      }, eventOf);
      files.faultPoint('delete-marked');
      await files.retire(image.storageKey, () => repo.deleteImage(db, id));
      return { trashed: false, purgeAt: null };
    });
  }

  return { update, remove };
}
