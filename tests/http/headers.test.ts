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
const VARYING = new Set(['date', 'content-length', 'connection', 'keep-alive']);

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
    const preflight = await request(t.app).options('/api/auth/me').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
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
