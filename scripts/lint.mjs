// `npm run lint`: the generated files first (the Prisma clients when models.prisma changed, the web
// app's API types), then Prettier's check, the compiler, ESLint (type-aware) and the layer rules
// (dependency-cruiser) side by side. Each check says when it starts and, when it ends, its result,
// its time and (when it failed) what it printed; the exit code is 1 when any failed.
// Prettier keeps a cache of the files it found formatted (by content) and the compiler its build
// info, both under node_modules/.cache; ESLint reads across files and always starts afresh.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const CACHE = 'node_modules/.cache/gallery-lint';
mkdirSync(CACHE, { recursive: true });

for (const [command, ...args] of [
  ['node', 'scripts/generate.mjs'],
  ['npx', 'tsx', 'scripts/web-api.ts'],
]) {
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status !== 0) process.exit(1);
}

const CHECKS = [
  ['Prettier', 'npx', ['prettier', '--check', '.', '--cache', '--cache-location', `${CACHE}/prettier`]],
  ['compiler', 'npx', ['tsc', '--noEmit', '-p', '.', '--incremental', '--tsBuildInfoFile', `${CACHE}/tsc.tsbuildinfo`]],
  ['ESLint', 'npx', ['eslint', '.']],
  ['layer rules', 'npx', ['depcruise', 'src', '--config', '.dependency-cruiser.cjs']],
];

function run([name, command, args]) {
  const started = Date.now();
  console.log(`${name}: started`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const passed = code === 0;
      console.log(`${name}: ${passed ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`} in ${seconds} s`);
      if (!passed) console.log(output.trimEnd());
      resolve(passed);
    });
  });
}

const results = await Promise.all(CHECKS.map(run));
process.exit(results.every(Boolean) ? 0 : 1);
