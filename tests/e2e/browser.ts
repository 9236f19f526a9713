// What the browser test files share: finding Chromium, test images, uploads through the API, axe,
// and a lock that keeps the files from running side by side (they measure time budgets).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import bcrypt from 'bcrypt';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';

import type { Database } from '../../src/platform/db/client';
import {
  multipart,
  prepareWorld,
  send,
  startServer,
  stopAllServers,
  type ServerProcess,
} from '../helpers/server-process';

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
].filter((p): p is string => !!p);
export const executablePath = CANDIDATES.find((path) => existsSync(path));
const requireChromium = ['1', 'true', 'yes'].includes(String(process.env.REQUIRE_CHROMIUM).toLowerCase());
const postgresPass = process.env.TEST_DB === 'postgres';

if (!postgresPass && !executablePath) {
  if (requireChromium)
    throw new Error(
      `REQUIRE_CHROMIUM is set but no Chromium was found (looked at ${CANDIDATES.join(', ')}; set CHROMIUM_PATH)`,
    );
  console.warn(
    `web app end-to-end tests SKIPPED: no Chromium found (looked at ${CANDIDATES.join(', ')}; install Debian's chromium or set CHROMIUM_PATH)`,
  );
}
/** The browser tests run on the SQLite pass, where Chromium is: `describe` there, `describe.skip` otherwise. */
export const describeWeb = !postgresPass && executablePath ? describe : describe.skip;
export const LAUNCH = { executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] };
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** A JPEG of a flat colour: `seed` makes each one different bytes. */
export function jpeg(width: number, height: number, seed: number): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: (seed * 37) % 256, g: (seed * 91) % 256, b: (seed * 53) % 256 },
    },
  })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** A photo-like JPEG: a sky-to-ground gradient with a sun and a hill, `width` × `height` in its pixels (no EXIF). */
export function photo(width: number, height: number, seed: number): Promise<Buffer> {
  const hue = (seed * 47) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="hsl(${hue},60%,70%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360},50%,35%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#sky)"/>
    <circle cx="${width * 0.7}" cy="${height * 0.25}" r="${Math.min(width, height) * 0.12}" fill="#ffe9a8"/>
    <ellipse cx="${width * 0.3}" cy="${height}" rx="${width * 0.8}" ry="${height * 0.3}" fill="hsl(${(hue + 120) % 360},35%,30%)"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

export async function upload(
  url: string,
  auth: Record<string, string>,
  galleryId: number,
  title: string,
  file: Buffer,
): Promise<number> {
  const { contentType, body } = multipart({ title, gallery: String(galleryId) }, file);
  const reply = await send(url, {
    method: 'POST',
    path: '/api/gallery/images/',
    headers: { ...auth, 'Content-Type': contentType },
    body,
  });
  if (reply.status !== 201) throw new Error(`upload failed: ${reply.status} ${reply.body.toString()}`);
  return reply.json().id as number;
}

/** A JSON request through the API with a token; its reply's JSON. */
export async function postJson(url: string, auth: Record<string, string>, path: string, data: unknown) {
  const reply = await send(url, {
    method: 'POST',
    path,
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify(data)),
  });
  if (reply.status >= 300) throw new Error(`POST ${path} failed: ${reply.status} ${reply.body.toString()}`);
  return reply.json();
}

/** The uncaught errors of the page's scripts from now on, as they happen. */
export function uncaughtErrors(page: Page): string[] {
  const uncaught: string[] = [];
  page.on('pageerror', (error) => uncaught.push(error.message));
  return uncaught;
}

export async function noSeriousViolations(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect({
    screen,
    violations: serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
  }).toEqual({ screen, violations: [] });
}

/**
 * Waits until no other browser test file runs, then holds the machine until `release`: jest runs
 * test files in parallel, and a time budget measured beside another browser is not the app's.
 */
export async function runAlone(): Promise<() => void> {
  const lock = join(process.env.TEST_TMP_DIR!, 'browser-tests.lock');
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      await new Promise((done) => setTimeout(done, 250));
    }
  }
}

/** An admin made straight in the database (no route makes one), as the command line does. */
export async function createAdmin(db: Database, admin: { username: string; password: string }, email?: string) {
  const role = await db.role.findUniqueOrThrow({ where: { name: 'admin' } });
  const lower = admin.username.toLowerCase();
  const address = email ?? `${lower}@example.test`;
  await db.user.create({
    data: {
      username: admin.username,
      usernameLower: lower,
      email: address,
      emailLower: address.toLowerCase(),
      passwordHash: await bcrypt.hash(admin.password, 4),
      roleId: role.id,
    },
  });
}

export type Credentials = { username: string; password: string };
export type Viewport = { width: number; height: number };
type World = Awaited<ReturnType<typeof prepareWorld>>;

/** The machine, the data, the server and the browser of one browser test file, once `beforeAll` has run. */
export type BrowserSuite = {
  readonly server: ServerProcess;
  readonly browser: Browser;
  readonly world: World;
  /**
   * A page at `viewport` (a touch screen at phone size unless told), signed in as `credentials`
   * through the API, or not signed in at all for `null`.
   */
  open(
    viewport: Viewport,
    credentials: Credentials | null,
    options?: ContextOptions,
  ): Promise<{ context: BrowserContext; page: Page }>;
};

/** A touch screen or not (at phone size unless told), and what else a context is made with. */
type ContextOptions = { touch?: boolean; locale?: string; timezoneId?: string };

type SuiteOptions = {
  /** Before the server starts: changes to the data the server must find from its start. */
  beforeServer?: (world: World) => Promise<void>;
  /** Once the server and the browser run: the data of the file's tests. */
  setup?: (suite: BrowserSuite) => Promise<void>;
  /** For `beforeAll`, with the wait for the other browser test files. */
  timeout?: number;
};

/**
 * Registers the `beforeAll` and `afterAll` of a browser test file (inside its `describe`): the
 * lock of `runAlone`, a prepared world, the server on it and Chromium; all closed again after.
 */
export function browserSuite(options: SuiteOptions = {}): BrowserSuite {
  let release: () => void = () => {};
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let world: World | undefined;
  const ready = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`the browser suite has no ${name} yet (used before beforeAll)`);
    return value;
  };
  const suite: BrowserSuite = {
    get server() {
      return ready(server, 'server');
    },
    get browser() {
      return ready(browser, 'browser');
    },
    get world() {
      return ready(world, 'world');
    },
    async open(viewport, credentials, { touch = viewport.width < 600, ...options } = {}) {
      const context = await suite.browser.newContext({
        baseURL: suite.server.url,
        viewport,
        hasTouch: touch,
        isMobile: touch,
        ...options,
      });
      if (credentials)
        expect((await context.request.post('/api/auth/session', { data: credentials })).status()).toBe(200);
      return { context, page: await context.newPage() };
    },
  };

  beforeAll(async () => {
    release = await runAlone();
    world = await prepareWorld();
    await options.beforeServer?.(world);
    server = await startServer(world.env);
    browser = await chromium.launch(LAUNCH);
    await options.setup?.(suite);
  }, options.timeout ?? 420_000); // with the wait for the other browser test files

  afterAll(async () => {
    await browser?.close();
    await stopAllServers();
    await world?.close();
    release();
  });

  return suite;
}
