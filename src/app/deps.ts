import type { Metrics } from '../http/metrics';
import type { Database, PoolStats } from '../platform/db/client';
import type { ChangeFeed } from '../platform/db/notifications';
import type { SqlReader } from '../platform/db/sql-reader';
import type { Storage } from '../platform/storage/storage';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';

/** What buildApp needs from the outside world; tests pass their own. */
export type AppDeps = {
  config: Config;
  db: Database;
  reader: SqlReader;
  /** What other connections change in the database, as they commit. */
  changes: ChangeFeed;
  storage: Storage;
  logger: Logger;
  /** PostgreSQL: the pool's counts, for the metrics (the database handle's `poolStats`). */
  poolStats?: () => PoolStats;
  /** The time, in ms (tests move it on); unset: Date.now. Read by password reset links and invites. */
  clock?: () => number;
};

export type Reachable = 'ok' | 'unavailable';

/**
 * What the system routes (/ready, /metrics) read from the running app, in `app.locals.operations`:
 * buildApp makes it, server.ts sets `draining` when it starts to shut down.
 */
export type Operations = {
  /** Shutting down: /ready answers 503 so that a load balancer sends no more requests. */
  draining: boolean;
  /** Whether the database answers and the storage can be used, now. */
  readiness(): Promise<{ database: Reachable; storage: Reachable }>;
  /** Null when METRICS=off (/metrics is then 404). */
  metrics: Metrics | null;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
};
