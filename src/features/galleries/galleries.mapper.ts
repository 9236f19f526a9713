export function toGalleryJson(gallery: {
  id: number;
  name: string;
  description: string;
  owner: { id: number; username: string };
  _count: { images: number };
  createdAt: Date;
  updatedAt: Date;
}) {
  return {
    id: gallery.id,
    name: gallery.name,
    description: gallery.description,
    owner: gallery.owner,
    imageCount: gallery._count.images,
    createdAt: gallery.createdAt.toISOString(),
    updatedAt: gallery.updatedAt.toISOString(),
  };
}
