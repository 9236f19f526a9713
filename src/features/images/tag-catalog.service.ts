import { isRecordMissing, isUniqueViolation } from '../../platform/db/errors';
import { isAdmin, type Actor } from '../../shared/actor';
import { badRequest, conflict, forbidden, notFound } from '../../shared/errors';
import { viewerOf } from '../galleries';
import * as tags from './image-tags.repository';
import type { ImagesDeps } from './image-writes';

const ADMINS_ONLY = 'Only admins may rename or merge tags.';
const TAG_NOT_FOUND = 'Tag not found';

/**
 * All tags at once: suggestions as one types (only from images the caller may see), and an
 * admin's rename or merge of a tag. A rename onto a name another tag has is a merge into it. Both
 * are audited; the database's triggers refresh the search text of every image the tag is on, in
 * the same transaction.
 */
export function createTagCatalog({ db, reader, audit }: Pick<ImagesDeps, 'db' | 'reader' | 'audit'>) {
  /** Tags starting with `prefix` (already normalised), with the count of the caller's visible live images. */
  async function suggest(actor: Actor, prefix: string, limit: number) {
    const rows = await tags.suggestTags(reader, viewerOf(actor), prefix, limit);
    return rows.map((row) => ({ id: Number(row.id), name: row.name, count: Number(row.count) }));
  }

  /** Sets the name of tag `id`, or merges it into the tag that already has `name`. */
  async function rename(actor: Actor, id: number, name: string) {
    if (!isAdmin(actor)) throw forbidden(ADMINS_ONLY);
    const tag = await tags.findTag(db, id);
    if (!tag) throw notFound(TAG_NOT_FOUND);
    if (tag.name === name) return { id, name, merged: false };
    const existing = await tags.findTagByName(db, name);
    if (existing) return merge(actor, id, existing.id);
    try {
      await audit.withEvent(
        async (tx) => {
          const images = await tags.imagesWithTag(tx, id);
          await tags.renameTag(tx, id, name);
          return images.length;
        },
        (count) => ({
          action: 'tag.rename',
          actor,
          target: { type: 'tag', id },
          detail: JSON.stringify({ from: tag.name, to: name, images: count }),
          address: actor.address,
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`Another tag was named "${name}" meanwhile; try again.`);
      throw error;
    }
    return { id, name, merged: false };
  }

  /** Every image with tag `id` gets tag `into` instead; tag `id` is deleted. */
  async function merge(actor: Actor, id: number, into: number) {
    if (!isAdmin(actor)) throw forbidden(ADMINS_ONLY);
    if (id === into)
      throw badRequest('A tag cannot be merged into itself.', [{ path: 'into', message: 'The same tag.' }]);
    const [from, target] = await Promise.all([tags.findTag(db, id), tags.findTag(db, into)]);
    if (!from) throw notFound(TAG_NOT_FOUND);
    if (!target) throw badRequest('into: No tag with that id.', [{ path: 'into', message: 'No tag with that id.' }]);
    await audit
      .withEvent(
        async (tx) => {
          const images = await tags.imagesWithTag(tx, id);
          await tags.mergeTag(tx, id, into);
          return images.length;
        },
        (count) => ({
          action: 'tag.merge',
          actor,
          target: { type: 'tag', id },
          detail: JSON.stringify({ from: from.name, into: target.name, images: count }),
          address: actor.address,
        }),
      )
      .catch((error: unknown) => {
        // Merged or renamed away by another request meanwhile.
        if (isRecordMissing(error)) throw notFound(TAG_NOT_FOUND);
        throw error;
      });
    return { id: target.id, name: target.name, merged: true };
  }

  return { suggest, rename, merge };
}

export type TagCatalog = ReturnType<typeof createTagCatalog>;
