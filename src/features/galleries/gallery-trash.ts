import type { Database, Transaction } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import { AppError, notFound } from '../../shared/errors';
import type { FaultPointHook } from '../../shared/fault-points';
import type { AuditEvent, AuditLog } from '../audit';
import { canModifyGallery } from './galleries.policy';
import * as repo from './galleries.repository';

/**
 * What a gallery's delete needs from its images (a feature above this one): given by the app's
 * wiring, so that the arrow between the two features points one way.
 */
export type GalleryImages = {
  /** In the delete's transaction: marks every image of the gallery deleted; returns their storage keys. */
  markAllDeleted(tx: Transaction, galleryId: number): Promise<string[]>;
  /** Removes an image's stored files. */
  removeFiles(storageKey: string): Promise<void>;
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** When an item put in the trash at `trashedAt` is deleted for good. */
export const purgeAtOf = (trashedAt: Date, trashDays: number) => new Date(trashedAt.getTime() + trashDays * DAY_MS);

/** At `now`, what was put in the trash before this time is due to be purged. */
export const purgeDueBefore = (now: Date, trashDays: number) => purgeAtOf(now, -trashDays);

/** What a delete did: put the item in the trash until `purgeAt`, or deleted it for good (TRASH_DAYS=0). */
export type DeleteOutcome = { trashed: true; purgeAt: Date } | { trashed: false; purgeAt: null };

export const NOT_IN_TRASH = 'Not in the trash';

/**
 * Who asks for a purge: a user (deleting for good from the trash), or the storage maintenance for
 * items put in the trash before `before` (TRASH_DAYS ago): one put back and trashed again since is
 * left alone.
 */
export type Purger = { actor: Actor } | { expired: { before: Date; days: number } };

/** The audit event of a trash operation on a `type`, by a user or by the storage maintenance. */
export function trashEvent(action: string, type: 'image' | 'gallery', id: number, by: Purger): AuditEvent {
  if ('actor' in by) return { action, actor: by.actor, target: { type, id }, address: by.actor.address };
  return {
    action,
    actor: null,
    target: { type, id },
    detail: `expired after ${by.expired.days} days in the trash`,
    address: null,
  };
}

type Deps = {
  db: Database;
  audit: AuditLog;
  images: GalleryImages;
  faultPoint: FaultPointHook;
  trashDays: number;
};

/**
 * A gallery's way out: into the trash and back, and deleted for good. The delete for good is the
 * crash-safe one of before: the gallery and its image rows marked (hidden at once), the files
 * removed, then the rows; the storage check finishes one a crash interrupted.
 */
export function createGalleryTrash({ db, audit, images, faultPoint, trashDays }: Deps) {
  async function erase(id: number, from: 'live' | 'trash', eventOf: () => AuditEvent, before?: Date) {
    const keys = await audit.withEvent(async (tx) => {
      if (!(await repo.markGalleryDeleted(tx, id, from, before)))
        throw notFound(from === 'live' ? 'Gallery not found' : NOT_IN_TRASH);
      return images.markAllDeleted(tx, id);
    }, eventOf);
    faultPoint(from === 'live' ? 'gallery-delete-marked' : 'trash-purge-marked');
    for (const key of keys) await images.removeFiles(key);
    await repo.deleteGallery(db, id);
  }

  /** The trashed gallery, when `actor` may restore or purge it (its owner, an admin); 404 otherwise. */
  async function trashedFor(actor: Actor, id: number) {
    const gallery = await repo.findTrashedGallery(db, id);
    if (!gallery || !canModifyGallery(actor, gallery)) throw notFound(NOT_IN_TRASH);
    return gallery;
  }

  return {
    /** A delete by its owner or an admin (checked by the caller): to the trash, or for good when TRASH_DAYS=0. */
    async remove(actor: Actor, id: number): Promise<DeleteOutcome> {
      if (trashDays === 0) {
        await erase(id, 'live', () => trashEvent('gallery.delete', 'gallery', id, { actor }));
        return { trashed: false, purgeAt: null };
      }
      const at = new Date();
      await audit.withEvent(
        async (tx) => {
          if (!(await repo.trashGallery(tx, id, actor.id, at))) throw notFound('Gallery not found');
        },
        () => trashEvent('gallery.trash', 'gallery', id, { actor }),
      );
      return { trashed: true, purgeAt: purgeAtOf(at, trashDays) };
    },

    /** Back from the trash with its images, members and links as they were (owner or admin). */
    async restore(actor: Actor, id: number) {
      await trashedFor(actor, id);
      await audit.withEvent(
        async (tx) => {
          if (!(await repo.untrashGallery(tx, id))) throw notFound(NOT_IN_TRASH);
        },
        () => trashEvent('gallery.restore', 'gallery', id, { actor }),
      );
    },

    /** Deletes a gallery in the trash for good, with its images and their files. */
    /** Whether it was purged (false: restored or purged by another since it was found expired). */
    async purge(by: Purger, id: number): Promise<boolean> {
      if ('actor' in by) await trashedFor(by.actor, id);
      const before = 'expired' in by ? by.expired.before : undefined;
      return erase(id, 'trash', () => trashEvent('gallery.purge', 'gallery', id, by), before).then(
        () => true,
        (error: unknown) => {
          if (before && error instanceof AppError && error.code === 'NOT_FOUND') return false;
          throw error;
        },
      );
    },

    /** Galleries put in the trash before `before` (at most `limit`). */
    trashedBefore: (before: Date, limit: number) => repo.galleriesTrashedBefore(db, before, limit),
  };
}

export type GalleryTrash = ReturnType<typeof createGalleryTrash>;
