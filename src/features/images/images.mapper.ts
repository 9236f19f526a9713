import { createHash } from 'node:crypto';
import type { z } from 'zod';

import type { VariantName } from '../../shared/image-variants';
import { copyReplyColumns, type ImageRow } from './image-columns';
import type { ImageExtras } from './image-extras';
import type { imageReply } from './images.schemas';

type ImageJson = z.output<typeof imageReply>;

/**
 * A digest of a file's storage key, which is random and new with every file an image gets: what is
 * made from it changes with the file, and tells nothing of the bytes. The SHA-256 of the bytes
 * would: through a share link, whoever has a copy of a photo could check that the gallery holds it.
 */
function keyDigest(storageKey: string, purpose: string): string {
  return createHash('sha256').update(`${purpose}:${storageKey}`).digest('hex');
}

/**
 * The version in an image's file URL: a new file gets a new URL, so a URL's content never changes
 * and clients may cache it for good.
 */
export function fileVersion(storageKey: string): string {
  return keyDigest(storageKey, 'version').slice(0, 16);
}

/** The entity tag of one of an image's files: its own for each file and size. */
export function fileTag(storageKey: string, size: VariantName | 'original'): string {
  return `"${keyDigest(storageKey, size).slice(0, 32)}"`;
}

/** The start of an image's file URLs, versioned by its file; the size (thumb, preview, original) ends them. */
function fileUrlOf(baseUrl: string, image: { id: number; storageKey: string }): string {
  return `${baseUrl}/api/gallery/images/${image.id}/file/?v=${fileVersion(image.storageKey)}&size=`;
}

/** An image's thumbnail URL, the one of its reply: for a gallery's cover. */
export function thumbnailUrl(baseUrl: string, image: { id: number; storageKey: string }): string {
  return `${fileUrlOf(baseUrl, image)}thumb`;
}

/**
 * The public shape of an image: the original's fields first, never the storage key. `image` is
 * the best file this caller may fetch: the original, or the preview for those who may not see
 * originals (then `original` is null). The columns shown as stored follow from image-columns.ts.
 */
export function toImageJson(image: ImageRow & Partial<ImageExtras>, baseUrl: string, mayOriginal: boolean): ImageJson {
  const file = fileUrlOf(baseUrl, image);
  const original = mayOriginal ? `${file}original` : null;
  const preview = `${file}preview`;
  const reply: Record<string, unknown> = {
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
  };
  copyReplyColumns(image, reply);
  reply.tags = image.tags ?? [];
  reply.favorite = image.favorite ?? false;
  reply.createdAt = image.createdAt;
  reply.updatedAt = image.updatedAt;
  return reply as ImageJson;
}
