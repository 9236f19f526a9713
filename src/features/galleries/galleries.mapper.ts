import type { MemberRole, Visibility } from './galleries.access';

export function toGalleryJson(gallery: {
  id: number;
  name: string;
  description: string;
  owner: { id: number; username: string };
  visibility: string;
  _count: { images: number };
  createdAt: Date;
  updatedAt: Date;
}) {
  return {
    id: gallery.id,
    name: gallery.name,
    description: gallery.description,
    owner: gallery.owner,
    visibility: gallery.visibility as Visibility,
    imageCount: gallery._count.images,
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
