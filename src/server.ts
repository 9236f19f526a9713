// The server: opens the database and the storage, listens, and shuts down gracefully on SIGINT
// and SIGTERM (requests in progress may finish, for 10 s at most). Nothing else.
import { existsSync } from 'node:fs';
import { buildApp } from './app/app';
import { prepareAppDatabase } from './app/database';
import { prepareStorage } from './app/storage-maintenance';
import { createDiskStorage } from './platform/storage/disk-storage';
import { loadConfig } from './shared/config';
import { createLogger } from './shared/logger';

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { db, reader, changes, close, applied } = await prepareAppDatabase(config.databaseUrl, { lockTimeoutMs: config.databaseLockTimeoutMs });
  if (applied.length > 0) logger.info('migrations applied', { applied });
  const storage = await createDiskStorage(config.uploadDir);
  const maintenance = await prepareStorage({ db, storage, logger, config });
  const app = buildApp({ config, db, reader, changes, storage, logger });

  const server = app.listen(config.port, config.host, () => {
    const provider = config.databaseUrl.startsWith('file:') ? 'sqlite' : 'postgresql';
    logger.info('Gallery Server listening', { url: `http://${config.host}:${config.port}`, database: provider });
    maintenance.serving();
  });
  server.requestTimeout = 10 * 60 * 1000;

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    maintenance.stop();
    logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close(() => {
      void close().finally(() => process.exit(0));
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
