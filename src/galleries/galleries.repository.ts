import type { Database } from '../db/client';

export const gallerySelect = {
  id: true,
  name: true,
  description: true,
  ownerId: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { id: true, username: true } },
  _count: { select: { images: true } },
} as const;

export type GalleryRow = NonNullable<Awaited<ReturnType<typeof findGallery>>>;

export function findGallery(db: Database, id: number) {
  return db.gallery.findUnique({ where: { id }, select: gallerySelect });
}

export function findGalleryOwner(db: Database, id: number) {
  return db.gallery.findUnique({ where: { id }, select: { id: true, ownerId: true } });
}

/** Newest first, `limit + 1` rows so the caller can tell whether another page follows. */
export function listGalleries(db: Database, filter: { ownerId?: number; beforeId?: number; limit: number }) {
  return db.gallery.findMany({
    where: {
      ...(filter.ownerId !== undefined ? { ownerId: filter.ownerId } : {}),
      ...(filter.beforeId !== undefined ? { id: { lt: filter.beforeId } } : {}),
    },
    orderBy: { id: 'desc' },
    take: filter.limit + 1,
    select: gallerySelect,
  });
}

export function insertGallery(db: Database, data: { name: string; description: string; ownerId: number }) {
  return db.gallery.create({ data, select: gallerySelect });
}

export function updateGallery(db: Database, id: number, data: { name?: string; description?: string }) {
  return db.gallery.update({ where: { id }, data, select: gallerySelect });
}

/** Deletes the gallery and its images in one transaction; returns the storage keys to remove. */
export function deleteGalleryWithImages(db: Database, id: number) {
  return db.$transaction(async (tx) => {
    const images = await tx.image.findMany({ where: { galleryId: id }, select: { storageKey: true } });
    await tx.image.deleteMany({ where: { galleryId: id } });
    await tx.gallery.delete({ where: { id }, select: { id: true } });
    return images.map((image) => image.storageKey);
  });
}
