import { createServer, type RequestListener, type Server } from 'node:http';

import type { Config } from '../shared/config';

/**
 * The app's HTTP server, with the limits that keep slow clients from holding it: a request's head
 * must come within HEADERS_TIMEOUT_SECONDS and the whole request within REQUEST_TIMEOUT_SECONDS
 * (else 408 and the connection closes; checked every second), an idle keep-alive connection
 * closes after 5 s. A body that stops coming is cut by the app itself (UPLOAD_STALL_SECONDS).
 * Node keeps its own limit on the size of a request's head (16 KiB).
 */
export function createHttpServer(
  app: RequestListener,
  config: Pick<Config, 'headersTimeoutMs' | 'requestTimeoutMs'>,
): Server {
  const requestTimeout = config.requestTimeoutMs;
  return createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(config.headersTimeoutMs, requestTimeout),
      connectionsCheckingInterval: 1000,
      keepAliveTimeout: 5000,
    },
    app,
  );
}
