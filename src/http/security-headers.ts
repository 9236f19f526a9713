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

const TUS_REQUEST_HEADERS = ['Tus-Resumable', 'Upload-Length', 'Upload-Metadata', 'Upload-Offset'];
const TUS_REPLY_HEADERS = [
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Expires',
];

/** CORS is off unless origins are configured; then only those, with the headers a client needs. */
export function corsPolicy(origins: string[]): RequestHandler | null {
  if (origins.length === 0) return null;
  return cors({
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    // With the headers of resumable uploads (tus): a tus client on an allowed origin works too.
    allowedHeaders: ['Authorization', 'Content-Type', 'If-None-Match', 'X-Share-Password', ...TUS_REQUEST_HEADERS],
    exposedHeaders: ['Link', 'X-Total-Count', 'ETag', 'WWW-Authenticate', 'Retry-After', ...TUS_REPLY_HEADERS],
    maxAge: 600,
  });
}
