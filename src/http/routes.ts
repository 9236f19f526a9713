import { authRoutes } from '../auth/auth.routes';
import { tokenRoutes } from '../auth/tokens.routes';
import type { AuthService } from '../auth/auth.service';
import type { Authenticator } from '../auth/passport';
import type { LoginThrottle } from '../auth/login-throttle';
import type { AuditLog } from '../audit/audit.log';
import { auditRoutes } from '../audit/audit.routes';
import type { Database } from '../db/client';
import { galleryRoutes } from '../galleries/galleries.routes';
import type { GalleriesService } from '../galleries/galleries.service';
import { imageRoutes } from '../images/images.routes';
import type { ImagesService } from '../images/images.service';
import { roleRoutes } from '../roles/roles.routes';
import { userRoutes } from '../users/users.routes';
import type { UsersService } from '../users/users.service';
import { packageInfo } from '../assets';
import { docsRoutes } from './docs.routes';
import { healthRoutes } from './health.routes';
import { buildOpenApiDocument } from './openapi';
import type { RouteSpec } from './route';

export type RouteTableDeps = {
  db: Database;
  auth: AuthService;
  authenticator: Authenticator;
  throttle: LoginThrottle;
  audit: AuditLog;
  galleries: GalleriesService;
  images: ImagesService;
  users: UsersService;
  publicUrl?: string;
  originalsVisibleTo: 'owners' | 'everyone';
};

/** Every route of the API, each with the access it needs. Nothing is mounted that is not here. */
export function buildRouteTable(deps: RouteTableDeps): RouteSpec[] {
  let document: unknown;
  const routes: RouteSpec[] = [
    ...healthRoutes(deps),
    ...authRoutes(deps),
    ...tokenRoutes(deps),
    ...roleRoutes(deps),
    ...galleryRoutes(deps),
    ...imageRoutes(deps),
    ...userRoutes(deps),
    ...auditRoutes(deps),
  ];
  routes.push(...docsRoutes(() => (document ??= buildOpenApiDocument(routes, { title: 'Gallery Server', version: packageInfo().version }))));
  return routes;
}
