import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import bcrypt from 'bcrypt';
import { openDatabase, type Database } from '../../src/db/client';
import { galleryKeys } from '../../src/galleries/galleries.repository';
import { freshDatabase } from './test-app';

const ROOT = resolve(__dirname, '../..');

/** A free TCP port on the loopback interface. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

export type ServerProcess = {
  url: string;
  pid: number;
  /** Every line the server wrote, stdout and stderr. */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The parsed JSON log lines with this message. */
  logged(message: string): Record<string, unknown>[];
  stop(): Promise<void>;
};

const running = new Set<ServerProcess>();

/** Stops every server still running (for afterEach/afterAll). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

/**
 * The real server (`src/server.ts`) as a child process on a free port. `shell`: run it through
 * `sh -c` with this command prefix (the server command follows it), e.g. inside a namespace.
 */
export async function startServer(env: Record<string, string>, options: { prefix?: string[]; shellSetup?: string } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const serverCommand = [process.execPath, '--import', 'tsx', 'src/server.ts'];
  const [command, ...args] = options.prefix
    ? [...options.prefix, 'sh', '-c', `${options.shellSetup ?? 'true'} && exec "$@"`, 'sh', ...serverCommand]
    : serverCommand;
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info', BCRYPT_COST: '4', RATE_LIMIT_PER_MINUTE: '100000', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  let ready: () => void;
  const listening = new Promise<void>((done) => (ready = done));
  let buffered = '';
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      logs.push(line);
      if (line.includes('"Gallery Server listening"')) ready();
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const server: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    logs,
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
    async stop() {
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  running.add(server);
  const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`server did not start:\n${logs.join('\n')}`)), 30_000).unref());
  const died = exited.then(({ code, signal }) => {
    throw new Error(`server exited (${code ?? signal}) before listening:\n${logs.join('\n')}`);
  });
  await Promise.race([listening, timeout, died]);
  return server;
}

/** A fresh database and upload folder with one Beta Player (password known) and their gallery. */
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
    data: { username, usernameLower: username, email: `${username}@example.test`, emailLower: `${username}@example.test`, passwordHash: await bcrypt.hash(password, 4), roleId: role.id },
  });
  const gallery = await db.gallery.create({ data: { name: 'Crash tests', description: '', ownerId: user.id, ...galleryKeys('Crash tests', '') } });
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

export type HttpReply = { status: number; body: Buffer; json(): Record<string, unknown> };

/** One HTTP request; rejects when the connection dies (as it does when the server is killed). */
export function send(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer }): Promise<HttpReply> {
  return new Promise((done, fail) => {
    const req = request(`${url}${options.path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        done({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body.toString()) as Record<string, unknown> });
      });
    });
    req.on('error', fail);
    req.end(options.body);
  });
}

export async function login(url: string, credentials: { username: string; password: string }): Promise<Record<string, string>> {
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
      .join('') + `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="upload.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([head, file, tail]), head, tail };
}
