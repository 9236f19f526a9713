import type { Database } from '../db/client';
import { defineRoute } from './route';

export function healthRoutes({ db }: { db: Database }) {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      access: 'public',
      summary: 'Liveness and database status',
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
