import request from 'supertest';

import { startTestApp, type TestApp } from '../helpers/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Headers whose values change from request to request. */
const VARYING = new Set([
  'date',
  'content-length',
  'connection',
  'keep-alive',
  'ratelimit-remaining',
  'ratelimit-reset',
  'x-request-id',
]);

describe('security headers', () => {
  it('sends exactly this set of headers with a JSON reply', async () => {
    const res = await request(t.app).get('/health').expect(200);
    const headers = Object.fromEntries(Object.entries(res.headers).filter(([name]) => !VARYING.has(name)));
    expect(headers).toEqual({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'content-type': 'application/json; charset=utf-8',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'ratelimit-limit': '100000',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    });
  });

  it('lets the docs page run only its own scripts', async () => {
    const res = await request(t.app).get('/api/docs').expect(200);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(res.headers['content-security-policy']).not.toContain('unsafe-eval');
  });
});

describe('CORS', () => {
  it('is off by default: no Access-Control headers for any origin', async () => {
    const res = await request(t.app).get('/health').set('Origin', 'https://evil.example').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(t.app)
      .options('/api/auth/me')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows only the configured origins', async () => {
    const other = await startTestApp({ CORS_ORIGINS: 'https://app.example.com, https://admin.example.com/' });
    try {
      const ok = await request(other.app)
        .options('/api/auth/me')
        .set('Origin', 'https://admin.example.com')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'Authorization');
      expect(ok.status).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://admin.example.com');
      expect(ok.headers['access-control-allow-headers']).toContain('Authorization');
      const get = await request(other.app).get('/health').set('Origin', 'https://app.example.com').expect(200);
      expect(get.headers['access-control-expose-headers']).toContain('Link');
      const denied = await request(other.app).get('/health').set('Origin', 'https://evil.example').expect(200);
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});

describe('rate limits', () => {
  it('count requests per token and per address, with RateLimit headers and 429 past the limit', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const first = await request(limited.app).get('/health').expect(200);
      expect(first.headers['ratelimit-limit']).toBe('3');
      expect(first.headers['ratelimit-remaining']).toBe('2');
      expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
      await request(limited.app).get('/health').expect(200);
      await request(limited.app).get('/health').expect(200);
      const over = await request(limited.app).get('/health').expect(429);
      expect(over.body.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('count an IPv6 /64 network as one address, also 120 requests at once from 120 of its addresses', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '50', TRUST_PROXY: 'true' });
    try {
      const from = (address: string) => request(limited.app).get('/health').set('X-Forwarded-For', address);
      const replies = await Promise.all(Array.from({ length: 120 }, (_, n) => from(`2001:db8:7:8::${n.toString(16)}`)));
      expect(replies.filter((reply) => reply.status === 200)).toHaveLength(50);
      expect(replies.filter((reply) => reply.status === 429)).toHaveLength(70);
      await from('2001:db8:7:8:ffff::1').expect(429);
      await from('2001:db8:7:9::1').expect(200);
      await from('198.51.100.9').expect(200);
    } finally {
      await limited.close();
    }
  });
});

describe('logs', () => {
  it('never contain a password or a token', async () => {
    const logged = await startTestApp({ LOG_LEVEL: 'info' });
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const body = {
        username: 'logcheck',
        email: 'logcheck@example.test',
        password: 'Secret-Log-Pass-1',
        password2: 'Secret-Log-Pass-1',
      };
      await request(logged.app).post('/api/auth/register').send(body).expect(201);
      const login = await request(logged.app)
        .post('/api/auth/login')
        .send({ username: 'logcheck', password: 'Secret-Log-Pass-1' })
        .expect(200);
      await request(logged.app)
        .post('/api/auth/login')
        .send({ username: 'logcheck', password: 'Wrong-Log-Pass-2' })
        .expect(401);
      await request(logged.app)
        .get(`/api/auth/me?token=${login.body.token}`)
        .set('Authorization', `Token ${login.body.token}`)
        .expect(200);
      await request(logged.app).post('/api/auth/token').send({ token: login.body.token }).expect(200);
      const text = lines.join('');
      expect(text).toContain('"path":"/api/auth/login"');
      expect(text).not.toContain('Secret-Log-Pass-1');
      expect(text).not.toContain('Wrong-Log-Pass-2');
      expect(text).not.toContain(login.body.token);
    } finally {
      out.mockRestore();
      err.mockRestore();
      await logged.close();
    }
  });
});
