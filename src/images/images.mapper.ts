import { asIsoTimestamp } from '../db/sql-reader';
import type { ImageRow } from './images.repository';

/**
 * The version in an image's file URL: a new file gets a new URL, so a URL's content never changes
 * and clients may cache it for good.
 */
export function fileVersion(sha256: string): string {
  return sha256.slice(0, 16);
}

/** The public shape of an image: the original's fields first, never the storage key. */
export function toImageJson(image: ImageRow, baseUrl: string) {
  return {
    id: image.id,
    title: image.title,
    image: `${baseUrl}/api/gallery/images/${image.id}/file/?v=${fileVersion(image.sha256)}`,
    description: image.description,
    gallery: image.galleryId,
    gallery_name: image.gallery.name,
    uploader: image.uploader,
    mimeType: image.mimeType,
    size: image.size,
    width: image.width,
    height: image.height,
    sha256: image.sha256,
    createdAt: asIsoTimestamp(image.createdAt),
    updatedAt: asIsoTimestamp(image.updatedAt),
  };
}
