// Writes one Prisma schema per provider from prisma/models.prisma and generates a client for each.
// Prisma's CLI wants a native schema engine on disk even though `generate` never runs it; on machines
// that cannot download one, any existing executable satisfies the check, so point it at node itself.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const models = readFileSync(join(root, 'prisma/models.prisma'), 'utf8');
const providers = ['sqlite', 'postgresql'];

for (const provider of providers) {
  const folder = provider === 'postgresql' ? 'postgres' : provider;
  const schemaPath = join(root, 'prisma', folder, 'schema.prisma');
  const header = `// GENERATED from prisma/models.prisma by scripts/generate.mjs: edit that file, not this one.

generator client {
  provider              = "prisma-client"
  output                = "../../src/db/generated/${folder}"
  moduleFormat          = "cjs"
  importFileExtension   = ""
}

datasource db {
  provider = "${provider}"
}
`;
  const text = `${header}\n${models}`;
  mkdirSync(dirname(schemaPath), { recursive: true });
  if (!existsSync(schemaPath) || readFileSync(schemaPath, 'utf8') !== text) writeFileSync(schemaPath, text);
  execFileSync(process.execPath, [join(root, 'node_modules/prisma/build/index.js'), 'generate', '--schema', schemaPath], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  });
}
console.log(`prisma clients generated for ${providers.join(', ')}`);
