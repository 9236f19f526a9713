// `npm run build`: the Prisma clients (scripts/generate.mjs) and the compiled server in dist/,
// each only when its inputs changed. dist/.build-stamp holds a hash of what dist/ was compiled
// from (every file under src/ and the tsconfig files), so an unchanged tree is not built again:
// `npm start` calls this on every start and pays a few milliseconds when nothing changed.
// Before tsc, web/src/api/schema.d.ts is generated from the route table: the command-line client
// (src/cli/gallery, `npx gallery`) is compiled against the same API types as the web app.
// The web app (web/, served at /) is built the same way into dist/web/: its API types generated
// from the route table (scripts/web-api.ts), then Vite; dist/.web-build-stamp holds a hash of web/,
// of the server's sources (the API it is typed against) and of the lockfile. A production install
// (no dev dependencies) keeps serving the dist/web/ built before.
// The Postman collection served at /api/postman.json is made the same way into dist/postman.json
// (scripts/postman.ts, from the route table's OpenAPI document) when the server's sources, the
// package, the lockfile or the generator changed; dist/.postman-stamp holds their hash.
//   --force     build even when up to date
//   --postman   only the Postman collection (when out of date)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { generateClients } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');
const distDir = join(root, 'dist');
const stampFile = join(distDir, '.build-stamp');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
// TypeScript itself may stay in a production install (npm keeps it as an optional peer of
// @prisma/client); the type packages the build needs do not.
// The API types the CLI is compiled against are generated with tsx and openapi-typescript.
const buildTools = [
  tsc,
  join(root, 'node_modules/@types/multer/package.json'),
  join(root, 'node_modules/tsx/dist/cli.mjs'),
  join(root, 'node_modules/openapi-typescript/package.json'),
];
const webDir = join(root, 'web');
const webDist = join(distDir, 'web');
const webStampFile = join(distDir, '.web-build-stamp');
const webSchema = join(webDir, 'src/api/schema.d.ts');
const vite = join(root, 'node_modules/vite/bin/vite.js');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const postmanFile = join(distDir, 'postman.json');
const postmanStampFile = join(distDir, '.postman-stamp');
const postmanScript = join(root, 'scripts/postman.ts');
const postmanTools = [tsx, join(root, 'node_modules/openapi-to-postmanv2/package.json')];
const webBuildTools = [
  vite,
  tsx,
  join(root, 'node_modules/openapi-typescript/package.json'),
  join(root, 'node_modules/preact/package.json'),
];

function filesUnder(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(path));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

/** A hash of everything dist/ is compiled from. */
function sourceFingerprint() {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(srcDir), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')]) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Compiled files whose source is gone (a file moved or deleted) would linger in dist/: remove them. */
function removeOrphans() {
  for (const file of filesUnder(distDir)) {
    const rel = relative(distDir, file);
    const source = rel.replace(/\.js(\.map)?$/, '.ts');
    if (rel.startsWith('.') || rel.startsWith(`web${sep}`) || rel === 'postman.json') continue;
    if (!/\.(js|js\.map|json)$/.test(rel)) continue;
    if (!existsSync(join(srcDir, source))) rmSync(file);
  }
}

/**
 * Makes dist/ match the sources, building what is out of date. Throws with what to do when it is
 * out of date and this install cannot build (no dev dependencies: a production install).
 */
export function ensureBuilt({ force = false, log = console.log } = {}) {
  const server = ensureServerBuilt({ force, log });
  const postman = ensurePostmanBuilt({ force, log });
  const web = ensureWebBuilt({ force, log });
  return [server, postman, web].includes('built') ? 'built' : 'up to date';
}

/** A hash of what dist/postman.json is made from: the server's sources, the package, the lockfile, the generator. */
function postmanFingerprint() {
  const hash = createHash('sha256').update(sourceFingerprint());
  for (const file of [join(root, 'package.json'), join(root, 'package-lock.json'), postmanScript]) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Makes dist/postman.json match the API. Without the generator (a production install) it keeps the
 * collection already built, and says so when that one is stale or missing: only that route suffers.
 */
export function ensurePostmanBuilt({ force = false, log = console.log } = {}) {
  if (!existsSync(srcDir) || !existsSync(postmanScript)) return 'up to date';
  const fingerprint = postmanFingerprint();
  const stamp = existsSync(postmanStampFile) ? readFileSync(postmanStampFile, 'utf8') : null;
  const built = existsSync(postmanFile);
  if (!force && built && stamp === fingerprint) return 'up to date';
  if (!postmanTools.every((file) => existsSync(file))) {
    log(
      built
        ? 'postman: dist/postman.json was made from other sources, and this install has no build tools: serving it as it is.'
        : 'postman: dist/postman.json has not been made, and this install has no build tools: /api/postman.json answers 404.',
    );
    return 'up to date';
  }
  log('making the Postman collection...');
  execFileSync(process.execPath, [tsx, postmanScript], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(`${postmanStampFile}.tmp`, fingerprint);
  renameSync(`${postmanStampFile}.tmp`, postmanStampFile);
  return 'built';
}

/** A hash of what dist/web/ is built from: web/ (not its generated API types), the API's sources, the lockfile. */
function webFingerprint() {
  const hash = createHash('sha256');
  const files = [...filesUnder(webDir).filter((file) => file !== webSchema), join(root, 'package-lock.json')];
  for (const file of files) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.update(existsSync(srcDir) ? sourceFingerprint() : '').digest('hex');
}

/**
 * Makes dist/web/ match web/ and the API: generates web/src/api/schema.d.ts from the route table,
 * then runs Vite. Without the build tools (a production install) it keeps the dist/web/ already
 * built, and says so when that one is stale or missing: the API works either way.
 */
export function ensureWebBuilt({ force = false, log = console.log } = {}) {
  if (!existsSync(webDir)) return 'up to date';
  const fingerprint = webFingerprint();
  const stamp = existsSync(webStampFile) ? readFileSync(webStampFile, 'utf8') : null;
  const built = existsSync(join(webDist, 'index.html'));
  if (!force && built && stamp === fingerprint) return 'up to date';
  if (!webBuildTools.every((file) => existsSync(file))) {
    log(
      built
        ? 'web app: dist/web/ was built from other sources, and this install has no build tools (dev dependencies omitted): serving it as it is.'
        : 'web app: dist/web/ has not been built, and this install has no build tools: only the API is served. Run npm run build where dev dependencies are installed.',
    );
    return 'up to date';
  }
  log('building the web app (API types, vite)...');
  writeApiTypes();
  // NODE_ENV as the caller's (tests run with `test`) would put Preact's debug code in the bundle.
  execFileSync(process.execPath, [vite, 'build', '--config', join(webDir, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  writeFileSync(`${webStampFile}.tmp`, fingerprint);
  renameSync(`${webStampFile}.tmp`, webStampFile);
  return 'built';
}

let apiTypesWritten = false;

/** web/src/api/schema.d.ts from the route table: the web app and the CLI (src/cli/gallery) are typed against it. */
function writeApiTypes() {
  if (apiTypesWritten) return;
  execFileSync(process.execPath, [tsx, join(root, 'scripts/web-api.ts')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  apiTypesWritten = true;
}

/** Makes dist/ (the server and the command-line tools) match src/. */
export function ensureServerBuilt({ force = false, log = console.log } = {}) {
  if (!existsSync(srcDir)) {
    if (existsSync(join(distDir, 'server.js'))) return 'up to date';
    throw new Error('Neither src/ nor a build in dist/ is here: this is not a complete copy of Gallery Server.');
  }
  const generated = generateClients({ force });
  if (generated === 'generated') log('prisma clients generated');
  const fingerprint = sourceFingerprint();
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : null;
  if (!force && stamp === fingerprint) return 'up to date';
  if (!buildTools.every((file) => existsSync(file))) {
    throw new Error(
      stamp === null
        ? 'dist/ has not been built, and this install has no build tools (dev dependencies omitted). ' +
            'Build first where dev dependencies are installed: npm ci && npm run build, then npm prune --omit=dev.'
        : 'dist/ was built from other sources than the ones here, and this install has no build tools to rebuild it ' +
            '(dev dependencies omitted). Run npm run build where dev dependencies are installed.',
    );
  }
  log('building the server (tsc)...');
  writeApiTypes();
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  removeOrphans();
  writeFileSync(`${stampFile}.tmp`, fingerprint);
  renameSync(`${stampFile}.tmp`, stampFile);
  return 'built';
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const force = process.argv.includes('--force');
    const outcome = process.argv.includes('--postman') ? ensurePostmanBuilt({ force }) : ensureBuilt({ force });
    console.log(`build: ${outcome}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
