import type { Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { PoolStats } from '../platform/db/client';
import { storageFailureOf } from '../platform/storage/errors';

/**
 * Prometheus metrics, one registry per app (tests build many apps in one process). Labels take
 * only bounded values: the route template from the route table (never the raw path with its ids
 * and keys), the method among the known ones, the status code.
 */
export type Metrics = {
  /** The text exposition format and its content type. */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** One finished (or aborted) request, from the request context; `status` is the code or `aborted`. */
  observeRequest(req: Request, res: Response, route: string, status: string, seconds: number): void;
  /** A thrown error that the error handler maps: counted when it is the storage's. */
  observeError(error: unknown): void;
  /** A page of images found in the page cache, read from the database, or read with no cache. */
  observePageCache(result: PageCacheResult): void;
};

/** Where a page of images came from (features/images/page-cache.ts). */
export type PageCacheResult = 'hit' | 'miss' | 'off';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Time spent making an upload's variants (decode, resize, encode), process-wide: sharp's threads
 * are the process's, whatever app asked. Registered into each app's registry.
 */
const variantSeconds = new Histogram({
  name: 'gallery_variant_duration_seconds',
  help: 'Time to make the variants (thumbnail, preview) of one image',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32],
  registers: [],
});

/** Runs `make` (the making of one image's variants) and records how long it took, failed or not. */
export async function timeVariants<T>(make: () => Promise<T>): Promise<T> {
  const end = variantSeconds.startTimer();
  try {
    return await make();
  } finally {
    end();
  }
}

/** Failed system calls of the file system (EIO, EACCES, EROFS…), as opposed to the network's. */
const FILE_SYSCALLS = new Set([
  'open',
  'read',
  'write',
  'rename',
  'unlink',
  'stat',
  'lstat',
  'fstat',
  'mkdir',
  'scandir',
  'fsync',
  'access',
  'close',
]);

function storageErrorKind(error: unknown): string | null {
  const failure = storageFailureOf(error);
  if (failure) return failure;
  const { syscall, code } = (error ?? {}) as { syscall?: unknown; code?: unknown };
  return typeof syscall === 'string' && FILE_SYSCALLS.has(syscall) && typeof code === 'string' ? 'io' : null;
}

export function createMetrics({ poolStats }: { poolStats?: () => PoolStats } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registry.registerMetric(variantSeconds);
  const registers = [registry];

  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to the end of its reply, by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const counter = <L extends string>(name: string, help: string, label: L) =>
    new Counter<L>({ name, help, labelNames: [label], registers });
  const uploads = counter(
    'gallery_uploads_total',
    'Image uploads (multipart requests to an upload route) by outcome: created, duplicate (already in the gallery), replaced (a new file for an image), refused',
    'outcome',
  );
  const uploadBytes = counter(
    'gallery_upload_bytes_total',
    'Bytes of the image files received by upload requests, by outcome',
    'outcome',
  );
  const storageErrors = counter(
    'gallery_storage_errors_total',
    'Storage failures that reached the error handler: not-found, full, unavailable, io',
    'failure',
  );
  const pageCache = counter(
    'gallery_page_cache_total',
    'Pages of images asked for, by where they came from: hit (kept since the database last changed), miss (read and kept), off (PAGE_CACHE_MB=0)',
    'result',
  );
  if (poolStats) {
    const gauge = (name: string, help: string, read: (stats: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read(poolStats()));
        },
      });
    gauge('gallery_db_pool_connections', 'PostgreSQL connections open in the pool', (stats) => stats.total);
    gauge(
      'gallery_db_pool_connections_in_use',
      'PostgreSQL connections of the pool running a query or transaction',
      (stats) => stats.total - stats.idle,
    );
    gauge(
      'gallery_db_pool_waiting',
      'Queries waiting for a PostgreSQL connection of the pool',
      (stats) => stats.waiting,
    );
  }

  return {
    async exposition() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    observePageCache: (result) => pageCache.inc({ result }),
    observeRequest(req, res, route, status, seconds) {
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      duration.observe({ method, route, status }, seconds);
      if (route === 'unmatched' || !req.is('multipart/form-data')) return;
      const refused = status === 'aborted' || res.statusCode >= 400;
      if (!refused && !req.file) return; // a change of fields only, no file
      const outcome = refused
        ? 'refused'
        : res.statusCode === 201
          ? 'created'
          : req.method === 'POST'
            ? 'duplicate'
            : 'replaced';
      uploads.inc({ outcome });
      uploadBytes.inc({ outcome }, req.file?.size ?? 0);
    },
    observeError(error) {
      const failure = storageErrorKind(error);
      if (failure) storageErrors.inc({ failure });
    },
  };
}
