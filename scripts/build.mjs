// `npm run build`: the Prisma clients (scripts/generate.mjs) and the compiled server in dist/,
// each only when its inputs changed. dist/.build-stamp holds a hash of what dist/ was compiled
// from (every file under src/ and the tsconfig files), so an unchanged tree is not built again:
// `npm start` calls this on every start and pays a few milliseconds when nothing changed.
//   --force   build even when up to date
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateClients } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');
const distDir = join(root, 'dist');
const stampFile = join(distDir, '.build-stamp');
const tsc = join(root, 'node_modules/typescript/bin/tsc');
// TypeScript itself may stay in a production install (npm keeps it as an optional peer of
// @prisma/client); the type packages the build needs do not.
const buildTools = [tsc, join(root, 'node_modules/@types/multer/package.json')];

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
    if (rel.startsWith('.') || !/\.(js|js\.map|json)$/.test(rel)) continue;
    if (!existsSync(join(srcDir, source))) rmSync(file);
  }
}

/**
 * Makes dist/ match the sources, building what is out of date. Throws with what to do when it is
 * out of date and this install cannot build (no dev dependencies: a production install).
 */
export function ensureBuilt({ force = false, log = console.log } = {}) {
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
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  removeOrphans();
  writeFileSync(`${stampFile}.tmp`, fingerprint);
  renameSync(`${stampFile}.tmp`, stampFile);
  return 'built';
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const outcome = ensureBuilt({ force: process.argv.includes('--force') });
    console.log(`build: ${outcome}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
