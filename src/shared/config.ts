import { z } from 'zod';

const MB = 1024 * 1024;

/**
 * Places in the upload and delete paths where a test can make the server process die at once
 * (SIGKILL), to prove that a crash there loses nothing and leaves nothing behind. Refused in
 * production.
 */
export const FAULT_POINTS = ['upload-staged', 'upload-committed', 'upload-stored', 'delete-marked', 'gallery-delete-marked'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, 'must start with file: (SQLite) or postgresql:// (PostgreSQL)')
    .default('file:./data/gallery.db'),
  UPLOAD_DIR: z.string().min(1).default('./uploads'),
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(1024 * MB).default(25 * MB),
  STORAGE_QUOTA_MB: z.coerce.number().int().min(1).max(100_000_000).default(1024),
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(1).max(1_000_000_000).default(50_000_000),
  JSON_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * MB).default(100 * 1024),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  TOKEN_IDLE_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
  TRUST_PROXY: booleanFromEnv.default(false),
  CORS_ORIGINS: z
    .string()
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((origin) => origin.replace(/\/+$/, ''))))
    .default([]),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info']).default('info'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(1).max(100000).default(20),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  LOGIN_LOCK_SECONDS: z.coerce.number().int().min(1).max(24 * 3600).default(60),
  VALIDATE_RESPONSES: booleanFromEnv.default(false),
  ORIGINALS_VISIBLE_TO: z.enum(['owners', 'everyone']).default('owners'),
  RECONCILE_ON_START: z.enum(['off', 'report', 'repair']).default('report'),
  UPLOAD_TEMP_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(7 * 24 * 3600).default(3600),
  FAULT_POINT: z.enum(FAULT_POINTS).optional(),
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5000),
});

export type Config = {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string;
  uploadDir: string;
  maxUploadBytes: number;
  jsonBodyLimitBytes: number;
  /** Largest image accepted, in pixels (width × height). */
  maxImagePixels: number;
  /** Default storage per user for uploads, in bytes; an admin can set another per user. */
  storageQuotaBytes: number;
  bcryptCost: number;
  tokenTtlMs: number;
  /** A token unused for this long is refused, whatever its expiry. */
  tokenIdleMs: number;
  publicUrl?: string;
  trustProxy: boolean;
  /** Requests per minute per token (or per address when anonymous). */
  rateLimitPerMinute: number;
  /** Failed-login throttling per account and per address. */
  loginThrottle: { maxFailures: number; addressMaxFailures: number; windowMs: number; lockMs: number; maxLockMs: number };
  /** Browser origins allowed to call the API (CORS); empty: none. */
  corsOrigins: string[];
  logLevel: 'silent' | 'error' | 'warn' | 'info';
  /** Check every JSON reply against its documented schema (tests turn this on). */
  validateResponses: boolean;
  /** Who may fetch an image's original file (with its EXIF): its uploader, gallery owner and admins, or every viewer. */
  originalsVisibleTo: 'owners' | 'everyone';
  /** What the storage check does when the server starts. */
  reconcileOnStart: 'off' | 'report' | 'repair';
  /** Temp files older than this are left over from a crash or an abort and are removed. */
  uploadTempMaxAgeMs: number;
  faultPoint?: FaultPoint;
  /** How long a write waits for a database lock before the request gets 503. */
  databaseLockTimeoutMs: number;
};

/** Parses the environment once; throws an Error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.BCRYPT_COST < 10) {
    throw new Error('Invalid configuration:\n  BCRYPT_COST: at least 10 in production');
  }
  if (e.NODE_ENV === 'production' && e.FAULT_POINT) {
    throw new Error('Invalid configuration:\n  FAULT_POINT: only for tests, never in production');
  }
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    uploadDir: e.UPLOAD_DIR,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    jsonBodyLimitBytes: e.JSON_BODY_LIMIT_BYTES,
    maxImagePixels: e.MAX_IMAGE_PIXELS,
    storageQuotaBytes: e.STORAGE_QUOTA_MB * 1024 * 1024,
    bcryptCost: e.BCRYPT_COST,
    tokenTtlMs: e.TOKEN_TTL_DAYS * 24 * 60 * 60 * 1000,
    tokenIdleMs: e.TOKEN_IDLE_DAYS * 24 * 60 * 60 * 1000,
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    loginThrottle: {
      maxFailures: e.LOGIN_MAX_FAILURES,
      addressMaxFailures: e.LOGIN_ADDRESS_MAX_FAILURES,
      windowMs: e.LOGIN_WINDOW_MINUTES * 60_000,
      lockMs: e.LOGIN_LOCK_SECONDS * 1000,
      maxLockMs: 60 * 60_000,
    },
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    validateResponses: e.VALIDATE_RESPONSES,
    originalsVisibleTo: e.ORIGINALS_VISIBLE_TO,
    reconcileOnStart: e.RECONCILE_ON_START,
    uploadTempMaxAgeMs: e.UPLOAD_TEMP_MAX_AGE_SECONDS * 1000,
    faultPoint: e.FAULT_POINT,
    databaseLockTimeoutMs: e.DATABASE_LOCK_TIMEOUT_MS,
  };
}
