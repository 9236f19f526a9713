import type { Database } from '../../platform/db/client';
import { LIVE, writableGalleryWhere, type Viewer } from '../galleries';

/** An image's or a gallery's place in the trash's order: newest trashed first, galleries before images. */
export type TrashPosition = { trashedAt: Date; kind: 'gallery' | 'image'; id: number };
const RANK = { image: 0, gallery: 1 } as const;

/**
 * The rows of one kind that come after `after` in the order (trashedAt, kind, id), all descending:
 * with a kind ranked below the cursor's, rows of the same time still come; with one above, not.
 */
function after(kind: TrashPosition['kind'], position: TrashPosition | undefined) {
  if (!position) return {};
  const t = position.trashedAt;
  if (RANK[kind] < RANK[position.kind]) return { trashedAt: { lte: t } };
  if (RANK[kind] > RANK[position.kind]) return { trashedAt: { lt: t } };
  return { OR: [{ trashedAt: { lt: t } }, { trashedAt: t, id: { lt: position.id } }] };
}

const ORDER = [{ trashedAt: 'desc' as const }, { id: 'desc' as const }];

/** Galleries a user may write to: their own, and those they edit, directly or through a group (admins: all). */
const writableBy = writableGalleryWhere;

/**
 * Images in the trash the viewer may restore (those of galleries they may write to), not those of
 * a gallery that is itself in the trash (they come back with it).
 */
export function trashedImages(
  db: Database,
  viewer: Exclude<Viewer, 'anyone'>,
  from: TrashPosition | undefined,
  take: number,
) {
  return db.image.findMany({
    where: { trashed: true, deleting: false, gallery: { ...LIVE, ...writableBy(viewer) }, ...after('image', from) },
    orderBy: ORDER,
    take,
    select: {
      id: true,
      title: true,
      size: true,
      width: true,
      height: true,
      thumbhash: true,
      trashedAt: true,
      trashedById: true,
      gallery: { select: { id: true, name: true, ownerId: true } },
    },
  });
}

/** Galleries in the trash the viewer may restore: their own (admins: all). */
export function trashedGalleries(
  db: Database,
  viewer: Exclude<Viewer, 'anyone'>,
  from: TrashPosition | undefined,
  take: number,
) {
  return db.gallery.findMany({
    where: {
      trashed: true,
      deleting: false,
      ...(viewer.admin ? {} : { ownerId: viewer.userId }),
      ...after('gallery', from),
    },
    orderBy: ORDER,
    take,
    select: {
      id: true,
      name: true,
      ownerId: true,
      trashedAt: true,
      trashedById: true,
      _count: { select: { images: { where: LIVE } } },
    },
  });
}

/** The usernames of these users (for "trashed by"). */
export async function usernames(db: Database, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, username: true } });
  return new Map(users.map((user) => [user.id, user.username]));
}

/**
 * Everything in the trash a viewer may delete for good, to empty it: the images in the trash of
 * the galleries they own (also of those in the trash) and their galleries in the trash; for
 * admins, everything.
 */
export async function purgeableBy(db: Database, viewer: Exclude<Viewer, 'anyone'>) {
  const owned = viewer.admin ? {} : { ownerId: viewer.userId };
  const [images, galleries] = await Promise.all([
    db.image.findMany({
      where: { trashed: true, deleting: false, gallery: { deleting: false, ...owned } },
      select: { id: true },
    }),
    db.gallery.findMany({ where: { trashed: true, deleting: false, ...owned }, select: { id: true } }),
  ]);
  return { images: images.map((row) => row.id), galleries: galleries.map((row) => row.id) };
}
