import { asIsoTimestamp } from '../../platform/db/sql-reader';
import type { ImageRow } from './images.repository';

/**
 * The version in an image's file URL: a new file gets a new URL, so a URL's content never changes
 * and clients may cache it for good.
 */
export function fileVersion(sha256: string): string {
  return sha256.slice(0, 16);
}

/**
 * The public shape of an image: the original's fields first, never the storage key. `image` is
 * the best file this caller may fetch: the original, or the preview for those who may not see
 * originals (then `original` is null).
 */
export function toImageJson(image: ImageRow, baseUrl: string, mayOriginal: boolean) {
  const file = `${baseUrl}/api/gallery/images/${image.id}/file/?v=${fileVersion(image.sha256)}&size=`;
  const original = mayOriginal ? `${file}original` : null;
  const preview = `${file}preview`;
  return {
    id: image.id,
    title: image.title,
    image: original ?? preview,
    description: image.description,
    gallery: image.galleryId,
    gallery_name: image.gallery.name,
    uploader: image.uploader,
    original,
    preview,
    thumbnail: `${file}thumb`,
    mimeType: image.mimeType,
    size: image.size,
    width: image.width,
    height: image.height,
    orientation: image.orientation,
    capturedAt: image.capturedAt,
    cameraModel: image.cameraModel,
    hasGps: image.hasGps,
    thumbhash: image.thumbhash,
    sha256: image.sha256,
    createdAt: asIsoTimestamp(image.createdAt),
    updatedAt: asIsoTimestamp(image.updatedAt),
  };
}
