// Where a new upload goes in the order of a gallery's grid (the order itself is in the address:
// filters.ts), so that uploads finishing in any order show as a reload would show them.
import type { Image } from '../api/client';
import type { ImageSort } from '../filters';

/** -1, 0 or 1: where `a` goes against `b` in the server's order (its sort key, then the id). */
function compare(a: Image, b: Image, sort: ImageSort): number {
  const key = (image: Image) =>
    sort.endsWith('created')
      ? image.createdAt
      : sort.endsWith('taken')
        ? (image.capturedAt ?? '')
        : image.title.toLowerCase();
  const [x, y] = [key(a), key(b)];
  const order = x < y ? -1 : x > y ? 1 : a.id - b.id;
  return sort.startsWith('-') ? -order : order;
}

/**
 * The loaded images with `image` where the server will list it. One that belongs after the last
 * loaded image, with more pages to come, is left to its page.
 */
export function placeImage(images: Image[], image: Image, sort: ImageSort, complete: boolean): Image[] {
  if (images.some((i) => i.id === image.id)) return images;
  const at = images.findIndex((other) => compare(image, other, sort) < 0);
  if (at < 0) return complete ? [...images, image] : images;
  return [...images.slice(0, at), image, ...images.slice(at)];
}
