import type { Request } from 'express';
import { z } from 'zod';

import { defineRoute } from '../http/route';
import type { Database } from '../platform/db/client';
import type { Operations } from './deps';

const healthReply = z.strictObject({
  message: z.string(),
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'unavailable']),
});

const reachable = z.enum(['ok', 'unavailable']);
const readyReply = z.strictObject({
  message: z.string(),
  status: z.enum(['ready', 'not-ready', 'shutting-down']),
  database: reachable,
  storage: reachable,
});

/** The running app's readiness and metrics (app.ts puts them in `app.locals`). */
export function operationsOf(req: Request): Operations {
  return req.app.locals.operations as Operations;
}

export function healthRoutes({ db }: { db: Database }) {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      access: 'public',
      summary: 'Liveness and database status',
      responses: { 200: healthReply, 503: healthReply },
      handler: async ({ reply }) => {
        const database = await db.$queryRawUnsafe('SELECT 1').then(
          () => 'ok' as const,
          () => 'unavailable' as const,
        );
        return reply(database === 'ok' ? 200 : 503, {
          message: database === 'ok' ? 'OK' : 'The database is unavailable',
          status: database === 'ok' ? 'ok' : 'degraded',
          database,
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/ready',
      access: 'public',
      summary:
        'Readiness: 200 when the database answers and the storage can be used, 503 otherwise and while the server shuts down',
      responses: { 200: readyReply, 503: readyReply },
      handler: async ({ req, reply }) => {
        const operations = operationsOf(req);
        const { database, storage } = await operations.readiness();
        const failed = [database === 'ok' ? null : 'the database', storage === 'ok' ? null : 'the storage'].filter(
          (name) => name !== null,
        );
        const status = operations.draining ? 'shutting-down' : failed.length > 0 ? 'not-ready' : 'ready';
        const message =
          status === 'ready'
            ? 'Ready'
            : status === 'shutting-down'
              ? 'The server is shutting down'
              : `Not ready: ${failed.join(' and ')} unavailable`;
        return reply(status === 'ready' ? 200 : 503, { message, status, database, storage });
      },
    }),
  ];
}
