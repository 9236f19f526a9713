import type { Database, Transaction } from '../../platform/db/client';
import { LIVE } from '../galleries';

/** What the owner's list and the create reply show of a link: never its key hash or password hash. */
const linkSelect = {
  id: true,
  galleryId: true,
  prefix: true,
  expiresAt: true,
  maxViews: true,
  views: true,
  allowOriginals: true,
  createdAt: true,
  revokedAt: true,
  passwordHash: true,
  createdBy: { select: { id: true, username: true } },
} as const;

export type LinkRow = NonNullable<Awaited<ReturnType<typeof findLinkInGallery>>>;

export type NewLink = {
  galleryId: number;
  createdById: number;
  keyHash: string;
  prefix: string;
  passwordHash: string | null;
  expiresAt: Date | null;
  maxViews: number | null;
  allowOriginals: boolean;
};

export function insertLink(tx: Transaction, data: NewLink) {
  return tx.shareLink.create({ data, select: linkSelect });
}

/** One page of a gallery's links, newest first: `limit + 1` rows, for `idPage`. */
export function listLinks(db: Database, galleryId: number, page: { limit: number; beforeId?: number }) {
  return db.shareLink.findMany({
    where: { galleryId, ...(page.beforeId ? { id: { lt: page.beforeId } } : {}) },
    select: linkSelect,
    orderBy: { id: 'desc' },
    take: page.limit + 1,
  });
}

export function findLinkInGallery(db: Database, galleryId: number, linkId: number) {
  return db.shareLink.findFirst({ where: { id: linkId, galleryId }, select: linkSelect });
}

/** Revokes a link that is not revoked yet; false when there was none such. */
export async function revokeLink(tx: Transaction, galleryId: number, linkId: number, at: Date): Promise<boolean> {
  const { count } = await tx.shareLink.updateMany({
    where: { id: linkId, galleryId, revokedAt: null },
    data: { revokedAt: at },
  });
  return count === 1;
}

/**
 * Revokes the links `madeBy.userId` made (to one gallery, or to all) that could still be opened at
 * `at` (neither revoked nor expired); the links it revoked, oldest first.
 */
export async function revokeLinksMadeBy(tx: Transaction, madeBy: { userId: number; galleryId?: number }, at: Date) {
  const links = await tx.shareLink.findMany({
    where: {
      createdById: madeBy.userId,
      ...(madeBy.galleryId === undefined ? {} : { galleryId: madeBy.galleryId }),
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: at } }],
    },
    select: { id: true, galleryId: true, prefix: true },
    orderBy: { id: 'asc' },
  });
  if (links.length > 0) {
    await tx.shareLink.updateMany({
      where: { id: { in: links.map((link) => link.id) }, revokedAt: null },
      data: { revokedAt: at },
    });
  }
  return links;
}

/**
 * The link with this key hash if it may still be opened at `now`: not revoked, not expired, its
 * gallery not being deleted, the user who made it not deactivated. Views are not looked at here
 * (see `countView`).
 */
export function findOpenLink(db: Database, keyHash: string, now: Date) {
  return db.shareLink.findFirst({
    where: {
      keyHash,
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      gallery: LIVE,
      createdBy: { isActive: true },
    },
    select: { id: true, galleryId: true, passwordHash: true, allowOriginals: true, expiresAt: true },
  });
}

export type OpenLink = NonNullable<Awaited<ReturnType<typeof findOpenLink>>>;

/**
 * Counts one view of the link's page, in one UPDATE that only matches while the link is usable:
 * not revoked, not expired and, with a limit, `views < maxViews`. Parallel views cannot pass the
 * limit together: each one's condition is checked against the row as the one before left it.
 * False: the link is used up (or was revoked or expired meanwhile).
 */
export async function countView(db: Database, linkId: number, now: Date): Promise<boolean> {
  const { count } = await db.shareLink.updateMany({
    where: {
      id: linkId,
      revokedAt: null,
      AND: [
        { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        { OR: [{ maxViews: null }, { maxViews: { gt: db.shareLink.fields.views } }] },
      ],
    },
    data: { views: { increment: 1 } },
  });
  return count === 1;
}

/** The gallery a link shows, with the number of its images; null once its delete has begun. */
export async function findSharedGallery(db: Database, galleryId: number) {
  const gallery = await db.gallery.findFirst({
    where: { id: galleryId, ...LIVE },
    select: { id: true, name: true, description: true, _count: { select: { images: { where: LIVE } } } },
  });
  return (
    gallery && {
      id: gallery.id,
      name: gallery.name,
      description: gallery.description,
      imageCount: gallery._count.images,
    }
  );
}

export type SharedGallery = NonNullable<Awaited<ReturnType<typeof findSharedGallery>>>;
