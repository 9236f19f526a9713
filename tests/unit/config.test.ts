import { loadConfig } from '../../src/shared/config';

describe('configuration', () => {
  it('has a default for everything, serving SQLite on port 8000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      databaseUrl: 'file:./data/gallery.db',
      uploadDir: './uploads',
      maxUploadBytes: 25 * 1024 * 1024,
      bcryptCost: 12,
      tokenTtlMs: 30 * 24 * 60 * 60 * 1000,
      trustProxy: false,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PUBLIC_URL: '', PORT: '' }).port).toBe(8000);
  });

  it('reads and converts every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgresql://u:p@localhost:5432/db',
      MAX_UPLOAD_BYTES: '1048576',
      BCRYPT_COST: '10',
      TOKEN_TTL_DAYS: '7',
      PUBLIC_URL: 'https://gallery.example.com/',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'error',
    });
    expect(config).toMatchObject({
      port: 9000,
      databaseUrl: 'postgresql://u:p@localhost:5432/db',
      maxUploadBytes: 1048576,
      bcryptCost: 10,
      tokenTtlMs: 7 * 24 * 60 * 60 * 1000,
      publicUrl: 'https://gallery.example.com',
      trustProxy: true,
      logLevel: 'error',
    });
  });

  it('reads CORS origins as a list, and refuses anything that is not an origin', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:3000/' }).corsOrigins).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(() => loadConfig({ CORS_ORIGINS: 'not a url' })).toThrow(/CORS_ORIGINS/);
  });

  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', BCRYPT_COST: '99' })).toThrow(
      /PORT[\s\S]*DATABASE_URL[\s\S]*BCRYPT_COST/,
    );
  });
});

describe('bcrypt cost floor', () => {
  it('refuses a cost under 10 in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', BCRYPT_COST: '4' })).toThrow(/BCRYPT_COST/);
    expect(loadConfig({ NODE_ENV: 'production', BCRYPT_COST: '10' }).bcryptCost).toBe(10);
  });
});

describe('image pipeline settings', () => {
  it('reads who sees originals, the start-up check, temp age and lock timeout, and refuses a fault point in production', () => {
    const config = loadConfig({
      ORIGINALS_VISIBLE_TO: 'everyone',
      RECONCILE_ON_START: 'repair',
      UPLOAD_TEMP_MAX_AGE_SECONDS: '60',
      DATABASE_LOCK_TIMEOUT_MS: '250',
    });
    expect(config).toMatchObject({
      originalsVisibleTo: 'everyone',
      reconcileOnStart: 'repair',
      uploadTempMaxAgeMs: 60_000,
      databaseLockTimeoutMs: 250,
    });
    expect(loadConfig({}).originalsVisibleTo).toBe('owners');
    expect(() => loadConfig({ ORIGINALS_VISIBLE_TO: 'some' })).toThrow(/ORIGINALS_VISIBLE_TO/);
    expect(loadConfig({ NODE_ENV: 'test', FAULT_POINT: 'upload-staged' }).faultPoint).toBe('upload-staged');
    expect(() => loadConfig({ NODE_ENV: 'production', BCRYPT_COST: '12', FAULT_POINT: 'upload-staged' })).toThrow(
      /FAULT_POINT/,
    );
    expect(() => loadConfig({ FAULT_POINT: 'anywhere' })).toThrow(/FAULT_POINT/);
  });
});

describe('rate limit store', () => {
  it('counts in memory by default, in the database when asked, and refuses anything else', () => {
    expect(loadConfig({}).rateLimitStore).toBe('memory');
    expect(loadConfig({ RATE_LIMIT_STORE: 'database' }).rateLimitStore).toBe('database');
    expect(() => loadConfig({ RATE_LIMIT_STORE: 'redis' })).toThrow(/RATE_LIMIT_STORE/);
  });
});
