import { auditRoutes } from '../features/audit';
import { authRoutes, joinRoutes, oidcRoutes, passkeyRoutes, tokenRoutes, twoFactorRoutes } from '../features/auth';
import { downloadRoutes } from '../features/downloads';
import { galleryRoutes, memberRoutes } from '../features/galleries';
import { groupRoutes } from '../features/groups';
import { imageBatchRoutes, imageRoutes, imageTagRoutes, thumbnailUrl } from '../features/images';
import { roleRoutes } from '../features/roles';
import { shareLinkRoutes } from '../features/sharing';
import { trashRoutes } from '../features/trash';
import { uploadRoutes } from '../features/uploads';
import { userRoutes } from '../features/users';
import { buildOpenApiDocument } from '../http/openapi';
import type { RouteSpec } from '../http/route';
import type { Database } from '../platform/db/client';
import { packageInfo } from '../shared/assets';
import type { Config } from '../shared/config';
import { docsRoutes } from './docs.routes';
import { healthRoutes } from './health.routes';
import { metricsRoutes } from './metrics.routes';
import type { Services } from './services';

export type RouteTableDeps = Services & {
  db: Database;
  config: Pick<Config, 'publicUrl' | 'originalsVisibleTo' | 'pageJson' | 'defaultGalleryVisibility'>;
};

/**
 * Every route of the API, each with the access it needs, in the order they are documented.
 * Nothing is mounted that is not here.
 */
export function buildRouteTable(deps: RouteTableDeps): RouteSpec[] {
  const { config } = deps;
  let document: Record<string, unknown> | undefined;
  const routes: RouteSpec[] = [
    ...healthRoutes(deps),
    ...metricsRoutes(),
    ...authRoutes({ auth: deps.auth, authenticator: deps.authenticator }),
    ...tokenRoutes({ auth: deps.auth }),
    ...joinRoutes({
      invites: deps.invites,
      passwordReset: deps.passwordReset,
      publicUrl: config.publicUrl,
      defaultGalleryVisibility: config.defaultGalleryVisibility,
      sso: deps.oidc ? { label: deps.oidc.buttonLabel } : null,
    }),
    ...oidcRoutes({ oidc: deps.oidc, publicUrl: config.publicUrl }),
    ...twoFactorRoutes({ auth: deps.auth }),
    ...passkeyRoutes({ passkeys: deps.passkeys, publicUrl: config.publicUrl }),
    ...roleRoutes({ roles: deps.roles }),
    ...galleryRoutes({ galleries: deps.galleries, publicUrl: config.publicUrl, thumbnailUrl }),
    ...memberRoutes({ galleries: deps.galleries, publicUrl: config.publicUrl, thumbnailUrl }),
    // Before the image routes: /api/gallery/images/download is not an image id.
    ...downloadRoutes({ downloads: deps.downloads }),
    ...imageRoutes({
      images: deps.images,
      publicUrl: config.publicUrl,
      originalsVisibleTo: config.originalsVisibleTo,
      pageJson: config.pageJson,
    }),
    ...imageBatchRoutes({
      batches: deps.imageBatches,
      publicUrl: config.publicUrl,
      originalsVisibleTo: config.originalsVisibleTo,
    }),
    ...imageTagRoutes({
      images: deps.images,
      publicUrl: config.publicUrl,
      originalsVisibleTo: config.originalsVisibleTo,
    }),
    ...trashRoutes({ trash: deps.trash }),
    ...shareLinkRoutes({ shareLinks: deps.shareLinks, publicUrl: config.publicUrl }),
    ...uploadRoutes({ uploads: deps.uploads }),
    ...userRoutes({ users: deps.users }),
    ...auditRoutes({ audit: deps.audit }),
    ...groupRoutes({ groups: deps.groups }),
  ];
  routes.push(
    ...docsRoutes(
      () => (document ??= buildOpenApiDocument(routes, { title: 'Gallery Server', version: packageInfo().version })),
    ),
  );
  return routes;
}
