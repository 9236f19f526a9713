import type { Database } from '../platform/db/client';
import { z } from 'zod';
import { defineRoute } from '../http/route';

const healthReply = z.strictObject({
  message: z.string(),
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'unavailable']),
});

export function healthRoutes({ db }: { db: Database }) {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      access: 'public',
      summary: 'Liveness and database status',
      responses: { 200: healthReply, 503: healthReply },
      handler: async ({ res }) => {
        const database = await db.$queryRawUnsafe('SELECT 1').then(
          () => 'ok' as const,
          () => 'unavailable' as const,
        );
        res.status(database === 'ok' ? 200 : 503).json({
          message: database === 'ok' ? 'OK' : 'The database is unavailable',
          status: database === 'ok' ? 'ok' : 'degraded',
          database,
        });
      },
    }),
  ];
}
