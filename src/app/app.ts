import express, { type Express } from 'express';
import { errorHandler, notFoundHandler } from '../http/error-handler';
import { installJsonReplies } from '../http/json-reply';
import { memoryRateLimitStore, rateLimit } from '../http/rate-limit';
import { mountRoutes, type RouteSpec } from '../http/route';
import { corsPolicy, securityHeaders } from '../http/security-headers';
import { createUploadMiddleware } from '../http/upload';
import type { AppDeps } from './deps';
import { DOCS_ASSETS_DIR, DOCS_ASSETS_PATH } from './docs.routes';
import { buildRouteTable } from './route-table';
import { createServices } from './services';

/** The Express app; `ready` resolves once what it starts in the background (the token cache's feed) is up. */
export type App = Express & { locals: { routes: RouteSpec[]; ready: Promise<void> } };

/** The whole HTTP application, without listening: middleware, routes, error handling. */
export function buildApp(deps: AppDeps): App {
  const { config, logger, storage } = deps;
  const services = createServices(deps);
  const routes = buildRouteTable({ ...services, db: deps.db, config });

  const app = express() as App;
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);
  installJsonReplies(app);
  app.locals.routes = routes;
  app.locals.ready = services.tokenCache.ready();

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

  app.use(DOCS_ASSETS_PATH, express.static(DOCS_ASSETS_DIR, { index: false, maxAge: '1d' }));

  const router = express.Router();
  mountRoutes(router, routes, {
    authenticator: services.authenticator,
    upload: createUploadMiddleware(storage, config.maxUploadBytes),
    validateReplies: config.validateResponses,
    rateLimit: rateLimit(memoryRateLimitStore(), config.rateLimitPerMinute, 60_000),
  });
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
