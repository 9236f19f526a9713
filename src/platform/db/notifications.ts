import { Client } from 'pg';

/**
 * Change notifications from the database (PostgreSQL's LISTEN/NOTIFY): what other processes —
 * other server nodes, Prisma Studio, a psql session — changed, as soon as they commit.
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
  close(): Promise<void>;
};

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
