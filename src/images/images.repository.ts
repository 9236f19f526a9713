import type { Database } from '../db/client';

export const imageSelect = {
  id: true,
  title: true,
  description: true,
  galleryId: true,
  uploaderId: true,
  storageKey: true,
  mimeType: true,
  size: true,
  sha256: true,
  width: true,
  height: true,
  createdAt: true,
  updatedAt: true,
  gallery: { select: { name: true, ownerId: true } },
  uploader: { select: { id: true, username: true } },
} as const;

export type ImageRow = NonNullable<Awaited<ReturnType<typeof findImage>>>;

export type NewImage = {
  galleryId: number;
  uploaderId: number;
  title: string;
  description: string;
  storageKey: string;
  mimeType: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
};

export function findImage(db: Database, id: number) {
  return db.image.findUnique({ where: { id }, select: imageSelect });
}

/** Newest first, `limit + 1` rows so the caller can tell whether another page follows. */
export function listImages(db: Database, filter: { galleryId?: number; beforeId?: number; limit: number }) {
  return db.image.findMany({
    where: {
      ...(filter.galleryId !== undefined ? { galleryId: filter.galleryId } : {}),
      ...(filter.beforeId !== undefined ? { id: { lt: filter.beforeId } } : {}),
    },
    orderBy: { id: 'desc' },
    take: filter.limit + 1,
    select: imageSelect,
  });
}

export function insertImage(db: Database, data: NewImage) {
  return db.image.create({ data, select: imageSelect });
}

export function updateImage(db: Database, id: number, data: Partial<NewImage>) {
  return db.image.update({ where: { id }, data, select: imageSelect });
}

export function deleteImage(db: Database, id: number) {
  return db.image.delete({ where: { id }, select: { id: true } });
}

