import { createHash, timingSafeEqual } from 'node:crypto';

import { defineRoute } from '../http/route';
import { AppError } from '../shared/errors';
import { operationsOf } from './health.routes';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `Authorization: Bearer <token>` with this token, compared in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}

const CHALLENGE = { headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } };

/** Prometheus' scrape endpoint: 404 unless METRICS=on; behind METRICS_TOKEN when it is set. */
export function metricsRoutes() {
  return [
    defineRoute({
      method: 'get',
      path: '/metrics',
      access: 'public',
      summary:
        'Prometheus metrics, in the text exposition format (text/plain), when METRICS=on (404 otherwise); with METRICS_TOKEN set, send "Authorization: Bearer <METRICS_TOKEN>"',
      responses: { 200: 'text' },
      errors: ['NOT_FOUND', 'UNAUTHENTICATED', 'INVALID_TOKEN'],
      handler: async ({ req }) => {
        const { metrics, metricsToken } = operationsOf(req);
        if (!metrics) throw new AppError('NOT_FOUND', 'No such endpoint.');
        if (metricsToken) {
          const header = req.headers.authorization;
          if (!header) throw new AppError('UNAUTHENTICATED', undefined, CHALLENGE);
          if (!bearerMatches(header, metricsToken)) throw new AppError('INVALID_TOKEN', undefined, CHALLENGE);
        }
        const { contentType, body } = await metrics.exposition();
        return { status: 200, text: body, contentType, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
  ];
}
