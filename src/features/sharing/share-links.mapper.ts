import { asIsoTimestamp } from '../../platform/db/sql-reader';
import { fileVersion, type ImageRow } from '../images';
import type { LinkRow } from './share-links.repository';

export type LinkState = 'active' | 'expired' | 'revoked' | 'used-up';

/** Revoked before expired before used up: the first reason that applies is the one shown. */
export function linkState(
  link: Pick<LinkRow, 'revokedAt' | 'expiresAt' | 'maxViews' | 'views'>,
  now = new Date(),
): LinkState {
  if (link.revokedAt) return 'revoked';
  if (link.expiresAt && link.expiresAt <= now) return 'expired';
  if (link.maxViews !== null && link.views >= link.maxViews) return 'used-up';
  return 'active';
}

/** A link as its gallery's owner sees it: never the key (it is not kept) nor a hash. */
export function toLinkJson(link: LinkRow) {
  return {
    id: link.id,
    gallery: link.galleryId,
    prefix: link.prefix,
    state: linkState(link),
    expiresAt: link.expiresAt?.toISOString() ?? null,
    maxViews: link.maxViews,
    views: link.views,
    allowOriginals: link.allowOriginals,
    hasPassword: link.passwordHash !== null,
    createdBy: link.createdBy,
    createdAt: link.createdAt.toISOString(),
    revokedAt: link.revokedAt?.toISOString() ?? null,
  };
}

/** The address of a link's page; `base` is the server's public URL. */
export const linkUrl = (base: string, key: string) => `${base}/api/share/${key}`;

/**
 * An image as a link's visitor sees it: what it shows and where its files are, through the link.
 * Never its uploader, storage key, SHA-256 or other galleries; the EXIF summary (when and with
 * what it was taken, whether it has a position) only when the link gives the originals anyway.
 */
export function toSharedImageJson(image: ImageRow & { tags?: string[] }, pageUrl: string, allowOriginals: boolean) {
  const file = `${pageUrl}/images/${image.id}/file?v=${fileVersion(image.storageKey)}&size=`;
  return {
    id: image.id,
    title: image.title,
    description: image.description,
    width: image.width,
    height: image.height,
    mimeType: image.mimeType,
    size: image.size,
    thumbhash: image.thumbhash,
    createdAt: asIsoTimestamp(image.createdAt),
    thumbnail: `${file}thumb`,
    preview: `${file}preview`,
    original: allowOriginals ? `${file}original` : null,
    tags: image.tags ?? [],
    favorite: false,
    ...(allowOriginals ? { capturedAt: image.capturedAt, cameraModel: image.cameraModel, hasGps: image.hasGps } : {}),
  };
}
