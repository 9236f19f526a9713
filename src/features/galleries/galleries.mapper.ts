import type { MemberRole, Visibility } from './galleries.access';
import type { CoverRow, GalleryRow } from './galleries.repository';

/**
 * The URL of an image's thumbnail, the same as in the image's own reply (made by the images
 * feature, which this one cannot import: given by the app's wiring).
 */
export type ThumbnailUrl = (image: { id: number; storageKey: string }) => string;

function toCoverJson(cover: CoverRow | null, thumbnailUrl: ThumbnailUrl) {
  if (!cover) return null;
  return {
    id: cover.id,
    width: cover.width,
    height: cover.height,
    thumbhash: cover.thumbhash,
    thumbnailUrl: thumbnailUrl(cover),
    chosen: cover.chosen,
  };
}

/** A gallery's reply: never a storage key (the cover's only shows in its thumbnail's version). */
export function toGalleryJson(gallery: GalleryRow, thumbnailUrl: ThumbnailUrl) {
  return {
    id: gallery.id,
    name: gallery.name,
    description: gallery.description,
    owner: gallery.owner,
    visibility: gallery.visibility as Visibility,
    imageCount: gallery.imageCount,
    cover: toCoverJson(gallery.cover, thumbnailUrl),
    createdAt: gallery.createdAt.toISOString(),
    updatedAt: gallery.updatedAt.toISOString(),
  };
}

export function toMemberJson(member: { role: string; createdAt: Date; user: { id: number; username: string } }) {
  return {
    user: { id: member.user.id, username: member.user.username },
    role: member.role as MemberRole,
    addedAt: member.createdAt.toISOString(),
  };
}

export function toGroupMemberJson(member: {
  role: string;
  createdAt: Date;
  group: { id: number; name: string };
  includesYou: boolean;
}) {
  return {
    group: { id: member.group.id, name: member.group.name },
    role: member.role as MemberRole,
    addedAt: member.createdAt.toISOString(),
    includesYou: member.includesYou,
  };
}
