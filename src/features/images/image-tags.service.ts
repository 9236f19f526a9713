import type { Actor } from '../../shared/actor';
import { badRequest } from '../../shared/errors';
import type { AuditEvent } from '../audit';
import type { ImageExtrasReader } from './image-extras';
import * as tags from './image-tags.repository';
import { INSERT_TRANSACTION, type ImagesDeps, type WriteRules } from './image-writes';
import { MAX_TAGS_PER_IMAGE } from './tag-names';

/** A change to an image's tags: those to add, those to take off, or the whole set. */
export type TagChange = { add: string[] } | { remove: string[] } | { replace: string[] };

/** What a change does to the tags an image has now. */
function planOf(current: string[], change: TagChange) {
  const has = new Set(current);
  if ('add' in change) return { added: change.add.filter((name) => !has.has(name)), removed: [] };
  if ('remove' in change) return { added: [], removed: change.remove.filter((name) => has.has(name)) };
  const wanted = new Set(change.replace);
  return {
    added: change.replace.filter((name) => !has.has(name)),
    removed: current.filter((name) => !wanted.has(name)),
  };
}

/**
 * Tags on images: whoever may change an image (the check of a change to its title, before the
 * work and again in its transaction) may change its tags. One transaction per change: the image's
 * row locked, its tags written (new tags created as needed), its search text refreshed, and the
 * audit event `image.tag`.
 */
export function createImageTags({ audit }: ImagesDeps, rules: WriteRules, extras: ImageExtrasReader) {
  const notApplied = new Error('the image changed meanwhile');

  const eventOf =
    (actor: Actor, id: number) =>
    (plan: { added: string[]; removed: string[] }): AuditEvent => ({
      action: 'image.tag',
      actor,
      target: { type: 'image', id },
      detail: JSON.stringify(plan),
      address: actor.address,
    });

  async function change(actor: Actor, id: number, request: TagChange) {
    const image = await rules.get(actor, id);
    await rules.authorizeChange(actor, image);
    try {
      await audit.withEvent(
        async (tx) => {
          await rules.authorizeChange(actor, image, undefined, tx);
          if (!(await tags.lockLiveImage(tx, id, image.galleryId))) throw notApplied;
          const current = await tags.tagNamesOf(tx, id);
          const plan = planOf(current, request);
          const count = current.length + plan.added.length - plan.removed.length;
          if (count > MAX_TAGS_PER_IMAGE) {
            throw badRequest(`An image has at most ${MAX_TAGS_PER_IMAGE} tags; this change would give it ${count}.`, [
              { path: 'tags', message: `At most ${MAX_TAGS_PER_IMAGE} tags on an image.` },
            ]);
          }
          if (plan.removed.length > 0) await tags.removeTags(tx, id, plan.removed);
          if (plan.added.length > 0) await tags.addTags(tx, id, plan.added);
          return plan;
        },
        eventOf(actor, id),
        // Adding a new tag waits for another request adding the same one to commit (its unique name).
        INSERT_TRANSACTION,
      );
    } catch (error) {
      if (error === notApplied) return rules.changedOrGone(id);
      throw error;
    }
    return extras.one(actor, await rules.get(actor, id));
  }

  return { change };
}

export type ImageTags = ReturnType<typeof createImageTags>;
