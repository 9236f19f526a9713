import express, { type Express } from 'express';
import { createAuthService } from './auth/auth.service';
import { createPassport } from './auth/passport';
import { createAuditLog } from './audit/audit.log';
import { createLoginThrottle, databaseThrottleStore } from './auth/login-throttle';
import type { AppDeps } from './deps';
import { createGalleriesService } from './galleries/galleries.service';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { mountRoutes, type RouteSpec } from './http/route';
import { buildRouteTable } from './http/routes';
import { corsPolicy, securityHeaders } from './http/security-headers';
import { memoryRateLimitStore, rateLimit } from './http/rate-limit';
import { DOCS_ASSETS_PATH } from './http/docs.routes';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { createImagesService } from './images/images.service';
import { createImageFiles } from './images/image-files';
import { createUploadMiddleware } from './http/upload';
import { createUsersService } from './users/users.service';

export type App = Express & { locals: { routes: RouteSpec[] } };

/** The whole HTTP application, without listening: middleware, routes, error handling. */
export function buildApp(deps: AppDeps): App {
  const { config, logger, storage } = deps;
  const audit = createAuditLog(deps.db, logger);
  const auth = createAuthService({ ...deps, audit });
  const authenticator = createPassport(auth);
  const files = createImageFiles(deps);
  const routes = buildRouteTable({
    db: deps.db,
    auth,
    authenticator,
    throttle: createLoginThrottle(databaseThrottleStore(deps.db), config.loginThrottle),
    audit,
    galleries: createGalleriesService({ ...deps, files, audit }),
    images: createImagesService({ ...deps, files, audit }),
    originalsVisibleTo: config.originalsVisibleTo,
    users: createUsersService({ ...deps, audit }),
    publicUrl: config.publicUrl,
  });

  const app = express() as App;
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);
  app.locals.routes = routes;

  if (config.logLevel === 'info') {
    app.use((req, res, next) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        logger.info('request', { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms) });
      });
      next();
    });
  }
  app.use(securityHeaders);
  const allowOrigins = corsPolicy(config.corsOrigins);
  if (allowOrigins) app.use(allowOrigins);
  app.use(express.json({ limit: config.jsonBodyLimitBytes }));
  app.use(express.urlencoded({ extended: false, limit: config.jsonBodyLimitBytes, parameterLimit: 100 }));

  app.use(DOCS_ASSETS_PATH, express.static(getAbsoluteFSPath(), { index: false, maxAge: '1d' }));

  const router = express.Router();
  mountRoutes(router, routes, {
    authenticator,
    upload: createUploadMiddleware(storage, config.maxUploadBytes),
    validateReplies: config.validateResponses,
    rateLimit: rateLimit(memoryRateLimitStore(), config.rateLimitPerMinute, 60_000),
  });
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
