import type { SqlReader } from '../../platform/db/sql-reader';
import type { Actor } from '../../shared/actor';
import type { Page } from '../../shared/paging';
import type { ImageRow } from './image-columns';
import { tagsAndFavoritesOf } from './image-tags.repository';

/** What an image's reply shows besides its row: its tags, and whether the caller starred it. */
export type ImageExtras = { tags: string[]; favorite: boolean };
export type ImageView = ImageRow & ImageExtras;

/**
 * Adds tags and the caller's star to images about to be shown: one query for any number of them
 * (a whole page), never one per image. Without an actor (a share link) nothing is starred.
 */
export function createImageExtras(reader: SqlReader) {
  async function all(actor: Actor | null, images: ImageRow[]): Promise<ImageView[]> {
    const ids = images.map((image) => image.id);
    const { tags, favorites } = await tagsAndFavoritesOf(reader, ids, actor?.id ?? null);
    const views = images as ImageView[];
    for (const view of views) {
      view.tags = tags.get(view.id) ?? [];
      view.favorite = favorites.has(view.id);
    }
    return views;
  }
  return {
    all,
    one: async (actor: Actor | null, image: ImageRow): Promise<ImageView> => (await all(actor, [image]))[0],
    page: async (actor: Actor | null, page: Page<ImageRow>): Promise<Page<ImageView>> => ({
      ...page,
      items: await all(actor, page.items),
    }),
  };
}

export type ImageExtrasReader = ReturnType<typeof createImageExtras>;
