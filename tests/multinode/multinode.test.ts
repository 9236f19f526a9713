import { join } from 'node:path';
import autocannon from 'autocannon';

import { findNginx } from '../helpers/nginx';
import {
  login,
  multipart,
  prepareWorld,
  send,
  startServer,
  stopAllServers,
  type HttpReply,
} from '../helpers/server-process';
import { testDbKind } from '../helpers/test-env';
import { json, keysOfRow, photo, runCli, sha256, startCluster, type Cluster, type StorageKind } from './cluster';

/**
 * Two server processes (the build, dist/server.js) on one PostgreSQL database and one storage —
 * a disk folder both use, then an S3 bucket (s3rver) — behind nginx on loopback: the first session
 * through nginx, limits that hold across nodes, an upload seen by the other node at once, and a
 * SIGKILL of one node under mixed load that loses no acknowledged upload and leaves nothing behind
 * once the storage check has run. PostgreSQL only (SQLite is one process's file by nature).
 */
jest.setTimeout(60_000);

const NGINX = findNginx();
const REQUIRED = ['1', 'true', 'yes'].includes(String(process.env.REQUIRE_NGINX).toLowerCase());
const onPostgres = testDbKind() === 'postgres';

if (onPostgres && !NGINX && !REQUIRED) {
  console.warn(
    'tests/multinode skipped: no nginx binary found (PATH, /usr/sbin; or set NGINX_BIN). Install nginx-light, or set REQUIRE_NGINX=1 to make this a failure.',
  );
}
const suite = onPostgres && NGINX ? describe : describe.skip;

if (onPostgres && !NGINX && REQUIRED) {
  it('finds an nginx binary (REQUIRE_NGINX=1)', () => {
    throw new Error(
      'REQUIRE_NGINX=1 but no nginx binary was found on PATH or in /usr/sbin, /usr/local/sbin (or NGINX_BIN)',
    );
  });
}

const LOAD_SECONDS = 5;
const KILL_AFTER_MS = 2000;

function expectStatus(reply: HttpReply, status: number) {
  if (reply.status !== status)
    throw new Error(`expected ${status}, got ${reply.status}: ${reply.body.toString().slice(0, 300)}`);
}

function upload(url: string, auth: Record<string, string>, galleryId: number, file: Buffer, title = 'through nginx') {
  const { contentType, body } = multipart({ title, gallery: String(galleryId) }, file);
  return send(url, {
    method: 'POST',
    path: '/api/gallery/images/',
    headers: { ...auth, 'Content-Type': contentType },
    body,
  });
}

type Load = {
  /** Uploads that got 201: the image id, the SHA-256 of the bytes sent, ms after the load began. */
  acknowledged: { id: number; sha256: string; atMs: number }[];
  /** Replies by kind and status. */
  statuses: { read: Record<number, number>; upload: Record<number, number> };
  /** Requests that got no reply at all (connection errors, timeouts). */
  noReply: number;
  requests: number;
};

/**
 * ~LOAD_SECONDS of mixed load through nginx, each connection in turn: a page of 50, a thumbnail,
 * an upload of a JPEG nobody sent before. `midway` runs after KILL_AFTER_MS.
 */
async function mixedLoad(
  url: string,
  auth: Record<string, string>,
  galleryId: number,
  imageId: number,
  midway: () => void,
): Promise<Load> {
  const files = await Promise.all(Array.from({ length: 600 }, (_, i) => photo(1000 + i)));
  const hashes = files.map(sha256);
  const load: Load = { acknowledged: [], statuses: { read: {}, upload: {} }, noReply: 0, requests: 0 };
  let next = 0;
  const started = Date.now();
  const count = (kind: 'read' | 'upload', status: number) =>
    (load.statuses[kind][status] = (load.statuses[kind][status] ?? 0) + 1);
  type Context = { upload?: number };
  const timer = setTimeout(midway, KILL_AFTER_MS);
  const result = await autocannon({
    url,
    connections: 6,
    duration: LOAD_SECONDS,
    timeout: 20,
    requests: [
      {
        method: 'GET',
        path: '/api/gallery/images/?limit=50',
        headers: auth,
        onResponse: (status) => count('read', status),
      },
      {
        method: 'GET',
        path: `/api/gallery/images/${imageId}/file/?size=thumb`,
        headers: auth,
        onResponse: (status) => count('read', status),
      },
      {
        method: 'POST',
        path: '/api/gallery/images/',
        setupRequest: (request, context: Context) => {
          const index = next++ % files.length;
          context.upload = index;
          const { contentType, body } = multipart({ title: `load ${index}`, gallery: String(galleryId) }, files[index]);
          return { ...request, body, headers: { ...auth, 'content-type': contentType } };
        },
        onResponse: (status, body, context: Context) => {
          count('upload', status);
          if (status === 201)
            load.acknowledged.push({
              id: (JSON.parse(body) as { id: number }).id,
              sha256: hashes[context.upload!],
              atMs: Date.now() - started,
            });
        },
      },
    ],
  });
  clearTimeout(timer);
  load.noReply = result.errors + result.timeouts;
  load.requests = result.requests.total;
  return load;
}

const STORAGES: StorageKind[] = ['disk', 's3'];

suite.each(STORAGES)('two nodes on one PostgreSQL behind nginx, storage %s', (storage) => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(NGINX!, storage);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('runs the first session through nginx: register, an admin grants Beta Player, gallery, upload, a Subscriber lists, logout refuses the token', async () => {
    const api = cluster.nginx.url;
    const registered = await json(api, 'POST', '/api/auth/register/', {
      username: 'alice',
      email: 'alice@example.com',
      password: 'correct horse',
      password2: 'correct horse',
    });
    expectStatus(registered, 201);
    const aliceId = registered.json().id as number;
    const admin = await runCli(
      'create-admin',
      ['--username', 'admin', '--email', 'admin@example.com'],
      cluster.envOf(0),
      'a long admin passphrase\n',
    );
    expect(admin).toMatchObject({ code: 0 });
    const adminAuth = await login(api, { username: 'admin', password: 'a long admin passphrase' });
    expectStatus(await json(api, 'PATCH', `/api/admin/users/${aliceId}/`, { role: 'beta_player' }, adminAuth), 200);

    const alice = await login(api, { username: 'alice', password: 'correct horse' });
    const gallery = await json(
      api,
      'POST',
      '/api/gallery/galleries/',
      { name: 'Holidays', description: 'Summer 2026' },
      alice,
    );
    expectStatus(gallery, 201);
    const jpeg = await photo(1);
    const created = await upload(api, alice, gallery.json().id as number, jpeg, 'Beach');
    expectStatus(created, 201);

    expectStatus(
      await json(api, 'POST', '/api/auth/register/', {
        username: 'bob',
        email: 'bob@example.com',
        password: 'battery staple',
        password2: 'battery staple',
      }),
      201,
    );
    const bob = await login(api, { username: 'bob', password: 'battery staple' });
    const listed = await send(api, {
      path: `/api/gallery/view-images/?gallery=${gallery.json().id as number}`,
      headers: bob,
    });
    expectStatus(listed, 200);
    expect(JSON.parse(listed.body.toString())).toEqual([
      expect.objectContaining({ id: created.json().id, title: 'Beach' }),
    ]);
    expectStatus(await upload(api, bob, gallery.json().id as number, await photo(2)), 403);
    // Every request of the session went to one node or the other; both nodes answer for the token.
    for (const node of cluster.nodes) expectStatus(await send(node.url, { path: '/api/auth/me/', headers: bob }), 200);

    // Each node keeps the tokens it looked up in memory; a logout reaches the other node's cache as
    // a PostgreSQL notification once it commits: refused there too within a moment, not later.
    const loggedOut = Date.now();
    expectStatus(await send(api, { method: 'POST', path: '/api/auth/logout/', headers: bob }), 200);
    for (const url of [api, ...cluster.nodes.map((node) => node.url)]) {
      let refused = await send(url, { path: '/api/gallery/view-images/', headers: bob });
      while (refused.status === 200 && Date.now() - loggedOut < 1000) {
        await new Promise((done) => setTimeout(done, 10));
        refused = await send(url, { path: '/api/gallery/view-images/', headers: bob });
      }
      expect([refused.status, refused.json().code]).toEqual([401, 'INVALID_TOKEN']);
    }
    console.log(
      `multinode (${storage}): the logged-out token was refused by every node ${Date.now() - loggedOut} ms after the logout was sent`,
    );
  });

  it('passes the request id through nginx and makes one when the client sends none', async () => {
    const given = await send(cluster.nginx.url, { path: '/health', headers: { 'X-Request-Id': 'multinode-trace-1' } });
    expect(given.status).toBe(200);
    const made = (await fetch(`${cluster.nginx.url}/health`)).headers.get('x-request-id');
    expect(made).toMatch(/^[0-9a-f]{32}$/);
    const seen = cluster.nodes.flatMap((node) => node.logs.filter((line) => line.includes('multinode-trace-1')));
    expect(seen.length).toBeGreaterThan(0);
  });

  it('a login lockout reached through node 1 holds on node 2', async () => {
    const [first, second] = cluster.nodes;
    expectStatus(
      await json(first.url, 'POST', '/api/auth/register/', {
        username: 'carol',
        email: 'carol@example.com',
        password: 'a fine password',
        password2: 'a fine password',
      }),
      201,
    );
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await json(first.url, 'POST', '/api/auth/login/', { username: 'carol', password: 'wrong password' })).status,
      );
    expect(statuses.at(-1)).toBe(429);
    const elsewhere = await json(second.url, 'POST', '/api/auth/login/', {
      username: 'carol',
      password: 'a fine password',
    });
    expect(elsewhere.status).toBe(429);
    expect(elsewhere.json().code).toBe('TOO_MANY_REQUESTS');
  });

  it('serves at once, through node 2, an upload made through node 1', async () => {
    const [first, second] = cluster.nodes;
    const auth = await login(first.url, cluster.world.credentials);
    const jpeg = await photo(3);
    const created = await upload(first.url, auth, cluster.world.galleryId, jpeg);
    expectStatus(created, 201);
    const id = created.json().id as number;
    const original = await send(second.url, { path: `/api/gallery/images/${id}/file/?size=original`, headers: auth });
    expectStatus(original, 200);
    expect(sha256(original.body)).toBe(sha256(jpeg));
    expectStatus(await send(second.url, { path: `/api/gallery/images/${id}/file/?size=thumb`, headers: auth }), 200);
  });

  it('loses no acknowledged upload when node 1 is killed (SIGKILL) under mixed load, and leaves nothing behind after the storage check', async () => {
    const { nginx, nodes, world } = cluster;
    const auth = await login(nginx.url, world.credentials);
    const seed = await upload(nginx.url, auth, world.galleryId, await photo(4), 'seed');
    expectStatus(seed, 201);
    let killedAt = 0;
    const started = Date.now();
    const load = await mixedLoad(nginx.url, auth, world.galleryId, seed.json().id as number, () => {
      killedAt = Date.now() - started;
      nodes[0].kill('SIGKILL');
    });
    expect(await nodes[0].exited).toEqual({ code: null, signal: 'SIGKILL' });
    const failedReads = Object.entries(load.statuses.read).filter(([status]) => status !== '200');
    const failedUploads = Object.entries(load.statuses.upload).filter(([status]) => status !== '201');
    console.log(
      `multinode (${storage}): ${load.requests} requests in ${LOAD_SECONDS} s through nginx, node 1 killed at ${killedAt} ms; ` +
        `reads ${JSON.stringify(load.statuses.read)}, uploads ${JSON.stringify(load.statuses.upload)}, no reply ${load.noReply}; ` +
        `${load.acknowledged.length} uploads acknowledged (${load.acknowledged.filter((a) => a.atMs > killedAt).length} after the kill)`,
    );
    // Reads are retried on the survivor by nginx; an upload cut mid-way is not retried (502).
    expect(failedReads).toEqual([]);
    expect(failedUploads.every(([status]) => status === '502')).toBe(true);
    expect(load.noReply).toBe(0);
    expect(load.acknowledged.filter((a) => a.atMs > killedAt + 500).length).toBeGreaterThan(0);

    // Every acknowledged upload: its row has the hash of the bytes sent, and the survivor serves them whole.
    for (const { id, sha256: sent } of load.acknowledged) {
      const row = await world.db.image.findUniqueOrThrow({ where: { id } });
      expect(row.sha256).toBe(sent);
      const file = await send(nginx.url, { path: `/api/gallery/images/${id}/file/?size=original`, headers: auth });
      expect([id, file.status, sha256(file.body)]).toEqual([id, 200, sent]);
    }

    // The storage check, as node 1 (its temp folder), once nothing uploads: every temp file is a leftover.
    const check = await runCli('storage-check', ['--repair'], {
      ...cluster.envOf(0),
      UPLOAD_TEMP_MAX_AGE_SECONDS: '0',
    });
    expect(check).toMatchObject({ code: 0 });
    const report = JSON.parse(check.stdout) as Record<string, unknown[]>;
    console.log(
      `multinode (${storage}): storage check after the kill: ${JSON.stringify(Object.fromEntries(Object.entries(report).map(([k, v]) => [k, Array.isArray(v) ? v.length : v])))}`,
    );
    expect(report.rowsWithoutFile).toEqual([]);
    expect(report.damaged).toEqual([]);
    const rows = await world.db.image.findMany({ select: { id: true, storageKey: true } });
    expect(await cluster.storedKeys()).toEqual(rows.flatMap((row) => keysOfRow(row.storageKey)).sort());
    expect(await world.db.stagedUpload.count()).toBe(0);
    expect(cluster.tempFiles()).toEqual([]);
    const ids = new Set(rows.map((row) => row.id));
    expect(load.acknowledged.filter(({ id }) => !ids.has(id))).toEqual([]);

    // The survivor keeps serving, reads and writes, through nginx.
    expectStatus(await send(nginx.url, { path: '/api/gallery/images/?limit=50', headers: auth }), 200);
    expectStatus(await upload(nginx.url, auth, world.galleryId, await photo(5), 'after'), 201);
  });
});

const limitSuite = onPostgres ? describe : describe.skip;

limitSuite('two nodes with RATE_LIMIT_STORE=database', () => {
  let world: Awaited<ReturnType<typeof prepareWorld>>;
  beforeAll(async () => {
    world = await prepareWorld();
  });
  afterAll(async () => {
    await stopAllServers();
    await world?.close();
  });

  it('a rate limit reached on node 1 holds on node 2', async () => {
    const env = { ...world.env, RATE_LIMIT_STORE: 'database', RATE_LIMIT_PER_MINUTE: '5' };
    const [first, second] = await Promise.all([
      startServer(env),
      startServer({ ...env, UPLOAD_DIR: join(world.uploadDir, 'second') }),
    ]);
    const auth = await login(first.url, world.credentials);
    for (let i = 0; i < 5; i++) expectStatus(await send(first.url, { path: '/api/auth/me/', headers: auth }), 200);
    const limited = await send(second.url, { path: '/api/auth/me/', headers: auth });
    expect(limited.status).toBe(429);
    expect(limited.json().code).toBe('TOO_MANY_REQUESTS');
  });
});
