// The server: opens the database and the storage, listens, and shuts down gracefully on SIGINT
// and SIGTERM (see `drainOnSignals`). Nothing else.
import { existsSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { buildApp, type App } from './app/app';
import { prepareAppDatabase } from './app/database';
import { createHttpServer } from './app/http-server';
import { openStorage } from './app/storage';
import { prepareStorage } from './app/storage-maintenance';
import { loadConfig } from './shared/config';
import { createLogger, type Logger } from './shared/logger';

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const { db, reader, changes, close, applied, poolStats } = await prepareAppDatabase(config.databaseUrl, {
    lockTimeoutMs: config.databaseLockTimeoutMs,
  });
  if (applied.length > 0) logger.info('migrations applied', { applied });
  const storage = await openStorage(config);
  const maintenance = await prepareStorage({ db, storage, logger, config });
  const app = buildApp({ config, db, reader, changes, storage, logger, poolStats });
  if (config.metrics.enabled && !config.metrics.token) {
    logger.warn('metrics served without a token: restrict /metrics to your monitoring network, or set METRICS_TOKEN');
  }
  if (config.env === 'production' && !config.publicUrl) {
    logger.warn(
      "PUBLIC_URL is not set: the links in replies and the CSRF check's own origin come from each request's Host header; set PUBLIC_URL to the address clients use",
    );
  }

  const server = createHttpServer(app, config).listen(config.port, config.host, () => {
    const provider = config.databaseUrl.startsWith('file:') ? 'sqlite' : 'postgresql';
    // The port it got: PORT=0 asks the system for any free one.
    const { port } = server.address() as AddressInfo;
    logger.info('Gallery Server listening', {
      url: `http://${config.host}:${port}`,
      database: provider,
      storage: config.storage.kind,
    });
    maintenance.serving(app.locals.purgeTrash);
  });

  drainOnSignals({
    server,
    app,
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    stop: () => maintenance.stop(),
    closeDatabase: close,
    closeStorage: () => storage.close?.(),
  });
}

/**
 * On SIGTERM or SIGINT: /ready turns 503 (a load balancer stops sending requests), the listening
 * socket closes (new connections are refused), idle keep-alive connections close, and the requests
 * in progress (uploads included) may finish, each reply closing its connection. Once none is left
 * the database closes and the process exits 0. Past `timeoutMs`, the requests still running are
 * cut, a line says how many, and the process exits 1. A second signal does not restart the wait.
 */
function drainOnSignals(options: {
  server: Server;
  app: App;
  logger: Logger;
  timeoutMs: number;
  stop: () => void;
  closeDatabase: () => Promise<void>;
  closeStorage: () => void;
}) {
  const { server, app, logger, timeoutMs } = options;
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  // Once the server is closing, Node ends each keep-alive connection after its current reply
  // (Connection: close); a connection left idle all the same is closed here.
  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  const shutdown = (signal: string) => {
    if (draining) return;
    draining = true;
    app.locals.operations.draining = true;
    options.stop();
    logger.info('shutting down', { signal, inFlight: inFlight.size, timeoutMs });

    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed: requests cut', { cut: inFlight.size, timeoutMs });
      server.closeAllConnections();
      void finish(1);
    }, timeoutMs);
    let finishing = false;
    const finish = async (code: number) => {
      if (finishing) return;
      finishing = true;
      clearTimeout(deadline);
      // A cut request may still hold a connection: the database gets 5 s to close, not more.
      options.closeStorage();
      const closing = options
        .closeDatabase()
        .catch((error: unknown) => logger.error('could not close the database', { error: String(error) }));
      await Promise.race([closing, new Promise((done) => setTimeout(done, 5000).unref())]);
      if (code === 0) logger.info('shut down', { signal });
      process.exit(code);
    };
    // Closes the idle connections too; the password reset mails asked for are sent first (within the deadline).
    server.close(() => void app.locals.mailSettled().then(() => finish(0)));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
