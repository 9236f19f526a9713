import { outcomeOf } from '../../http/item-results';
import type { Actor } from '../../shared/actor';
import { forbidden, type AppError } from '../../shared/errors';
import { permissionsOf } from '../../shared/permissions';
import type { ImageView } from './image-extras';
import type { BulkBody } from './images-bulk.schemas';
import type { ImagesService } from './images.service';

/** What became of one image of a bulk request. */
export type BulkResult = { id: number; status: number; image?: ImageView; purgeAt?: Date; error?: AppError };

/**
 * One action on many images: each goes the way a single request about it goes (the same checks,
 * locks, audit event and status), one after the other, and succeeds or fails on its own.
 */
export function createImageBulk({ images }: { images: Pick<ImagesService, 'update' | 'remove' | 'trash' | 'tags'> }) {
  /** The action on one image: the image after a move or an update, when it goes to the trash. */
  function actOn(actor: Actor, body: BulkBody, id: number): Promise<Omit<BulkResult, 'id' | 'status'>> {
    switch (body.action) {
      case 'move':
        return images.update(actor, id, { gallery: body.gallery }, undefined).then((image) => ({ image }));
      case 'update':
        return images.update(actor, id, body.fields, undefined).then((image) => ({ image }));
      case 'trash':
        return images.remove(actor, id).then((outcome) => (outcome.purgeAt ? { purgeAt: outcome.purgeAt } : {}));
      case 'restore':
        return images.trash.restore(actor, id).then(() => ({}));
      case 'tag':
        return images.tags.change(actor, id, { add: body.tags }).then((image) => ({ image }));
      case 'untag':
        return images.tags.change(actor, id, { remove: body.tags }).then((image) => ({ image }));
    }
  }

  return {
    async apply(actor: Actor, body: BulkBody): Promise<BulkResult[]> {
      if ((body.action === 'trash' || body.action === 'restore') && !permissionsOf(actor.role).includes('image:delete'))
        throw forbidden('No permission to perform this action');
      const results: BulkResult[] = [];
      for (const id of body.ids) {
        const outcome = await outcomeOf(() => actOn(actor, body, id));
        results.push({
          id,
          status: outcome.status,
          ...outcome.value,
          ...(outcome.error ? { error: outcome.error } : {}),
        });
      }
      return results;
    },
  };
}

export type ImageBulk = ReturnType<typeof createImageBulk>;
