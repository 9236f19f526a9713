import type { Actor } from '../../shared/actor';
import * as repo from './favorites.repository';
import type { ImageExtrasReader } from './image-extras';
import type { ImagesDeps, WriteRules } from './image-writes';

/**
 * Favorites: each user's own stars, on any image they may see (view-only roles too). Private to
 * the user: only the `favorite` field of their own replies shows them. Starring twice, or taking
 * off a star that is not there, changes nothing and succeeds.
 */
export function createFavorites({ db }: ImagesDeps, rules: Pick<WriteRules, 'get'>, extras: ImageExtrasReader) {
  return {
    async star(actor: Actor, id: number) {
      const image = await rules.get(actor, id);
      try {
        await repo.star(db, actor.id, id);
      } catch (error) {
        // Deleted for good between the read and the insert: 404 as if it had been gone before.
        await rules.get(actor, id);
        throw error;
      }
      return extras.one(actor, image);
    },
    async unstar(actor: Actor, id: number) {
      const image = await rules.get(actor, id);
      await repo.unstar(db, actor.id, id);
      return extras.one(actor, image);
    },
  };
}

export type Favorites = ReturnType<typeof createFavorites>;
