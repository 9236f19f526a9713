import { allPages, apiClient, must, type ImageJson } from './api';
import { bytes, print, table } from './output';
import { currentCredentials } from './settings';

/** The galleries the caller can see, or the images of one of them. */
export async function list(gallery: number | undefined, options: { json?: boolean }): Promise<void> {
  const { server, token } = currentCredentials();
  const api = apiClient(server, token);
  if (gallery === undefined) {
    const galleries = await allPages(
      (cursor) => api.GET('/api/gallery/galleries', { params: { query: { limit: 200, cursor, sort: 'created' } } }),
      'Listing galleries',
    );
    print(options.json ?? false, galleries, () =>
      table([
        ['ID', 'NAME', 'IMAGES', 'VISIBILITY', 'OWNER'],
        ...galleries.map((g) => [String(g.id), g.name, String(g.imageCount), g.visibility, g.owner.username]),
      ]),
    );
    return;
  }
  must(await api.GET('/api/gallery/galleries/{id}', { params: { path: { id: gallery } } }), `Gallery ${gallery}`);
  const images = await imagesOf(server, token, gallery);
  print(options.json ?? false, images, () =>
    table([
      ['ID', 'TITLE', 'SIZE', 'PIXELS', 'SHA-256'],
      ...images.map((i) => [
        String(i.id),
        i.title,
        bytes(i.size),
        `${i.width ?? '?'}×${i.height ?? '?'}`,
        i.sha256.slice(0, 16),
      ]),
    ]),
  );
}

/** Every image of a gallery the caller can see, oldest first. */
export function imagesOf(server: string, token: string, gallery: number): Promise<ImageJson[]> {
  const api = apiClient(server, token);
  return allPages(
    (cursor) =>
      api.GET('/api/gallery/view-images', { params: { query: { gallery, limit: 200, cursor, sort: 'created' } } }),
    `Listing the images of gallery ${gallery}`,
  );
}
