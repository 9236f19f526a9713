import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers, with a Content-Security-Policy that allows nothing: the API serves JSON and
 * images, never pages. The docs page sets its own, narrower exception.
 */
export const securityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-origin' },
});

/** CORS is off unless origins are configured; then only those, with the headers a client needs. */
export function corsPolicy(origins: string[]): RequestHandler | null {
  if (origins.length === 0) return null;
  return cors({
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'X-Share-Password'],
    exposedHeaders: ['Link', 'X-Total-Count', 'ETag', 'WWW-Authenticate', 'Retry-After'],
    maxAge: 600,
  });
}
