import { z } from 'zod';

import { ACCOUNTS_ENV, accountsChecks, accountsConfigOf, type AccountsConfig } from './accounts-config';
import { FAULT_POINTS, type FaultPoint } from './fault-points';
import { OIDC_ENV, oidcChecks, oidcConfigOf, type OidcConfig } from './oidc-config';
import { ZIP_ENV, zipConfigOf, type ZipConfig } from './zip-config';

const MB = 1024 * 1024;

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
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * MB)
    .default(25 * MB),
  MAX_FILES_PER_REQUEST: z.coerce.number().int().min(1).max(1000).default(50),
  STORAGE_QUOTA_MB: z.coerce.number().int().min(1).max(100_000_000).default(1024),
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(1).max(1_000_000_000).default(50_000_000),
  JSON_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(10 * MB)
    .default(100 * 1024),
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
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((origin) => origin.replace(/\/+$/, ''))))
    .default([]),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  RATE_LIMIT_PER_USER_PER_MINUTE: z.coerce.number().int().min(1).max(2_000_000).optional(),
  RATE_LIMIT_STORE: z.enum(['memory', 'database']).default('memory'),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  LOGIN_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(1).max(100000).default(20),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  LOGIN_LOCK_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(60),
  VALIDATE_RESPONSES: booleanFromEnv.default(false),
  ORIGINALS_VISIBLE_TO: z.enum(['owners', 'everyone']).default('owners'),
  PAGE_JSON: z.enum(['database', 'server']).default('database'),
  PAGE_CACHE_MB: z.coerce.number().int().min(0).max(4096).default(32),
  RECONCILE_ON_START: z.enum(['off', 'report', 'repair']).default('report'),
  UPLOAD_TEMP_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(604_800).default(3600), // at most a week
  UPLOAD_STALL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  TRASH_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  IMPORT_KEYWORDS: booleanFromEnv.default(true),
  RESUMABLE_UPLOAD_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(2_592_000).default(86_400),
  HEADERS_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
  REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  FAULT_POINT: z.enum(FAULT_POINTS).optional(),
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(5000),
  METRICS: z.enum(['off', 'on']).default('off'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'at least 16 characters')
    .max(256, 'at most 256 characters')
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(10 * 60_000)
    .default(30_000),
  STORAGE: z.enum(['disk', 's3']).default('disk'),
  S3_BUCKET: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)',
    )
    .optional(),
  S3_PREFIX: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9!_.*'()/-]*$/, "letters, digits and !_.*'()/- only")
    .default(''),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_REGION: z.string().min(1).max(64).default('us-east-1'),
  S3_FORCE_PATH_STYLE: booleanFromEnv.default(false),
  S3_ACCESS_KEY_ID: z.string().min(1).max(256).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).max(256).optional(),
  WEB_DIST_DIR: z.string().min(1).optional(),
  ...ZIP_ENV,
  ...ACCOUNTS_ENV,
  ...OIDC_ENV,
});

export type Config = ZipConfig & {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string;
  uploadDir: string;
  maxUploadBytes: number;
  /** Most image files one multi-file upload request may carry (each at most maxUploadBytes). */
  maxFilesPerRequest: number;
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
  /** Requests per minute per user, all their tokens together: minting tokens does not multiply the limit. */
  rateLimitPerUserPerMinute: number;
  /** Where the rate limiter counts: this process's memory, or the database shared by several server processes. */
  rateLimitStore: 'memory' | 'database';
  /** Failed-login throttling per account and per address. */
  loginThrottle: {
    maxFailures: number;
    addressMaxFailures: number;
    windowMs: number;
    lockMs: number;
    maxLockMs: number;
  };
  /** Browser origins allowed to call the API (CORS); empty: none. */
  corsOrigins: string[];
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Check every JSON reply against its documented schema (tests turn this on). */
  validateResponses: boolean;
  /** Who may fetch an image's original file (with its EXIF): its uploader, gallery owner and admins, or every viewer. */
  originalsVisibleTo: 'owners' | 'everyone';
  /** Who writes the JSON of an image page: the database (the default) or the server. */
  pageJson: 'database' | 'server';
  /** Room for pages of images kept while the database does not change; 0: none. */
  pageCacheBytes: number;
  /** What the storage check does when the server starts. */
  reconcileOnStart: 'off' | 'report' | 'repair';
  /** Temp files older than this are left over from a crash or an abort and are removed. */
  uploadTempMaxAgeMs: number;
  /** An upload whose body sends no byte for this long is cut (a resumable upload keeps what arrived). */
  uploadStallMs: number;
  resumableUploadExpiryMs: number;
  trashDays: number; // how long a deleted image or gallery stays restorable; 0: deletes are final
  importKeywords: boolean; // an upload's IPTC/XMP keywords become its tags (normalised, the first 50)
  /** Slow clients: a request's head must come within `headersTimeoutMs` (at most the next), all of it within `requestTimeoutMs`. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  faultPoint?: FaultPoint;
  /** How long a write waits for a database lock before the request gets 503. */
  databaseLockTimeoutMs: number;
  /** Prometheus metrics at /metrics: off (404) or on, behind a bearer token when one is set. */
  metrics: { enabled: boolean; token?: string };
  /** On SIGTERM/SIGINT, how long requests in progress may take to finish before the process exits anyway (1). */
  shutdownTimeoutMs: number;
  /** The web app's build folder (index.html, assets/); unset: dist/web of the package. */
  webDistDir?: string;
  storage:
    | { kind: 'disk' }
    | {
        kind: 's3';
        bucket: string;
        prefix: string;
        endpoint?: string;
        region: string;
        forcePathStyle: boolean;
        credentials?: { accessKeyId: string; secretAccessKey: string };
      };
} & AccountsConfig & { /** Single sign-on with an OpenID Provider; null: off. */ oidc: OidcConfig | null };

type Env = z.output<typeof envSchema>;

/** The rules that tie variables together; each broken one is a line of the error. */
function crossChecks(e: Env): string[] {
  const broken: string[] = [];
  if (e.NODE_ENV === 'production' && e.BCRYPT_COST < 10) broken.push('BCRYPT_COST: at least 10 in production');
  if (e.NODE_ENV === 'production' && e.FAULT_POINT) broken.push('FAULT_POINT: only for tests, never in production');
  if (e.STORAGE === 's3' && !e.S3_BUCKET) broken.push('S3_BUCKET: required with STORAGE=s3');
  if (Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    broken.push(
      'S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both or neither (neither: the AWS SDK finds credentials itself)',
    );
  }
  if (e.METRICS_TOKEN && e.METRICS === 'off')
    broken.push('METRICS_TOKEN: set, but METRICS is off (METRICS=on serves /metrics)');
  return [...broken, ...accountsChecks(e), ...oidcChecks(e)];
}

/** Where images are stored, from STORAGE and the S3_* variables. */
function storageOf(e: Env): Config['storage'] {
  if (e.STORAGE !== 's3') return { kind: 'disk' };
  return {
    kind: 's3',
    bucket: e.S3_BUCKET!,
    prefix: e.S3_PREFIX,
    endpoint: e.S3_ENDPOINT,
    region: e.S3_REGION,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    credentials:
      e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
        : undefined,
  };
}

/** The settings kept in files of their own: zip downloads, who may join, single sign-on. */
const featuresOf = (e: Env) => ({ zip: zipConfigOf(e), ...accountsConfigOf(e), ...oidcConfigOf(e) });

/** Parses the environment once; throws an Error naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const broken = crossChecks(e);
  if (broken.length > 0) throw new Error(`Invalid configuration:\n${broken.map((line) => `  ${line}`).join('\n')}`);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    uploadDir: e.UPLOAD_DIR,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    maxFilesPerRequest: e.MAX_FILES_PER_REQUEST,
    jsonBodyLimitBytes: e.JSON_BODY_LIMIT_BYTES,
    maxImagePixels: e.MAX_IMAGE_PIXELS,
    storageQuotaBytes: e.STORAGE_QUOTA_MB * 1024 * 1024,
    bcryptCost: e.BCRYPT_COST,
    tokenTtlMs: e.TOKEN_TTL_DAYS * 24 * 60 * 60 * 1000,
    tokenIdleMs: e.TOKEN_IDLE_DAYS * 24 * 60 * 60 * 1000,
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    // Unset: twice the token's, room for a browser and a script of the same user at full speed.
    rateLimitPerUserPerMinute: e.RATE_LIMIT_PER_USER_PER_MINUTE ?? 2 * e.RATE_LIMIT_PER_MINUTE,
    rateLimitStore: e.RATE_LIMIT_STORE,
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
    pageJson: e.PAGE_JSON,
    pageCacheBytes: e.PAGE_CACHE_MB * 1024 * 1024,
    reconcileOnStart: e.RECONCILE_ON_START,
    uploadTempMaxAgeMs: e.UPLOAD_TEMP_MAX_AGE_SECONDS * 1000,
    uploadStallMs: e.UPLOAD_STALL_SECONDS * 1000,
    trashDays: e.TRASH_DAYS,
    importKeywords: e.IMPORT_KEYWORDS,
    resumableUploadExpiryMs: e.RESUMABLE_UPLOAD_EXPIRY_SECONDS * 1000,
    headersTimeoutMs: e.HEADERS_TIMEOUT_SECONDS * 1000,
    requestTimeoutMs: e.REQUEST_TIMEOUT_SECONDS * 1000,
    faultPoint: e.FAULT_POINT,
    databaseLockTimeoutMs: e.DATABASE_LOCK_TIMEOUT_MS,
    metrics: { enabled: e.METRICS === 'on', token: e.METRICS_TOKEN },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    webDistDir: e.WEB_DIST_DIR,
    storage: storageOf(e),
    ...featuresOf(e),
  };
}
