import type { Transaction } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import type { AuditEvent } from '../audit';
import * as repo from './share-links.repository';

/** Whose links end: those `userId` made, to one gallery or to every gallery. */
export type LinksMadeBy = { userId: number; galleryId?: number };

/**
 * A link ends with its maker's hold on the gallery: a transfer ends the links its old owner made to
 * it, a deactivation every link the user made. Revoked, not only hidden, so that nothing brings them
 * back (a transfer back, a reactivation). Runs in the transaction of that change (through the ports
 * of galleries and users, which cannot see this feature); each end is audited as a revoke by the
 * actor of the change, saying why. Links made by others (an admin's, on the old owner's gallery)
 * go on: the new owner sees them in the list and may revoke them.
 */
export async function endLinksMadeBy(
  tx: Transaction,
  madeBy: LinksMadeBy,
  actor: Actor,
  why: string,
): Promise<AuditEvent[]> {
  const ended = await repo.revokeLinksMadeBy(tx, madeBy, new Date());
  return ended.map((link) => ({
    action: 'gallery.link.revoke',
    actor,
    target: { type: 'gallery', id: link.galleryId },
    detail: `link ${link.id} ${link.prefix}… (${why})`,
    address: actor.address,
  }));
}
