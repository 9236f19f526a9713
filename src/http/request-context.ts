import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';

import { withLogContext, type Logger } from '../shared/logger';
import type { Metrics } from './metrics';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** An id a client or a proxy may give: short, and nothing a log reader could mistake for structure. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's own id when it is sane, otherwise a new one. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * The route template the request matched (`/api/gallery/images/:id`), as declared in the route
 * table: Express keeps the matched route on `req.route`. Never the raw path, which carries ids
 * and share keys. A static mount gives its mount path; anything else is `unmatched`.
 */
export function routeTemplateOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return path;
  return req.baseUrl ? `${req.baseUrl}/*` : 'unmatched';
}

/**
 * The client's address, the one way the app reads it: behind a proxy (TRUST_PROXY) the forwarded
 * one; null when the connection is already gone.
 */
export function clientAddress(req: Request): string | null {
  return req.ip ?? null;
}

/** The id given to the request by `requestContext`. */
export function requestIdOf(res: { locals: Record<string, unknown> }): string | undefined {
  return typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
}

/**
 * First middleware of the app. Gives the request its id (`X-Request-Id` in, or a new UUID), sends
 * it back on every reply (set before anything can answer, errors and 404s included), runs the rest
 * of the request in a log context that adds it to every line logged meanwhile (see
 * shared/logger.ts: the services hold the app's logger, so the id travels with the asynchronous
 * context rather than as an argument; Node's HTTP server keeps that context through the body's
 * stream events, which tests/http/observability.test.ts checks with a body sent in pieces through
 * multer), and when the reply is over writes the access log line
 * and feeds the metrics. The line holds the method, the route template, the status, the time and
 * the id: never the URL's query, a header or a body, so no token, password or share key.
 */
export function requestContext({ logger, metrics }: { logger: Logger; metrics: Metrics | null }): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeTemplateOf(req);
      const status = res.writableFinished ? res.statusCode : 'aborted';
      // 'close' may come from the socket's own context: the id is passed, not taken from the context.
      logger.info('request', {
        requestId,
        method: req.method,
        path: route,
        status,
        ms: Math.round(seconds * 10_000) / 10,
      });
      metrics?.observeRequest(req, res, route, String(status), seconds);
    });
    withLogContext({ requestId }, next);
  };
}
