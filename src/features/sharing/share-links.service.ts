import bcrypt from 'bcrypt';

import type { Database } from '../../platform/db/client';
import type { Actor } from '../../shared/actor';
import { addressGroup } from '../../shared/address-group';
import type { Config } from '../../shared/config';
import { AppError, notFound } from '../../shared/errors';
import { idPage, type ListOptions } from '../../shared/paging';
import type { AuditLog } from '../audit';
import type { AttemptThrottle } from '../auth';
import type { GalleriesService } from '../galleries';
import type { FileSize, ImagesService, RangeFor } from '../images';
import { grantAdmits, makeGrant } from './share-grant';
import { createPasswordMemory, generateKey, hashKey, looksLikeKey } from './share-keys';
import * as repo from './share-links.repository';

export type ShareLinksDeps = {
  db: Database;
  audit: AuditLog;
  galleries: GalleriesService;
  images: ImagesService;
  config: Pick<Config, 'bcryptCost'>;
  /** Auth's throttle of attempts at a secret; links count under keys of their own (`share:…`). */
  throttle: AttemptThrottle;
};

export type NewLinkInput = { expiresAt?: Date; password?: string; maxViews?: number; allowOriginals: boolean };

/**
 * What a visitor of a link sends besides the key: the password header, the grant cookie a right
 * password earned them before (share-grant.ts), and their address.
 */
export type Visitor = { password: string | undefined; grant?: string; address: string | null };

/** The one reply for a key that is wrong, expired, revoked or used up, or whose gallery is gone. */
const LINK_NOT_FOUND = 'Share link not found';
const LINK_NOT_IN_GALLERY = 'No such share link in this gallery';
const PASSWORD_CHALLENGE = { headers: { 'WWW-Authenticate': 'SharePassword' } };

/**
 * The keys of a link's attempts: `share:link:<id>` for its password, `share:ip:<address>` for an
 * address's failures with links (wrong keys and wrong passwords). Failed logins and failed link
 * attempts never lock each other.
 */
const linkKey = (linkId: number) => `share:link:${linkId}`;
const visitorKey = (visitor: Visitor) => `share:ip:${addressGroup(visitor.address)}`;

export function createShareLinksService({ db, audit, galleries, images, config, throttle }: ShareLinksDeps) {
  const passwords = createPasswordMemory();

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
    // A key is looked up before any slot is taken (a page's files are tens of requests at once
    // from one address, and a lookup costs no bcrypt); a key that fails then takes one, refused
    // once the address is locked, so that a burst of wrong keys gets no more 404s than the limit.
    await throttle.check({ address: visitorKey(visitor) });
    const link = looksLikeKey(key) ? await repo.findOpenLink(db, hashKey(key), new Date()) : null;
    if (!link) await refuse(visitor);
    if (link!.passwordHash) await checkPassword(link!, link!.passwordHash, visitor);
    return link!;
  }

  /** A key that fails is an attempt of the address that failed at once (429 once it is locked). */
  async function refuse(visitor: Visitor): Promise<never> {
    await (await throttle.reserve({ address: visitorKey(visitor) })).failed();
    throw notFound(LINK_NOT_FOUND);
  }

  async function checkPassword(link: repo.OpenLink, passwordHash: string, visitor: Visitor) {
    const { password } = visitor;
    // A grant holder gave the right password before: no guess, so others' wrong guesses (the
    // link's lock) do not shut them out. A password sent along is checked all the same.
    if ((password === undefined || password === '') && grantAdmits(visitor.grant, link)) return;
    const keys = { secret: linkKey(link.id), address: visitorKey(visitor) };
    await throttle.check(keys);
    if (password === undefined || password === '')
      throw new AppError('SHARE_PASSWORD_REQUIRED', undefined, PASSWORD_CHALLENGE);
    if (passwords.knows(link.id, password)) return;
    // Counted before the comparison, so that a burst of guesses gets no more comparisons than the
    // limit; the same password asked for at once by one visitor (a page's files) is compared once.
    const right = await passwords.compareOnce(link.id, password, keys.address, async () => {
      const attempt = await throttle.reserve(keys);
      const matches = password.length <= 200 && (await bcrypt.compare(password, passwordHash));
      if (matches) passwords.remember(link.id, password);
      await (matches ? attempt.succeeded() : attempt.failed());
      return matches;
    });
    if (!right) throw new AppError('SHARE_PASSWORD_REQUIRED', undefined, PASSWORD_CHALLENGE);
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
          linkEvent(
            actor,
            'gallery.link.create',
            galleryId,
            `link ${created.id} ${prefix}… expires=${created.expiresAt?.toISOString() ?? 'never'} maxViews=${created.maxViews ?? 'none'} password=${passwordHash ? 'yes' : 'no'} originals=${created.allowOriginals ? 'yes' : 'no'}`,
          ),
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
     * `grant`: a new grant for a visitor who gave the link's password (else null).
     */
    async open(key: string, visitor: Visitor, options: ListOptions) {
      const link = await admit(key, visitor);
      if (!(await repo.countView(db, link.id, new Date()))) await refuse(visitor);
      const [gallery, page] = await Promise.all([
        repo.findSharedGallery(db, link.galleryId),
        images.listInGallery(link.galleryId, options),
      ]);
      if (!gallery) throw notFound(LINK_NOT_FOUND);
      const grant = link.passwordHash && visitor.password ? makeGrant(link) : null;
      return { link, gallery, page, grant };
    },

    /**
     * The link and its gallery for a download of the gallery's files as one zip: on the terms of a
     * file (not a view), so a link whose views are used up still gives what its page showed.
     */
    async admitDownload(key: string, visitor: Visitor) {
      const link = await admit(key, visitor);
      const gallery = await repo.findSharedGallery(db, link.galleryId);
      if (!gallery) throw notFound(LINK_NOT_FOUND);
      return { link, gallery };
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
