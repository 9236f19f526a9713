// Writes one Prisma schema per provider from prisma/models.prisma and generates a client for each
// into src/platform/db/generated/, unless the clients there were generated from the same models by the same
// Prisma version (then it does nothing: `npm start` and every install call it).
// Prisma's CLI wants a native schema engine on disk even though `generate` never runs it; on machines
// that cannot download one, any existing executable satisfies the check, so point it at node itself.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const providers = [
  { provider: 'sqlite', folder: 'sqlite' },
  { provider: 'postgresql', folder: 'postgres' },
];
const generatedDir = join(root, 'src/platform/db/generated');
const stampFile = join(generatedDir, '.inputs');
const prismaCli = join(root, 'node_modules/prisma/build/index.js');

function schemaText(provider, folder, models) {
  return `// GENERATED from prisma/models.prisma by scripts/generate.mjs: edit that file, not this one.

generator client {
  provider              = "prisma-client"
  output                = "../../src/platform/db/generated/${folder}"
  moduleFormat          = "cjs"
  importFileExtension   = ""
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

/**
 * Generates the clients when they are missing or out of date. Returns what it did: 'generated',
 * 'up to date', or 'no prisma' (a production install without dev dependencies, where the
 * clients must already be there).
 */
export function generateClients({ force = false } = {}) {
  const models = readFileSync(join(root, 'prisma/models.prisma'), 'utf8');
  if (!existsSync(prismaCli)) return 'no prisma';
  const prismaVersion = JSON.parse(readFileSync(join(root, 'node_modules/prisma/package.json'), 'utf8')).version;
  const inputs = createHash('sha256').update(`${prismaVersion}\n${models}`).digest('hex');
  const present = providers.every(({ folder }) => existsSync(join(generatedDir, folder, 'client.ts')));
  if (!force && present && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === inputs) return 'up to date';

  for (const { provider, folder } of providers) {
    const schemaPath = join(root, 'prisma', folder, 'schema.prisma');
    const text = schemaText(provider, folder, models);
    mkdirSync(dirname(schemaPath), { recursive: true });
    if (!existsSync(schemaPath) || readFileSync(schemaPath, 'utf8') !== text) writeFileSync(schemaPath, text);
    // Its output is only shown when it fails (execFileSync puts it in the error).
    execFileSync(process.execPath, [prismaCli, 'generate', '--schema', schemaPath], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
      },
    });
  }
  writeFileSync(stampFile, inputs);
  return 'generated';
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outcome = generateClients({ force: process.argv.includes('--force') });
  if (outcome === 'no prisma') {
    // `npm ci --omit=dev`: nothing to generate with; a build made before the install is used as it is.
    console.log('prisma clients: not generated (the prisma package is not installed: a production install)');
  } else {
    console.log(`prisma clients: ${outcome}`);
  }
}
