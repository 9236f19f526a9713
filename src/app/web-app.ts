import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler, type Response } from 'express';

import { packagePath } from '../shared/assets';

/** Where the web app's build (Vite, `web/`) is, by default: `dist/web` of the package. */
export const DEFAULT_WEB_DIST_DIR = packagePath('dist', 'web');

/**
 * The app's own policy: its scripts, styles and fonts from this server only (no inline script, no
 * eval), images also from `blob:` (upload previews) and `data:` (ThumbHash placeholders), requests
 * to this server only. The API's replies keep their `default-src 'none'`.
 */
export const WEB_APP_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API and the operations routes: never answered with the app's page. */
const SERVER_PATHS = ['/api', '/health', '/ready', '/metrics'];
const isServerPath = (path: string) => SERVER_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/** Vite names its bundles by content hash: a URL under /assets/ never changes its content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

function sendPage(res: Response, page: Buffer) {
  res.set({ 'Content-Security-Policy': WEB_APP_POLICY, 'Cache-Control': 'no-cache' }).type('html').send(page);
}

/**
 * The browser app served by this process at `/`: its files from `dir`, `index.html` for `/` and
 * for any page address of the app (a GET or HEAD that asks for HTML, outside the API's paths), so
 * that a reload on `/galleries/5` works. Null when `dir` holds no build (`index.html`): `/` is then
 * the API's 404, as before there was an app.
 */
export function webApp(dir: string): RequestHandler | null {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return null;
  const page = readFileSync(indexFile);

  const router = express.Router();
  router.use(
    '/assets',
    express.static(join(dir, 'assets'), {
      index: false,
      redirect: false,
      setHeaders: (res) => {
        res.set({ 'Cache-Control': IMMUTABLE, 'Content-Security-Policy': WEB_APP_POLICY });
      },
    }),
  );
  // Other files of the build (favicon, robots.txt, …): revalidated, since their names carry no hash.
  const files = express.static(dir, {
    index: false,
    redirect: false,
    setHeaders: (res) => {
      res.set({ 'Cache-Control': 'no-cache', 'Content-Security-Policy': WEB_APP_POLICY });
    },
  });
  router.use((req, res, next) => {
    // The API's paths, a missing asset (the API's 404: never a page in place of a script) and other methods.
    if (isServerPath(req.path) || req.path.startsWith('/assets/') || (req.method !== 'GET' && req.method !== 'HEAD')) {
      next();
      return;
    }
    if (req.path === '/' || req.path === '/index.html') {
      sendPage(res, page);
      return;
    }
    files(req, res, () => {
      // Not a file: a page of the app when the browser asks for a page (not `*/*` from a script or an image).
      if ((req.headers.accept ?? '').includes('text/html')) sendPage(res, page);
      else next();
    });
  });
  return router;
}
