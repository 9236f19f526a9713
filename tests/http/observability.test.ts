import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

import { createDiskStorage } from '../../src/platform/storage/disk-storage';
import type { Storage } from '../../src/platform/storage/storage';
import { loadConfig } from '../../src/shared/config';
import { createLogger } from '../../src/shared/logger';
import { createGallery, createImage, createUser, pngBytes, upload } from '../helpers/factories';
import { samples, sendSlowly, valueOf } from '../helpers/observe';
import { multipart } from '../helpers/server-process';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-env';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Every line the app's logger writes (pino writes one line per call), parsed. */
function logSink() {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    text: () => JSON.stringify(lines),
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  };
}

/** An app whose logger writes into `sink`; `storage` may wrap its disk storage. */
function appWithLogs(
  env: Record<string, string>,
  sink: ReturnType<typeof logSink>,
  storage?: (real: Storage) => Storage,
) {
  return startTestApp(env, {
    wrap: (deps) => ({
      ...deps,
      logger: createLogger('info', sink),
      storage: storage ? storage(deps.storage) : deps.storage,
    }),
  });
}

describe('request ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('generates one for a request that has none, on every reply: success, 404 and 401', async () => {
    for (const [path, status] of [
      ['/health', 200],
      ['/no/such/endpoint', 404],
      ['/api/auth/me', 401],
    ] as const) {
      const res = await request(t.app).get(path).expect(status);
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
  });

  it("echoes the client's own id when it is sane", async () => {
    const id = `lb-1.${'a'.repeat(100)}:42_x`.replace('_', '-');
    const res = await request(t.app).get('/no/such/endpoint').set('X-Request-Id', id).expect(404);
    expect(res.headers['x-request-id']).toBe(id);
  });

  it('replaces an id that is too long or holds other characters by a new one', async () => {
    for (const bad of ['a'.repeat(129), 'two words', 'id"injected', 'caf\u00e9', '{"json":1}']) {
      const res = await request(t.app).get('/health').set('X-Request-Id', bad).expect(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
  });
});

describe('logs', () => {
  it('write one access line per request with its id, method, route template, status and time, and never a secret', async () => {
    const sink = logSink();
    const t = await appWithLogs({}, sink);
    try {
      const owner = await createUser(t, 'beta_player');
      const gallery = await createGallery(t, owner);
      const image = await createImage(t, owner, gallery.id);
      const login = await request(t.app)
        .post('/api/auth/login')
        .send({ username: owner.username, password: owner.password })
        .expect(200);
      const token = login.body.token as string;
      const show = await request(t.app)
        .get(`/api/gallery/images/${image.id}?token=${token}`)
        .set('Authorization', `Token ${token}`)
        .expect(200);
      await request(t.app)
        .post('/api/auth/login')
        .send({ username: owner.username, password: 'Wrong-Log-Pass-2' })
        .expect(401);
      await request(t.app).get('/api/no-such-share/Secret-In-Path-3').expect(404);

      const access = sink.lines.filter((line) => line.message === 'request');
      const line = access.find((entry) => entry.requestId === show.headers['x-request-id']);
      expect(line).toEqual(
        expect.objectContaining({
          level: 'info',
          method: 'GET',
          path: '/api/gallery/images/:id',
          status: 200,
          ms: expect.any(Number) as number,
        }),
      );
      expect(typeof line?.time).toBe('string');
      expect(access.map((entry) => entry.path)).toContain('/api/auth/login');
      expect(access.every((entry) => typeof entry.requestId === 'string')).toBe(true);
      const text = sink.text();
      expect(text).not.toContain(`/api/gallery/images/${image.id}`);
      expect(text).not.toContain(owner.password);
      expect(text).not.toContain('Wrong-Log-Pass-2');
      expect(text).not.toContain('Secret-In-Path-3');
      expect(text).not.toContain(token);
      expect(text).not.toContain(owner.token);
      expect(text).not.toMatch(/authorization/i);
    } finally {
      await t.close();
    }
  });

  it("give every line written while serving a request that request's id (a multipart body sent in pieces, a DELETE, a 500)", async () => {
    const sink = logSink();
    let failDeletes = false;
    const denied = () =>
      Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', syscall: 'open' }));
    const t = await appWithLogs({ METRICS: 'on' }, sink, (real) => ({
      ...real,
      delete: (key) => (failDeletes ? denied() : real.delete(key)),
      get: (key, range) => (failDeletes ? denied() : real.get(key, range)),
    }));
    try {
      const owner = await createUser(t, 'beta_player');
      const gallery = await createGallery(t, owner);
      const [first, second] = [await createImage(t, owner, gallery.id), await createImage(t, owner, gallery.id)];
      failDeletes = true;
      // A new file for an image, its body arriving in pieces (multer then reads it from the
      // connection's events); the old files cannot be deleted.
      const { contentType, head, tail } = multipart({ title: 'replaced' }, Buffer.alloc(0));
      const file = await pngBytes(40, 30);
      const replaced = await sendSlowly(t, {
        method: 'PUT',
        path: `/api/gallery/images/${first.id}`,
        headers: { ...owner.auth, 'Content-Type': contentType, 'X-Request-Id': 'replace-1' },
        chunks: [head, file.subarray(0, 20), file.subarray(20), tail],
      });
      expect(replaced).toEqual({ status: 200, requestId: 'replace-1' });
      await request(t.app).delete(`/api/gallery/images/${second.id}`).set(owner.auth).expect(200);
      await request(t.app)
        .delete(`/api/gallery/trash/images/${second.id}`)
        .set(owner.auth)
        .set('X-Request-Id', 'delete-1')
        .expect(200);

      const failures = sink.lines.filter((line) => line.message === 'could not delete image file');
      expect(failures.length).toBeGreaterThanOrEqual(2);
      expect(new Set(failures.map((line) => line.requestId))).toEqual(new Set(['replace-1', 'delete-1']));

      // A file that cannot be read: 500, logged with the id and the route template, counted as a storage failure.
      await request(t.app)
        .get(`/api/gallery/images/${first.id}/file`)
        .set(owner.auth)
        .set('X-Request-Id', 'read-1')
        .expect(500);
      const [failed] = sink.lines.filter((line) => line.message === 'request failed');
      expect(failed).toEqual(
        expect.objectContaining({ level: 'error', requestId: 'read-1', path: '/api/gallery/images/:id/file' }),
      );
      const metrics = await request(t.app).get('/metrics').expect(200);
      expect(samples(metrics.text, 'gallery_storage_errors_total')).toEqual([
        'gallery_storage_errors_total{failure="io"} 1',
      ]);
    } finally {
      await t.close();
    }
  });

  it('hold no error for a feature that is not set up (501), which is no fault of the server', async () => {
    const sink = logSink();
    const t = await startTestApp({}, { wrap: (deps) => ({ ...deps, logger: createLogger('warn', sink) }) });
    try {
      await request(t.app).get('/api/auth/oidc/login').expect(501);
      await request(t.app).post('/api/auth/password/forgot').send({ email: 'a@example.test' }).expect(501);
      expect(sink.lines).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('follow LOG_LEVEL: at warn, no access line', async () => {
    const sink = logSink();
    const t = await startTestApp({}, { wrap: (deps) => ({ ...deps, logger: createLogger('warn', sink) }) });
    try {
      await request(t.app).get('/health').expect(200);
      expect(sink.lines).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('GET /ready', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is 200 when the database answers and the storage can be used', async () => {
    const res = await request(t.app).get('/ready').expect(200);
    expect(res.body).toEqual({ message: 'Ready', status: 'ready', database: 'ok', storage: 'ok' });
  });

  it('is 503 while the server shuts down, while /health stays 200', async () => {
    t.app.locals.operations.draining = true; // what server.ts does on SIGTERM
    try {
      const res = await request(t.app).get('/ready').expect(503);
      expect(res.body).toEqual({
        message: 'The server is shutting down',
        status: 'shutting-down',
        database: 'ok',
        storage: 'ok',
      });
      await request(t.app).get('/health').expect(200);
    } finally {
      t.app.locals.operations.draining = false;
    }
  });

  it('is 503 naming the storage when its folder is gone, while /health stays 200', async () => {
    rmSync(t.uploadDir, { recursive: true, force: true });
    const res = await request(t.app).get('/ready').expect(503);
    expect(res.body).toEqual({
      message: 'Not ready: the storage unavailable',
      status: 'not-ready',
      database: 'ok',
      storage: 'unavailable',
    });
    await request(t.app).get('/health').expect(200);
  });

  it('is 503 naming the database once the database is closed and gone', async () => {
    const elsewhere = join(process.env.TEST_TMP_DIR!, randomUUID());
    mkdirSync(elsewhere, { recursive: true });
    const storage = await createDiskStorage(elsewhere);
    const t = await startTestApp({}, { wrap: (deps) => ({ ...deps, storage }) });
    try {
      await request(t.app).get('/ready').expect(200);
      await t.close(); // closes the connections, then drops the database (PostgreSQL) or removes its folder (SQLite)
      const res = await request(t.app).get('/ready').expect(503);
      expect(res.body).toEqual({
        message: 'Not ready: the database unavailable',
        status: 'not-ready',
        database: 'unavailable',
        storage: 'ok',
      });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('GET /metrics', () => {
  it('is 404 when METRICS is off (the default)', async () => {
    const t = await startTestApp();
    try {
      const res = await request(t.app).get('/metrics').expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  it('is served without a token when none is set', async () => {
    const t = await startTestApp({ METRICS: 'on' });
    try {
      const res = await request(t.app).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    } finally {
      await t.close();
    }
  });

  describe('with METRICS=on and a token', () => {
    const TOKEN = 'metrics-token-0123456789abcdef';
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ METRICS: 'on', METRICS_TOKEN: TOKEN });
    });
    afterAll(async () => {
      await t.close();
    });
    const scrape = async () =>
      (await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;

    it('is 401 without the token or with another', async () => {
      const none = await request(t.app).get('/metrics').expect(401);
      expect(none.body.code).toBe('UNAUTHENTICATED');
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      const wrong = await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
      expect(wrong.body.code).toBe('INVALID_TOKEN');
      await request(t.app).get('/metrics').set('Authorization', `Token ${TOKEN}`).expect(401);
    });

    it('times requests by route template and status, never by raw path', async () => {
      const owner = await createUser(t, 'beta_player');
      const gallery = await createGallery(t, owner);
      const image = await createImage(t, owner, gallery.id);
      await request(t.app).get(`/api/gallery/images/${image.id}`).set(owner.auth).expect(200);
      await request(t.app).get('/api/gallery/images/999999').set(owner.auth).expect(404);
      await request(t.app).get(`/no/such/${randomUUID()}`).expect(404);
      const text = await scrape();
      const counts = samples(text, 'http_request_duration_seconds_count');
      expect(counts).toContainEqual(
        expect.stringMatching(
          /^http_request_duration_seconds_count\{method="GET",route="\/api\/gallery\/images\/:id",status="200"\} [1-9]/,
        ),
      );
      expect(counts).toContainEqual(
        expect.stringMatching(
          /^http_request_duration_seconds_count\{method="GET",route="\/api\/gallery\/images\/:id",status="404"\} [1-9]/,
        ),
      );
      expect(counts).toContainEqual(expect.stringMatching(/route="unmatched",status="404"/));
      expect(text).not.toContain(`/api/gallery/images/${image.id}"`);
      // Not the raw path in any label (a sample value may well contain the digits).
      expect(text).not.toContain('/999999');
      expect(text).not.toContain('/no/such/');
    });

    it('counts uploads and their bytes by outcome, and storage failures', async () => {
      const owner = await createUser(t, 'beta_player');
      const gallery = await createGallery(t, owner);
      const bytes = await pngBytes(6, 5);
      const before = await scrape();
      const created = await upload(t, owner, { gallery: gallery.id }, { bytes }).expect(201);
      await upload(t, owner, { gallery: gallery.id }, { bytes }).expect(200);
      await upload(t, owner, { gallery: gallery.id }, { bytes: Buffer.from('not an image at all') }).expect(415);
      const after = await scrape();
      const added = (sample: string) => valueOf(after, sample) - valueOf(before, sample);
      expect(added('gallery_uploads_total{outcome="created"}')).toBe(1);
      expect(added('gallery_uploads_total{outcome="duplicate"}')).toBe(1);
      expect(added('gallery_uploads_total{outcome="refused"}')).toBe(1);
      expect(added('gallery_upload_bytes_total{outcome="created"}')).toBe(bytes.length);
      expect(added('gallery_upload_bytes_total{outcome="duplicate"}')).toBe(bytes.length);
      expect(after).toContain('# TYPE gallery_variant_duration_seconds histogram');

      // The stored original removed behind the server's back: reading it is a storage failure.
      const row = await t.db.image.findUniqueOrThrow({ where: { id: created.body.id as number } });
      rmSync(join(t.uploadDir, 'images', row.storageKey.slice(0, 2), row.storageKey));
      await request(t.app).get(`/api/gallery/images/${row.id}/file?size=original`).set(owner.auth).expect(404);
      expect(samples(await scrape(), 'gallery_storage_errors_total')).toContain(
        'gallery_storage_errors_total{failure="not-found"} 1',
      );
    });

    it('shows the PostgreSQL connection pool (in use, waiting), and no pool on SQLite', async () => {
      const text = await scrape();
      const pool = ['gallery_db_pool_connections', 'gallery_db_pool_connections_in_use', 'gallery_db_pool_waiting'];
      for (const name of pool) {
        const lines = samples(text, name);
        if (testDbKind() === 'postgres') expect(lines).toEqual([expect.stringMatching(new RegExp(`^${name} \\d+$`))]);
        else expect(lines).toEqual([]);
      }
      if (testDbKind() === 'postgres')
        expect(Number(samples(text, 'gallery_db_pool_connections')[0].split(' ')[1])).toBeGreaterThan(0);
    });
  });
});

describe('the settings', () => {
  const base = { DATABASE_URL: 'file:./x.db' };
  it('default to metrics off and a 30 s shutdown', () => {
    expect(loadConfig(base)).toEqual(
      expect.objectContaining({ metrics: { enabled: false, token: undefined }, shutdownTimeoutMs: 30_000 }),
    );
  });

  it('refuse a short metrics token, a token without METRICS=on, and a bad METRICS or SHUTDOWN_TIMEOUT_MS', () => {
    expect(() => loadConfig({ ...base, METRICS: 'on', METRICS_TOKEN: 'short' })).toThrow(
      /METRICS_TOKEN: at least 16 characters/,
    );
    expect(() => loadConfig({ ...base, METRICS_TOKEN: 'long-enough-token-123' })).toThrow(
      /METRICS_TOKEN: set, but METRICS is off/,
    );
    expect(() => loadConfig({ ...base, METRICS: 'yes' })).toThrow(/METRICS:/);
    expect(() => loadConfig({ ...base, SHUTDOWN_TIMEOUT_MS: '-1' })).toThrow(/SHUTDOWN_TIMEOUT_MS:/);
    expect(loadConfig({ ...base, LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
  });
});
