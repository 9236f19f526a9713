#!/usr/bin/env node
// `gallery`, the command-line client (docs/cli.md): `npx gallery --help` from a checkout or a
// production install. It runs the compiled dist/cli/gallery/main.js, built first when the sources
// changed since the last build (as `npm start` does; a production install runs the build it has).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ensureServerBuilt } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
try {
  ensureServerBuilt({ log: (line) => console.error(line) });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
await import(pathToFileURL(join(root, 'dist', 'cli', 'gallery', 'main.js')).href);
