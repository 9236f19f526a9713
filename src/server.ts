import { existsSync } from 'node:fs';
import { buildApp } from './app';
import { loadConfig } from './config';
import { prepareDatabase } from './db/prepare';
import { createLogger } from './logger';
import { createDiskStorage } from './storage/disk-storage';
import { createImageFiles } from './images/image-files';
import { auditWhileServing, checkStorage, recoverStorage, sweepStaleUploads } from './images/storage-check';

const TEMP_SWEEP_INTERVAL_MS = 15 * 60 * 1000;

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { db, reader, close, applied } = await prepareDatabase(config.databaseUrl, { lockTimeoutMs: config.databaseLockTimeoutMs });
  if (applied.length > 0) logger.info('migrations applied', { applied });
  const storage = await createDiskStorage(config.uploadDir);
  // What a crash left half done is put right before the server listens; the audit of every row
  // against every file runs before it too when it may delete (repair), else once it serves.
  const check = { db, storage, files: createImageFiles({ storage, logger, config }), logger };
  const checkOptions = { tempMaxAgeMs: config.uploadTempMaxAgeMs, maxImagePixels: config.maxImagePixels };
  if (config.reconcileOnStart === 'repair') await checkStorage(check, { ...checkOptions, repair: true });
  else await recoverStorage(check, checkOptions);
  const startedAt = new Date();
  const stopAudit = new AbortController();
  const sweeper = setInterval(() => {
    sweepStaleUploads(storage, config.uploadTempMaxAgeMs).catch((error: unknown) => logger.error('temp sweep failed', { error: String(error) }));
  }, TEMP_SWEEP_INTERVAL_MS);
  sweeper.unref();
  const app = buildApp({ config, db, reader, storage, logger });

  const server = app.listen(config.port, config.host, () => {
    const provider = config.databaseUrl.startsWith('file:') ? 'sqlite' : 'postgresql';
    logger.info('Gallery Server listening', { url: `http://${config.host}:${config.port}`, database: provider });
    if (config.reconcileOnStart === 'report') {
      auditWhileServing(check, checkOptions, { changedBefore: startedAt, signal: stopAudit.signal }).catch((error: unknown) => {
        if (!stopAudit.signal.aborted) logger.error('storage audit failed', { error: String(error) });
      });
    }
  });
  server.requestTimeout = 10 * 60 * 1000;

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    stopAudit.abort();
    logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close(() => {
      close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
