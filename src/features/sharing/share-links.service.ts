import bcrypt from 'bcrypt';
import type { Database } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import type { Config } from '../../shared/config';
import { AppError, notFound } from '../../shared/errors';
import { idPage, type ListOptions } from '../../shared/paging';
import type { AuditLog } from '../audit';
import { createLoginThrottle, databaseThrottleStore } from '../auth';
import type { GalleriesService } from '../galleries';
import type { FileSize, ImagesService, RangeFor } from '../images';
import { createPasswordMemory, generateKey, hashKey, looksLikeKey } from './share-keys';
import * as repo from './share-links.repository';

export type ShareLinksDeps = {
  db: Database;
  audit: AuditLog;
  galleries: GalleriesService;
  images: ImagesService;
  config: Pick<Config, 'bcryptCost' | 'loginThrottle'>;
};

export type NewLinkInput = { expiresAt?: Date; password?: string; maxViews?: number; allowOriginals: boolean };

/** What a visitor of a link sends besides the key: the password header and their address. */
export type Visitor = { password: string | undefined; address: string };

/** The one reply for a key that is wrong, expired, revoked or used up, or whose gallery is gone. */
const LINK_NOT_FOUND = 'Share link not found';
const LINK_NOT_IN_GALLERY = 'No such share link in this gallery';
const PASSWORD_CHALLENGE = { headers: { 'WWW-Authenticate': 'SharePassword' } };

type ThrottleStore = ReturnType<typeof databaseThrottleStore>;

/**
 * The failed-login throttle's store, under keys of its own: `share:user:link:<id>` for a link's
 * password, `share:ip:<address>` for an address's failures with links (wrong keys and wrong
 * passwords). Failed logins and failed link attempts never lock each other.
 */
function sharingKeys(store: ThrottleStore): ThrottleStore {
  return {
    get: (key) => store.get(`share:${key}`),
    put: (key, state) => store.put(`share:${key}`, state),
    clear: (key) => store.clear(`share:${key}`),
  };
}

export function createShareLinksService({ db, audit, galleries, images, config }: ShareLinksDeps) {
  const throttle = createLoginThrottle(sharingKeys(databaseThrottleStore(db)), config.loginThrottle);
  const passwords = createPasswordMemory();
  const linkName = (linkId: number) => `link:${linkId}`;

  const linkEvent = (actor: Actor, action: string, galleryId: number, detail: string) => ({
    action,
    actor,
    target: { type: 'gallery', id: galleryId },
    detail,
    address: actor.address,
  });

  /**
   * The link for this key, if it may be opened now (not revoked, not expired, its gallery there),
   * and its password, when it has one, given. Every way a key can fail is the same 404, and counts
   * as a failure of the address: a guesser is locked out (429) whatever they try next, even a good
   * key. A missing password is 401 without counting; a wrong one is 401 and counts against the link
   * and the address.
   */
  async function admit(key: string, visitor: Visitor): Promise<repo.OpenLink> {
    await throttle.checkAddress(visitor.address);
    const link = looksLikeKey(key) ? await repo.findOpenLink(db, hashKey(key), new Date()) : null;
    if (!link) await refuse(visitor);
    if (link!.passwordHash) await checkPassword(link!, link!.passwordHash, visitor);
    return link!;
  }

  async function refuse(visitor: Visitor): Promise<never> {
    await throttle.recordAddressFailure(visitor.address);
    throw notFound(LINK_NOT_FOUND);
  }

  async function checkPassword(link: repo.OpenLink, passwordHash: string, visitor: Visitor) {
    await throttle.check(linkName(link.id), visitor.address);
    const { password } = visitor;
    if (password === undefined || password === '') throw new AppError('SHARE_PASSWORD_REQUIRED', undefined, PASSWORD_CHALLENGE);
    if (passwords.knows(link.id, password)) return;
    if (password.length > 200 || !(await bcrypt.compare(password, passwordHash))) {
      await throttle.recordFailure(linkName(link.id), visitor.address);
      throw new AppError('SHARE_PASSWORD_REQUIRED', undefined, PASSWORD_CHALLENGE);
    }
    passwords.remember(link.id, password);
  }

  return {
    /** A new link to the gallery (its owner or an admin); the key is in this reply and nowhere else. */
    async create(actor: Actor, galleryId: number, input: NewLinkInput) {
      await galleries.requireModifiable(actor, galleryId);
      const { key, keyHash, prefix } = generateKey();
      const passwordHash = input.password === undefined ? null : await bcrypt.hash(input.password, config.bcryptCost);
      const link = await audit.withEvent(
        (tx) =>
          repo.insertLink(tx, {
            galleryId,
            createdById: actor.id,
            keyHash,
            prefix,
            passwordHash,
            expiresAt: input.expiresAt ?? null,
            maxViews: input.maxViews ?? null,
            allowOriginals: input.allowOriginals,
          }),
        (created) =>
          linkEvent(actor, 'gallery.link.create', galleryId, `link ${created.id} ${prefix}… expires=${created.expiresAt?.toISOString() ?? 'never'} maxViews=${created.maxViews ?? 'none'} password=${passwordHash ? 'yes' : 'no'} originals=${created.allowOriginals ? 'yes' : 'no'}`),
      );
      return { link, key };
    },

    /** The gallery's links, newest first, without their keys (owner or admin). */
    async list(actor: Actor, galleryId: number, page: { limit: number; beforeId?: number }) {
      await galleries.requireModifiable(actor, galleryId);
      return idPage(await repo.listLinks(db, galleryId, page), page.limit);
    },

    /** Revokes a link of the gallery (owner or admin); a link already revoked stays as it was. */
    async revoke(actor: Actor, galleryId: number, linkId: number) {
      await galleries.requireModifiable(actor, galleryId);
      const link = await repo.findLinkInGallery(db, galleryId, linkId);
      if (!link) throw notFound(LINK_NOT_IN_GALLERY);
      if (link.revokedAt) return link;
      const at = new Date();
      await audit.withEvent(
        async (tx) => {
          if (!(await repo.revokeLink(tx, galleryId, linkId, at))) throw notFound(LINK_NOT_IN_GALLERY);
        },
        () => linkEvent(actor, 'gallery.link.revoke', galleryId, `link ${linkId} ${link.prefix}…`),
      );
      return { ...link, revokedAt: at };
    },

    /**
     * The link's page: its gallery and one page of its images. Each call is one view, counted in
     * the database in the same statement that checks the limit; past the last view the link is 404.
     */
    async open(key: string, visitor: Visitor, options: ListOptions) {
      const link = await admit(key, visitor);
      if (!(await repo.countView(db, link.id, new Date()))) await refuse(visitor);
      const [gallery, page] = await Promise.all([repo.findSharedGallery(db, link.galleryId), images.listInGallery(link.galleryId, options)]);
      if (!gallery) throw notFound(LINK_NOT_FOUND);
      return { link, gallery, page };
    },

    /**
     * One image file of the link's gallery. Files do not count as views, and are served while the
     * link is neither revoked nor expired, also once its views are used up: the last visitor must
     * still get the thumbnails of the page they were given.
     */
    async openFile(key: string, visitor: Visitor, imageId: number, size: FileSize | undefined, rangeFor?: RangeFor) {
      const link = await admit(key, visitor);
      const file = await images.openFileInGallery(link.galleryId, imageId, size, link.allowOriginals, rangeFor);
      return { link, ...file };
    },
  };
}

export type ShareLinksService = ReturnType<typeof createShareLinksService>;
