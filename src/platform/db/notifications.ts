import type { Database as SqliteConnection } from 'better-sqlite3';
import { Client } from 'pg';

/**
 * What other connections changed in the database — other server nodes, Prisma Studio, a psql
 * session, this process's own ORM connection. On PostgreSQL: notifications (LISTEN/NOTIFY) as
 * changes commit. On SQLite: a version number that moves with every commit by another connection.
 */
export type ChangeFeed = {
  /**
   * Calls `onMessage(payload)` for each NOTIFY on `channel`. `onGap` is called whenever messages
   * may have been missed (the connection dropped): whatever was derived from earlier state must
   * be dropped. Resolves once listening.
   */
  listen(channel: string, handlers: { onMessage: (payload: string) => void; onGap: () => void }): Promise<void>;
  /** True while the feed is connected: messages are arriving. */
  readonly live: boolean;
  /**
   * Where notifications cannot come (SQLite): a number that changes whenever another connection
   * has committed anything since the last call. Whatever was derived before it changed must go.
   */
  version?: () => number;
  close(): Promise<void>;
};

/**
 * SQLite's feed: no messages, `PRAGMA data_version` on a connection of the server's own that never
 * writes, which moves with every commit of any other connection (this process's ORM included).
 */
export function createSqliteChangeFeed(connection: SqliteConnection): ChangeFeed {
  const dataVersion = connection.prepare('PRAGMA data_version').pluck();
  return {
    live: true,
    listen: () => Promise.resolve(),
    version: () => dataVersion.get() as number,
    close: () => Promise.resolve(),
  };
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
const RETRY_MS = [100, 250, 500, 1000, 2000, 5000];

/** One dedicated connection that LISTENs, and reconnects (reporting a gap) when it drops. */
export function createPostgresChangeFeed(url: string): ChangeFeed {
  const channels = new Map<string, { onMessage: (payload: string) => void; onGap: () => void }>();
  let client: Client | null = null;
  let connecting: Promise<void> | null = null;
  let live = false;
  let closed = false;
  let attempt = 0;

  const gap = () => {
    live = false;
    for (const handlers of channels.values()) handlers.onGap();
  };

  async function connect(): Promise<void> {
    const next = new Client({ connectionString: url });
    next.on('notification', (message) => channels.get(message.channel)?.onMessage(message.payload ?? ''));
    next.on('error', () => undefined);
    next.on('end', () => {
      if (client !== next) return;
      client = null;
      gap();
      if (!closed) scheduleReconnect();
    });
    await next.connect();
    for (const channel of channels.keys()) await next.query(`LISTEN ${channel}`);
    client = next;
    attempt = 0;
    live = true;
  }

  function scheduleReconnect() {
    const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
    attempt += 1;
    setTimeout(() => {
      if (closed || client) return;
      connecting = connect().catch(() => scheduleReconnect());
    }, delay).unref();
  }

  return {
    get live() {
      return live;
    },
    async listen(channel, handlers) {
      if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
      channels.set(channel, handlers);
      if (client) {
        await client.query(`LISTEN ${channel}`);
        return;
      }
      connecting ??= connect();
      await connecting;
    },
    async close() {
      closed = true;
      live = false;
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
