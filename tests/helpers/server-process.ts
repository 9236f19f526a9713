import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join, resolve } from 'node:path';
import bcrypt from 'bcrypt';

import { openDatabase, type Database } from '../../src/platform/db/client';
import { freshDatabase } from './test-app';

const ROOT = resolve(__dirname, '../..');

/**
 * The server as shipped: the compiled build (global setup makes sure it is up to date); in the
 * fast loop (`npm run test:fast`, which builds nothing) the sources, compiled as they load.
 */
export const SERVER_COMMAND =
  process.env.TEST_FAST === '1'
    ? [process.execPath, '--import', 'tsx', 'src/server.ts']
    : [process.execPath, 'dist/server.js'];

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type ServerProcess = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The server's own pid (a `wrap` command must `exec` the server for this to hold). */
  pid: number;
  /** Every line the server wrote, stdout and stderr, in order of arrival. */
  logs: string[];
  /** The lines it wrote on stderr. */
  stderr: string[];
  /** Resolves when the process has ended, with its exit code or the signal that ended it. */
  exited: Promise<Exit>;
  /** The parsed JSON log lines with this message. */
  logged(message: string): Record<string, unknown>[];
  /** The first log line with this message, once it is written. */
  waitForLog(message: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends a signal (SIGKILL: dies on the spot). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM and wait for it to end (SIGKILL if it has not after `graceMs`). */
  stop(graceMs?: number): Promise<Exit>;
};

export type StartOptions = {
  /**
   * A command the server runs under: the server command is appended to it as arguments, so a
   * shell in it ends with `exec "$@"`, e.g. `['unshare', '-rm', 'sh', '-c', 'mount … && exec "$@"', 'sh']`.
   */
  wrap?: string[];
  /** How long to wait for "Gallery Server listening". */
  timeoutMs?: number;
};

const running = new Set<ServerProcess>();
const children = new Set<{ kill(signal: NodeJS.Signals): boolean }>();
// Should the test process end with servers still running (a crash of jest's worker), take them along.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Stops every server still running: call it in afterEach/afterAll, so a failed test leaves none behind. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop(2000)));
}

/**
 * The real server (`dist/server.js`) as a child process on a free port, with NODE_ENV=test,
 * LOG_LEVEL=info, BCRYPT_COST=4 and a rate limit high enough never to matter, plus `env`
 * (DATABASE_URL and UPLOAD_DIR at least). Resolves once it logs that it listens; rejects, with
 * what it wrote, when it exits first or does not get there within the timeout (20 s).
 */
export async function startServer(env: Record<string, string>, options: StartOptions = {}): Promise<ServerProcess> {
  // PORT=0: the server takes any free port and logs it, so that no other process can take the
  // port between its choice and the server's listen (a free port found here first could be).
  const [command, ...args] = [...(options.wrap ?? []), ...SERVER_COMMAND];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
      RATE_LIMIT_PER_MINUTE: '100000',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const logs: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<Exit>((done) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    });
  });
  let ready = () => {};
  const listening = new Promise<void>((done) => (ready = done));
  const collector = (into: string[] | null) => {
    let buffered = '';
    return (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        into?.push(line);
        if (line.includes('"Gallery Server listening"')) ready();
      }
    };
  };
  child.stdout.on('data', collector(null));
  child.stderr.on('data', collector(stderr));

  const alive = () => child.exitCode === null && child.signalCode === null;
  const server: ServerProcess = {
    url: '', // from the line that says it listens
    pid: child.pid!,
    logs,
    stderr,
    exited,
    logged: (message) =>
      logs.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          return parsed.message === message ? [parsed] : [];
        } catch {
          return [];
        }
      }),
    async waitForLog(message, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [entry] = server.logged(message);
        if (entry) return entry;
        if (!alive() || Date.now() > deadline)
          throw new Error(`the server did not log "${message}":\n${logs.join('\n')}`);
        await new Promise((done) => setTimeout(done, 20));
      }
    },
    kill(signal) {
      if (alive()) child.kill(signal);
    },
    async stop(graceMs = 10_000) {
      running.delete(server);
      server.kill('SIGTERM');
      const force = setTimeout(() => server.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(force);
      }
    },
  };
  running.add(server);

  const timeoutMs = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    listening.then(() => 'listening' as const),
    exited.then((exit) => exit),
    new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'listening') {
    server.url = String(server.logged('Gallery Server listening')[0].url);
    return server;
  }
  await server.stop(1000);
  const why =
    outcome === 'timeout'
      ? `did not log "Gallery Server listening" within ${timeoutMs} ms`
      : `exited (${outcome.code ?? outcome.signal}) before listening`;
  throw new Error(
    `server ${why}.\nstderr:\n${stderr.join('\n') || '(nothing)'}\nstdout and stderr:\n${logs.join('\n') || '(nothing)'}`,
  );
}

/** A fresh database and upload folder (under TEST_TMP_DIR) with one Beta Player (password known) and their gallery. */
export async function prepareWorld() {
  const dir = join(process.env.TEST_TMP_DIR!, randomUUID());
  mkdirSync(dir, { recursive: true });
  const database = await freshDatabase(dir);
  const uploadDir = join(dir, 'uploads');
  mkdirSync(uploadDir);
  const handle = openDatabase(database.url);
  const db: Database = handle.db;
  const role = await db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
  const username = `owner${randomUUID().slice(0, 8)}`;
  const password = 'a long enough password';
  const user = await db.user.create({
    data: {
      username,
      usernameLower: username,
      email: `${username}@example.test`,
      emailLower: `${username}@example.test`,
      passwordHash: await bcrypt.hash(password, 4),
      roleId: role.id,
    },
  });
  const gallery = await db.gallery.create({ data: { name: 'Crash tests', description: '', ownerId: user.id } });
  return {
    db,
    uploadDir,
    galleryId: gallery.id,
    env: { DATABASE_URL: database.url, UPLOAD_DIR: uploadDir },
    credentials: { username, password },
    async close() {
      await handle.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type HttpReply = {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  json(): Record<string, unknown>;
};

/** A response read to its end: status, body, headers. */
export function readReply(res: IncomingMessage): Promise<HttpReply> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', fail);
    res.on('end', () => {
      const body = Buffer.concat(chunks);
      done({
        status: res.statusCode ?? 0,
        body,
        headers: res.headers,
        json: () => JSON.parse(body.toString()) as Record<string, unknown>,
      });
    });
  });
}

/** One HTTP request; rejects when the connection dies (as it does when the server is killed). */
export function send(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer },
): Promise<HttpReply> {
  return new Promise((done, fail) => {
    const req = request(
      `${url}${options.path}`,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => void readReply(res).then(done, fail),
    );
    req.on('error', fail);
    req.end(options.body);
  });
}

export async function login(
  url: string,
  credentials: { username: string; password: string },
): Promise<Record<string, string>> {
  const reply = await send(url, {
    method: 'POST',
    path: '/api/auth/login/',
    headers: { 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify(credentials)),
  });
  if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.body.toString()}`);
  return { Authorization: `Token ${reply.json().token as string}` };
}

/** A multipart upload body: its head (fields and file part header), the file, and the closing line. */
export function multipart(fields: Record<string, string>, file: Buffer) {
  const boundary = `----gallery${randomUUID()}`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="upload.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([head, file, tail]),
    head,
    tail,
  };
}
