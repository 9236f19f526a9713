import { createAuditLog, type AuditLog } from '../features/audit';
import {
  createAttemptThrottle,
  createAuthService,
  createInvites,
  createOidc,
  createPasskeys,
  createPassport,
  createPasswordCheck,
  createPasswordReset,
  createTokenCache,
  type AttemptThrottle,
  type TokenCache,
} from '../features/auth';
import { createDownloadsService } from '../features/downloads';
import { createGalleriesService, type GalleryLinks } from '../features/galleries';
import { createGroupsService } from '../features/groups';
import { createImageBatchService, createImageFiles, createImagesService, galleryImagesOf } from '../features/images';
import { createRolesService, type RolesService } from '../features/roles';
import { createShareLinksService, endLinksMadeBy } from '../features/sharing';
import { createTrashService } from '../features/trash';
import { createUploadsService } from '../features/uploads';
import { createAccounts, createUsersService } from '../features/users';
import type { Metrics, PageCacheResult } from '../http/metrics';
import { databaseAttemptStore } from '../platform/db/attempt-counts';
import { createMailer } from '../platform/mail/mailer';
import { faultPointHook } from '../shared/fault-points';
import type { AppDeps } from './deps';

/** A gallery's transfer ends the share links its former owner made to it. */
const galleryLinks: GalleryLinks = {
  endLinksOfFormerOwner: (tx, galleryId, formerOwnerId, actor) =>
    endLinksMadeBy(tx, { userId: formerOwnerId, galleryId }, actor, 'the gallery was transferred'),
};

/** Who signs in and who may join: auth (with registration), invites, password reset by email, single sign-on, passkeys. */
function createAccountServices(
  deps: AppDeps,
  shared: { audit: AuditLog; roles: RolesService; tokenCache: TokenCache; throttle: AttemptThrottle },
) {
  const { db, reader, config, logger } = deps;
  const { audit, roles, tokenCache, throttle } = shared;
  const clock = deps.clock ?? Date.now;
  const invites = createInvites({ db, audit, roles, registration: config.registration, clock });
  const accounts = createAccounts(db);
  const auth = createAuthService({
    db,
    reader,
    config,
    audit,
    roles,
    tokenCache,
    throttle,
    accounts,
    invites,
  });
  const passkeys = createPasskeys({
    db,
    audit,
    throttle,
    checkPassword: createPasswordCheck({ throttle, audit, accounts }),
    issueToken: auth.issueToken,
    resolveToken: auth.resolveToken,
  });
  const passwordReset = createPasswordReset({
    db,
    audit,
    throttle,
    mailer: config.mail ? createMailer(config.mail) : null,
    logger,
    bcryptCost: config.bcryptCost,
    publicUrl: config.publicUrl,
    clock,
    forgetUser: (userId) => tokenCache.forgetUser(userId),
  });
  const oidc = config.oidc
    ? createOidc({
        db,
        audit,
        roles,
        auth,
        config: config.oidc,
        bcryptCost: config.bcryptCost,
        logger,
        forgetUser: (userId) => tokenCache.forgetUser(userId),
      })
    : null;
  return { auth, invites, passwordReset, oidc, passkeys };
}

/**
 * Every feature's service, made once per app with what it needs. This is where the ports between
 * features are filled in: users revoke tokens through auth, a gallery's delete reaches its images,
 * a deactivation and a transfer end share links.
 */
export function createServices(deps: AppDeps, metrics: Metrics | null = null) {
  const { db, reader, config, logger, storage, changes } = deps;
  const audit = createAuditLog({ db, logger });
  const roles = createRolesService({ db });
  const tokenCache = createTokenCache(changes);
  // One throttle of attempts at a secret, counted in the database: logins, password checks and
  // share links' passwords (under keys of their own) all reserve their attempts through it.
  const throttle = createAttemptThrottle(databaseAttemptStore(db), config.loginThrottle);
  const users = createUsersService({
    db,
    audit,
    roles,
    sessions: {
      // auth is made below, after users (which it needs): the port is called only once both exist.
      revokeAll: (tx, userId) => auth.endSessionsOf(tx, userId),
      forget: (userId) => tokenCache.forgetUser(userId),
    },
    links: { endAll: (tx, userId, actor) => endLinksMadeBy(tx, { userId }, actor, 'its maker was deactivated') },
  });
  const accountServices = createAccountServices(deps, { audit, roles, tokenCache, throttle });
  const { auth } = accountServices;
  const files = createImageFiles({ db, storage, logger, config });
  const galleries = createGalleriesService({
    db,
    reader,
    audit,
    images: galleryImagesOf(files),
    links: galleryLinks,
    faultPoint: faultPointHook(config.faultPoint),
    trashDays: config.trashDays,
    defaultVisibility: config.defaultGalleryVisibility,
  });
  const onPageCache = metrics ? (result: PageCacheResult) => metrics.observePageCache(result) : undefined;
  const images = createImagesService({ db, reader, config, files, audit, galleries, onPageCache });
  const imageBatches = createImageBatchService({ reader, images, galleries, files });
  const trash = createTrashService({ db, galleries, images, trashDays: config.trashDays, logger });
  const shareLinks = createShareLinksService({ db, audit, galleries, images, config, throttle });
  const uploads = createUploadsService({ db, storage, config, images, galleries, logger });
  const downloads = createDownloadsService({ images, galleries, shareLinks, storage, audit, config });
  return {
    audit,
    roles,
    users,
    ...accountServices,
    tokenCache,
    authenticator: createPassport(auth),
    throttle,
    galleries,
    images,
    imageBatches,
    trash,
    shareLinks,
    uploads,
    downloads,
    groups: createGroupsService({ db, audit }),
  };
}

export type Services = ReturnType<typeof createServices>;
