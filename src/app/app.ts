import express, { type Express } from 'express';

import { uploadProtocol } from '../features/uploads';
import { errorHandler, notFoundHandler } from '../http/error-handler';
import { installJsonReplies } from '../http/json-reply';
import { createMetrics } from '../http/metrics';
import { memoryRateLimitStore, rateLimit } from '../http/rate-limit';
import { requestContext, requestIdOf, routeTemplateOf } from '../http/request-context';
import { mountRoutes, type RouteSpec } from '../http/route';
import { corsPolicy, securityHeaders } from '../http/security-headers';
import { cutStalledBodies } from '../http/stalled-bodies';
import { createMultiUploadMiddleware, createUploadMiddleware } from '../http/upload';
import { databaseRateLimitStore } from '../platform/db/rate-limit-windows';
import type { AppDeps, Operations, Reachable } from './deps';
import { DOCS_ASSETS_DIR, DOCS_ASSETS_PATH } from './docs.routes';
import { buildRouteTable } from './route-table';
import { createServices, type Services } from './services';
import { trashPurge, type TrashPurge } from './storage-maintenance';
import { DEFAULT_WEB_DIST_DIR, webApp } from './web-app';

/**
 * The Express app; `ready` resolves once what it starts in the background (the token cache's feed)
 * is up; `operations` is what /ready and /metrics read (server.ts sets `draining`); `purgeTrash`
 * deletes for good what has been in the trash TRASH_DAYS before `now`, under the storage check's
 * lease (the storage maintenance runs it).
 */
export type App = Express & {
  locals: { routes: RouteSpec[]; ready: Promise<void>; operations: Operations; purgeTrash: TrashPurge } & {
    /** Resolves when the password reset mails asked for so far are sent (or failed). */
    mailSettled: () => Promise<void>;
  };
};

/** `ok` when `probe` succeeds within 2 s: a database or disk that hangs is as unready as one that fails. */
async function reachable(probe: () => Promise<unknown>): Promise<Reachable> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error('timed out')), 2000);
    timer.unref();
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/** What runs beside the requests: the token cache's feed, the trash's purge, password reset mails. */
function backgroundWork(deps: AppDeps, services: Services) {
  return {
    ready: services.tokenCache.ready(),
    purgeTrash: trashPurge(deps.db, services.trash),
    mailSettled: services.passwordReset.settled,
  };
}

/** The whole HTTP application, without listening: middleware, routes, error handling. */
export function buildApp(deps: AppDeps): App {
  const { config, logger, storage } = deps;
  const metrics = config.metrics.enabled ? createMetrics({ poolStats: deps.poolStats }) : null;
  const services = createServices(deps, metrics);
  const routes = buildRouteTable({ ...services, db: deps.db, config });

  const app = express() as App;
  app.disable('x-powered-by');
  // Behind a proxy, the one directly in front: the client is the last address it added to
  // X-Forwarded-For. Anything before it came from the client and could be anything.
  app.set('trust proxy', config.trustProxy ? 1 : false);
  app.set('etag', false);
  installJsonReplies(app);
  Object.assign(app.locals, backgroundWork(deps, services), { routes });
  app.locals.operations = {
    draining: false,
    readiness: async () => {
      const [database, files] = await Promise.all([
        reachable(() => deps.db.$queryRawUnsafe('SELECT 1')),
        reachable(() => storage.check()),
      ]);
      return { database, storage: files };
    },
    metrics,
    metricsToken: config.metrics.token,
  };

  // First: every reply, whatever answers it, carries the request id, and is logged and measured.
  app.use(requestContext({ logger, metrics }));
  // A body that stops coming (UPLOAD_STALL_SECONDS without a byte) ends its connection.
  app.use(
    cutStalledBodies(config.uploadStallMs, (req, res) =>
      logger.warn('request body stalled: connection cut', {
        requestId: requestIdOf(res),
        method: req.method,
        path: routeTemplateOf(req),
        stalledMs: config.uploadStallMs,
      }),
    ),
  );
  app.use(securityHeaders);
  const allowOrigins = corsPolicy(config.corsOrigins);
  if (allowOrigins) app.use(allowOrigins);
  app.use(express.json({ limit: config.jsonBodyLimitBytes }));
  app.use(express.urlencoded({ extended: false, limit: config.jsonBodyLimitBytes, parameterLimit: 100 }));

  app.use(DOCS_ASSETS_PATH, express.static(DOCS_ASSETS_DIR, { index: false, maxAge: '1d' }));

  const limit = rateLimit(
    config.rateLimitStore === 'database' ? databaseRateLimitStore(deps.db) : memoryRateLimitStore(),
    { perKey: config.rateLimitPerMinute, perUser: config.rateLimitPerUserPerMinute },
    60_000,
  );
  const router = express.Router();
  mountRoutes(router, routes, {
    authenticator: services.authenticator,
    upload: createUploadMiddleware(storage, config.maxUploadBytes),
    uploadMany: createMultiUploadMiddleware(storage, config.maxUploadBytes, config.maxFilesPerRequest),
    validateReplies: config.validateResponses,
    rateLimit: limit,
  });
  app.use(router);
  // Resumable uploads (tus), after the route table (which has their result's route).
  const tus = uploadProtocol({
    uploads: services.uploads,
    authenticator: services.authenticator,
    rateLimit: limit,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
  });
  app.use(tus.path, ...tus.handlers);
  // The browser app at `/`, after every API route; without a build of it, `/` stays a 404.
  const web = webApp(config.webDistDir ?? DEFAULT_WEB_DIST_DIR);
  if (web) app.use(web);
  app.use(notFoundHandler);
  app.use(errorHandler(logger, metrics));
  return app;
}
