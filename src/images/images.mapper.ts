import { asIsoTimestamp } from '../db/sql-reader';
import type { ImageRow } from './images.repository';

/** The public shape of an image: the original's fields first, never the storage key. */
export function toImageJson(image: ImageRow, baseUrl: string) {
  return {
    id: image.id,
    title: image.title,
    image: `${baseUrl}/api/gallery/images/${image.id}/file/`,
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
