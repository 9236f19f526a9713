// Runs a compiled entry point, dist/<name>.js, once dist/ matches the sources (built when it does
// not: see build.mjs). `npm start` runs `server`, `npm run create-admin` runs `cli/create-admin`.
// The entry runs in this same process, so signals (Ctrl-C, SIGTERM) reach the server directly.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { ensureBuilt } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [entry] = process.argv.splice(2, 1);
if (!entry || !/^[a-z][a-z/-]*$/.test(entry)) {
  console.error('usage: node scripts/run.mjs <entry under dist/, e.g. server or cli/create-admin> [args...]');
  process.exit(2);
}
try {
  ensureBuilt({ log: (line) => console.error(line) });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
await import(pathToFileURL(join(root, 'dist', `${entry}.js`)).href);
