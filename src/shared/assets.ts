import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The folder the server is installed in: the one holding package.json, prisma/ and node_modules/.
 * This file is `src/shared/assets.ts` in the sources and `dist/shared/assets.js` once built (the
 * build keeps src/'s layout under dist/), so from either it is the folder two levels up.
 * `packageInfo()` checks that it is (tests/unit/assets.test.ts from the sources, the artifact
 * smoke test from dist/).
 */
export const PACKAGE_ROOT = resolve(__dirname, '..', '..');

/** A file shipped with the server (migrations, package.json), by its path in the package. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

let info: { name: string; version: string } | undefined;

/**
 * Name and version from the package's package.json. Throws, naming the folder, when the server's
 * files are not where this build expects them: better a clear stop than a server without its assets.
 */
export function packageInfo(): { name: string; version: string } {
  if (info) return info;
  const file = packagePath('package.json');
  const parsed = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown })
    : {};
  if (parsed.name !== 'gallery-server' || typeof parsed.version !== 'string') {
    throw new Error(`Gallery Server's files are not in place: expected its package.json in ${PACKAGE_ROOT}`);
  }
  info = { name: parsed.name, version: parsed.version };
  return info;
}
