// Issue 18, items 5 to 8: each test is the probe that found the defect, sent as an attacker would.
import type { Server } from 'node:http';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';

import { createLogger } from '../../src/shared/logger';
import {
  createCast,
  createGallery,
  createImage,
  createUser,
  pngBytes,
  upload,
  type TestUser,
} from '../helpers/factories';
import { prepareWorld, startServer, stopAllServers } from '../helpers/server-process';
import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
let owner: TestUser;
let otherPlayer: TestUser;
let admin: TestUser;
let galleryId: number;
let imageId: number;

beforeAll(async () => {
  // Wrong keys count against the address: enough room for every 404 this file asks for.
  t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: '1000' });
  ({ owner, otherPlayer, admin } = await createCast(t));
  galleryId = (await createGallery(t, owner)).id;
  imageId = (await createImage(t, owner, galleryId)).id;
});
afterAll(async () => {
  await t.close();
});

type Link = { id: number; key: string; thumbnail?: string };

async function newLink(by: TestUser, gallery = galleryId, body: Record<string, unknown> = {}): Promise<Link> {
  const res = await request(t.app).post(`/api/gallery/galleries/${gallery}/links/`).set(by.auth).send(body).expect(201);
  return res.body as Link;
}

const sharePage = (key: string) => request(t.app).get(`/api/share/${key}/`);

describe('5. the ETag of a file does not reveal the SHA-256 of the original', () => {
  it("a link without originals shows neither the hash nor a part of it, in the thumbnail's ETag or URL", async () => {
    const row = await t.db.image.findUniqueOrThrow({ where: { id: imageId } });
    const link = await newLink(owner);
    const pageReply = await sharePage(link.key).expect(200);
    const thumbnail = new URL((pageReply.body.images as { thumbnail: string }[])[0].thumbnail);
    const thumb = await request(t.app)
      .get(thumbnail.pathname + thumbnail.search)
      .expect(200);
    for (const part of [row.sha256, row.sha256.slice(0, 16)]) {
      expect(thumb.headers.etag).not.toContain(part);
      expect(thumbnail.search).not.toContain(part);
      expect(JSON.stringify(pageReply.body)).not.toContain(part);
    }
    expect(thumb.headers.etag).toMatch(/^"[A-Za-z0-9_-]{16,}"$/);
    expect(thumb.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
  });

  it('the API gives the same kind of tag, one per file and variant, and a new one when the file is replaced', async () => {
    const own = await createImage(t, owner, galleryId);
    const row = await t.db.image.findUniqueOrThrow({ where: { id: own.id } });
    const file = (size: string) =>
      request(t.app).get(`/api/gallery/images/${own.id}/file/?size=${size}`).set(owner.auth);
    const [original, preview, thumb] = await Promise.all([
      file('original').expect(200),
      file('preview').expect(200),
      file('thumb').expect(200),
    ]);
    const tags = [original, preview, thumb].map((res) => res.headers.etag);
    expect(new Set(tags).size).toBe(3);
    for (const tag of tags) expect(tag).not.toContain(row.sha256.slice(0, 16));
    await request(t.app)
      .put(`/api/gallery/images/${own.id}/`)
      .set(owner.auth)
      .attach('image', await pngBytes(5, 5), 'new.png')
      .expect(200);
    const replaced = await file('original').expect(200);
    expect(replaced.headers.etag).not.toBe(original.headers.etag);
    await file('original').set('If-None-Match', original.headers.etag).expect(200);
  });

  it('keeps 304 for a current tag, and honours If-Range: a range only while the tag still matches', async () => {
    const link = await newLink(owner);
    const path = `/api/share/${link.key}/images/${imageId}/file?size=thumb`;
    const whole = await request(t.app).get(path).buffer(true).expect(200);
    const etag = whole.headers.etag;
    await request(t.app).get(path).set('If-None-Match', etag).expect(304);
    const part = await request(t.app)
      .get(path)
      .set('Range', 'bytes=0-3')
      .set('If-Range', etag)
      .buffer(true)
      .expect(206);
    expect(Buffer.compare(part.body as Buffer, (whole.body as Buffer).subarray(0, 4))).toBe(0);
    const stale = await request(t.app)
      .get(path)
      .set('Range', 'bytes=0-3')
      .set('If-Range', '"an-older-file"')
      .buffer(true)
      .expect(200);
    expect(Buffer.compare(stale.body as Buffer, whole.body as Buffer)).toBe(0);
    await request(t.app)
      .get(`/api/gallery/images/${imageId}/file/?size=thumb`)
      .set(owner.auth)
      .set('Range', 'bytes=0-3')
      .set('If-Range', etag)
      .expect(206);
  });
});

describe('6. share links end with what docs/share-links.md says ends them, for good', () => {
  it("a transfer ends the old owner's links at once, and they stay ended when the gallery comes back; an admin's link goes on", async () => {
    const gallery = await createGallery(t, owner);
    const ownersLink = await newLink(owner, gallery.id);
    const adminsLink = await newLink(admin, gallery.id);
    await sharePage(ownersLink.key).expect(200);
    const transfer = (to: TestUser) =>
      request(t.app)
        .put(`/api/gallery/galleries/${gallery.id}/owner`)
        .set(admin.auth)
        .send({ username: to.username })
        .expect(200);

    await transfer(otherPlayer);
    await sharePage(ownersLink.key).expect(404);
    await request(t.app).get(`/api/share/${ownersLink.key}/images/${imageId}/file?size=thumb`).expect(404);
    await sharePage(adminsLink.key).expect(200);
    expect((await t.db.shareLink.findUniqueOrThrow({ where: { id: ownersLink.id } })).revokedAt).not.toBeNull();
    const events = await t.db.auditEvent.findMany({ where: { action: 'gallery.link.revoke', targetId: gallery.id } });
    expect(events.map((event) => event.detail)).toEqual([
      expect.stringMatching(new RegExp(`^link ${ownersLink.id} .*transfer`)),
    ]);
    expect(events[0]).toMatchObject({ actorId: admin.id, outcome: 'ok' });

    await transfer(owner);
    await sharePage(ownersLink.key).expect(404);
    const list = await request(t.app).get(`/api/gallery/galleries/${gallery.id}/links/`).set(owner.auth).expect(200);
    expect(list.body.map((link: { id: number; state: string }) => [link.id, link.state])).toEqual([
      [adminsLink.id, 'active'],
      [ownersLink.id, 'revoked'],
    ]);
  });

  it("a deactivation ends the user's links, and a reactivation does not bring them back", async () => {
    const maker = await createUser(t, 'beta_player');
    const own = await createGallery(t, maker);
    const [onOwn, onOwnToo] = [await newLink(maker, own.id), await newLink(maker, own.id, { maxViews: 5 })];
    const user = (body: Record<string, unknown>) =>
      request(t.app).patch(`/api/admin/users/${maker.id}`).set(admin.auth).send(body).expect(200);

    await user({ isActive: false });
    await user({ isActive: true });
    for (const link of [onOwn, onOwnToo]) await sharePage(link.key).expect(404);
    expect(await t.db.shareLink.count({ where: { createdById: maker.id, revokedAt: null } })).toBe(0);
    const events = await t.db.auditEvent.findMany({ where: { action: 'gallery.link.revoke', targetId: own.id } });
    expect(events).toHaveLength(2);
    expect(events.every((event) => event.actorId === admin.id && /deactivat/.test(event.detail ?? ''))).toBe(true);
  });
});

/** Every line the app's logger writes, raw. */
function logSink() {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('7. malformed input is a 400, and nothing of the URL is logged', () => {
  let logged: TestApp;
  let sink: ReturnType<typeof logSink>;
  let user: TestUser;
  beforeAll(async () => {
    sink = logSink();
    logged = await startTestApp({}, { wrap: (deps) => ({ ...deps, logger: createLogger('debug', sink) }) });
    user = await createUser(logged, 'beta_player');
  });
  afterAll(async () => {
    await logged.close();
  });

  it('answers a path that does not percent-decode with 400 and the error shape, and logs neither the key nor the path', async () => {
    const key = `share_${'K'.repeat(32)}`;
    for (const [path, auth] of [
      [`/api/share/${key}%ZZ/`, {}],
      [`/api/share/${key}%ZZ/images/1/file`, {}],
      ['/api/gallery/galleries/%E0%A4%A/', user.auth],
    ] as const) {
      const res = await request(logged.app).get(path).set(auth).expect(400);
      expect(res.body).toEqual({ message: expect.stringMatching(/percent/i), code: 'VALIDATION_FAILED' });
    }
    const text = sink.lines.join('\n');
    expect(text).not.toContain(key);
    expect(text).not.toMatch(/%ZZ|%E0|URIError|Failed to decode/);
    expect(text).not.toContain('request failed');
  });

  it('answers a body that is not what its Content-Encoding says with 400, and other unreadable bodies with their 4xx', async () => {
    const json = JSON.stringify({ name: 'Encoded' });
    // The bytes as given: supertest would send the JSON of a Buffer with this Content-Type.
    const post = () =>
      request(logged.app)
        .post('/api/gallery/galleries')
        .set(user.auth)
        .set('Content-Type', 'application/json')
        .serialize((body: string) => body);
    const cases: [string, () => request.Test, number, string][] = [
      ['gzip that is not gzip', () => post().set('Content-Encoding', 'gzip').send(json), 400, 'VALIDATION_FAILED'],
      [
        'gzip cut short',
        () => post().set('Content-Encoding', 'gzip').send(gzipSync(json).subarray(0, 12)),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'deflate that is not deflate',
        () => post().set('Content-Encoding', 'deflate').send(json),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'br that is not brotli',
        () =>
          post()
            .set('Content-Encoding', 'br')
            .send(Buffer.from([0xff, 0xff, 0xff, 0xff])),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'an unknown encoding',
        () => post().set('Content-Encoding', 'x-unknown').send(json),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'an unknown charset',
        () => post().set('Content-Type', 'application/json; charset=x-klingon').send(json),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    ];
    for (const [what, send, status, code] of cases) {
      const res = await send();
      expect([what, res.status, res.body.code]).toEqual([what, status, code]);
      expect(typeof res.body.message).toBe('string');
    }
    await post().set('Content-Encoding', 'gzip').send(gzipSync(json)).expect(201);
    expect(sink.lines.join('\n')).not.toContain('request failed');
  });
});

describe('8a. per-user JSON is private and revalidated', () => {
  it('carries Cache-Control: private, no-cache and Vary on Authorization and Cookie, and still answers 304', async () => {
    const path = `/api/gallery/galleries/${galleryId}/`;
    // A gallery's cover links carry the Host; supertest's changes with every request.
    const first = await request(t.app).get(path).set(owner.auth).set('Host', 'gallery.test').expect(200);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers.vary).toMatch(/Authorization/);
    expect(first.headers.vary).toMatch(/Cookie/);
    const again = await request(t.app)
      .get(path)
      .set(owner.auth)
      .set('Host', 'gallery.test')
      .set('If-None-Match', first.headers.etag)
      .expect(304);
    expect(again.headers['cache-control']).toBe('private, no-cache');
    for (const list of ['/api/gallery/galleries/', '/api/auth/me', '/api/auth/tokens']) {
      expect((await request(t.app).get(list).set(owner.auth).expect(200)).headers['cache-control']).toBe(
        'private, no-cache',
      );
    }
  });

  it('leaves the replies that say their own: share links no-store, the browser sign-in no-store, versioned files immutable', async () => {
    const link = await newLink(owner);
    expect((await sharePage(link.key).expect(200)).headers['cache-control']).toBe('private, no-store');
    const session = await request(t.app)
      .post('/api/auth/session')
      .send({ username: otherPlayer.username, password: otherPlayer.password })
      .expect(200);
    expect(session.headers['cache-control']).toBe('no-store');
    const image = await request(t.app).get(`/api/gallery/images/${imageId}/`).set(owner.auth).expect(200);
    const url = new URL(image.body.image as string);
    expect(
      (
        await request(t.app)
          .get(url.pathname + url.search)
          .set(owner.auth)
          .expect(200)
      ).headers['cache-control'],
    ).toBe('private, max-age=31536000, immutable');
  });
});

describe("8b. signing out of the browser's session clears its cache", () => {
  const cookieOf = (res: request.Response) =>
    String((res.headers['set-cookie'] as unknown as string[])[0]).split(';')[0];
  const signIn = async (user: TestUser) =>
    cookieOf(
      await request(t.app)
        .post('/api/auth/session')
        .send({ username: user.username, password: user.password })
        .expect(200),
    );

  it('sends Clear-Site-Data: "cache" on DELETE /api/auth/session and on a logout by the cookie, not on a token logout', async () => {
    const user = await createUser(t, 'subscriber');
    const bySession = await request(t.app)
      .delete('/api/auth/session')
      .set('Cookie', await signIn(user))
      .set('X-Gallery-CSRF', '1')
      .expect(200);
    expect(bySession.headers['clear-site-data']).toBe('"cache"');
    const byLogout = await request(t.app)
      .post('/api/auth/logout')
      .set('Cookie', await signIn(user))
      .set('X-Gallery-CSRF', '1')
      .expect(200);
    expect(byLogout.headers['clear-site-data']).toBe('"cache"');
    const byToken = await request(t.app).post('/api/auth/logout').set(user.auth).expect(200);
    expect(byToken.headers['clear-site-data']).toBeUndefined();
  });
});

describe('8c. minting tokens does not multiply the rate limit', () => {
  it.each(['memory', 'database'])(
    'holds a per-user limit over 150 parallel requests spread on 5 tokens (%s store)',
    async (store) => {
      // The database counts in windows aligned on the minute: start well inside one.
      const leftOfMinute = 60_000 - (Date.now() % 60_000);
      if (leftOfMinute < 10_000) await new Promise((done) => setTimeout(done, leftOfMinute));
      const limited = await startTestApp({
        RATE_LIMIT_PER_MINUTE: '1000',
        RATE_LIMIT_PER_USER_PER_MINUTE: '100',
        RATE_LIMIT_STORE: store,
      });
      const server: Server = limited.app.listen(0, '127.0.0.1');
      try {
        const [user, bystander] = await Promise.all([
          createUser(limited, 'beta_player'),
          createUser(limited, 'beta_player'),
        ]);
        const tokens: string[] = [];
        for (let i = 0; i < 5; i++) {
          const res = await request(server)
            .post('/api/auth/tokens')
            .set(user.auth)
            .send({ name: `script ${i}`, scope: 'read' })
            .expect(201);
          tokens.push(res.body.token as string);
        }
        // 5 requests of the user so far; 150 more, 30 per token: each token far below its own limit.
        const replies = await Promise.all(
          Array.from({ length: 150 }, (_, i) =>
            request(server)
              .get('/api/auth/me')
              .set('Authorization', `Token ${tokens[i % 5]}`),
          ),
        );
        const statuses = replies.map((res) => res.status);
        expect(statuses.filter((status) => status === 200)).toHaveLength(95);
        expect(statuses.filter((status) => status === 429)).toHaveLength(55);
        const refused = replies.find((res) => res.status === 429)!;
        expect(refused.body).toMatchObject({
          code: 'TOO_MANY_REQUESTS',
          message: expect.stringMatching(/100 requests.*user/),
        });
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect(refused.headers['ratelimit-limit']).toBe('100');
        expect(refused.headers['ratelimit-remaining']).toBe('0');
        // Another account is not touched by it.
        await request(server).get('/api/auth/me').set(bystander.auth).expect(200);
      } finally {
        server.close();
        await limited.close();
      }
    },
  );
});

describe('8d. PUBLIC_URL in production', () => {
  afterEach(async () => {
    await stopAllServers();
  });

  it('is asked for at start when it is unset, and not when it is set', async () => {
    const world = await prepareWorld();
    try {
      const production = { ...world.env, NODE_ENV: 'production', BCRYPT_COST: '10' };
      // Written before the server listens, so it is there once startServer resolves.
      const warnings = (logs: string[]) =>
        logs.filter((line) => line.includes('PUBLIC_URL')).map((line) => JSON.parse(line) as Record<string, unknown>);
      const unset = await startServer(production);
      expect(warnings(unset.logs)).toEqual([
        expect.objectContaining({ level: 'warn', message: expect.stringMatching(/PUBLIC_URL is not set.*Host/) }),
      ]);
      await unset.stop();
      const set = await startServer({ ...production, PUBLIC_URL: 'https://gallery.example.com' });
      expect(warnings(set.logs)).toEqual([]);
      await set.stop();
    } finally {
      await world.close();
    }
  });
});

/** A PNG of one IHDR claiming `width`×`height` grey pixels and a few bytes of IDAT: small on the wire, huge decoded. */
function claimedPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // 8 bits per sample, greyscale, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('8e. an image past MAX_IMAGE_PIXELS', () => {
  it('is 413 naming the limit, for a 10-gigapixel PNG of a few bytes', async () => {
    const bytes = claimedPng(100_000, 100_000);
    expect(bytes.length).toBeLessThan(200);
    const res = await upload(t, owner, { gallery: galleryId, title: 'Bomb' }, { bytes, filename: 'bomb.png' });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringMatching(/100000×100000.*50000000/) });
  });
});

describe('8f. ids are decimal digits', () => {
  it('answers 0x1, 1.0, 1e0, +1 and " 1" in a path exactly as it answers abc', async () => {
    const get = (id: string) =>
      request(t.app)
        .get(`/api/gallery/galleries/${encodeURIComponent(id)}/`)
        .set(owner.auth);
    const notAnId = await get('abc').expect(404);
    for (const id of ['0x1', '1.0', '1e0', '+1', ' 1', '0b1', '99999999999']) {
      const res = await get(id);
      expect([id, res.status, res.body]).toEqual([id, 404, notAnId.body]);
    }
    await get(String(galleryId)).expect(200);
  });

  it('answers them in a query or a body exactly as it answers abc', async () => {
    const asked = async (send: (id: string) => request.Test) => {
      const notAnId = await send('abc');
      for (const id of ['0x1', '1.0', '1e0', '+1']) {
        const res = await send(id);
        expect([id, res.status, res.body.code]).toEqual([id, notAnId.status, notAnId.body.code]);
        expect(res.status).toBe(400);
      }
    };
    await asked((id) =>
      request(t.app)
        .get(`/api/gallery/galleries/?owner=${encodeURIComponent(id)}`)
        .set(owner.auth),
    );
    await asked((id) =>
      request(t.app)
        .get(`/api/gallery/images/?gallery=${encodeURIComponent(id)}`)
        .set(owner.auth),
    );
    await asked((id) => request(t.app).patch(`/api/gallery/images/${imageId}/`).set(owner.auth).send({ gallery: id }));
    const png = await pngBytes();
    await asked((id) => upload(t, owner, { gallery: id }, { bytes: png }));
  });
});

describe('8g. bidi controls', () => {
  const RLO = '\u202e';

  it.each([
    [
      'a gallery name',
      () =>
        request(t.app)
          .post('/api/gallery/galleries')
          .set(owner.auth)
          .send({ name: `photo${RLO}gpj.exe` }),
    ],
    [
      'an image title',
      () => request(t.app).patch(`/api/gallery/images/${imageId}/`).set(owner.auth).send({ title: `x\u2066y\u2069` }),
    ],
    ['a token name', () => request(t.app).post('/api/auth/tokens').set(owner.auth).send({ name: `ci\u202a` })],
  ])('are refused in %s with 400 and a clear message', async (_what, send) => {
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/bidirectional/i) });
  });

  it('are refused in an upload title before the file is stored', async () => {
    const res = await upload(t, owner, { gallery: galleryId, title: `cat${RLO}gnp.exe` }, { bytes: await pngBytes() });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/bidirectional/i);
  });

  it('are taken out of a download name, with every other control character, for titles stored before', async () => {
    const own = await createImage(t, owner, galleryId);
    await t.db.image.update({ where: { id: own.id }, data: { title: `invoice${RLO}fdp\u2067.x\u200f\u0085` } });
    const res = await request(t.app).get(`/api/gallery/images/${own.id}/file/?size=thumb`).set(owner.auth).expect(200);
    expect(res.headers['content-disposition']).toBe('inline; filename="invoicefdp.x (thumb).webp"');
  });
});
