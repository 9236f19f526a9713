// `npm test`: build and type check, the whole suite on SQLite, then again on PostgreSQL — against
// TEST_DATABASE_URL when set, otherwise a throwaway cluster started from initdb/pg_ctl — and last
// the artifact smoke test (tests/artifact/smoke.mjs: a fresh copy, npm ci, npm start, the sessions
// of the README and docs/, on both databases, then as a production install).
// Extra arguments go to jest and run only jest (e.g. `npm test -- tests/http/auth.test.ts`). The
// browser tests (tests/e2e) run on their own after the SQLite pass.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { findPostgresBinaries, startCluster } from './pg-cluster.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fast = process.argv[2] === '--fast';
const jestArgs = process.argv.slice(fast ? 3 : 2);
const requirePostgres = ['1', 'true', 'yes'].includes(String(process.env.REQUIRE_POSTGRES).toLowerCase());

function run(label, command, args, env = {}) {
  console.log(`\n=== ${label} ===`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

// `npm run test:fast`: the inner loop. SQLite only, nothing built (the tests that start a server
// process start it from the sources), no browser, no killed processes, no cluster, no smoke test.
if (fast)
  process.exit(run('tests on SQLite (fast loop)', bin('jest'), jestArgs, { TEST_DB: 'sqlite', TEST_FAST: '1' }));

if (run('build (Prisma clients, dist/)', process.execPath, [join(root, 'scripts/build.mjs')]) !== 0) process.exit(1);
// The server, the browser tests and the web app (against the API types generated from the route table).
if (run('type check', 'npm', ['run', '--silent', 'typecheck']) !== 0) process.exit(1);

const results = [];
results.push(['SQLite', run('tests on SQLite', bin('jest'), jestArgs, { TEST_DB: 'sqlite' })]);
// The web app in Chromium, alone on the machine (it measures time budgets); the app does not depend
// on the database. Asked for by name (`npm test -- tests/e2e`) it runs in place of the rest.
if (jestArgs.length === 0 || jestArgs.some((arg) => arg.includes('e2e'))) {
  results.push([
    'web app in Chromium',
    run('web app in Chromium (end to end)', bin('jest'), jestArgs.length ? jestArgs : ['tests/e2e'], {
      TEST_DB: 'sqlite',
      E2E: '1',
    }),
  ]);
}

let cluster = null;
let pgUrl = process.env.TEST_DATABASE_URL;
if (!pgUrl && findPostgresBinaries()) {
  console.log('\nStarting a throwaway PostgreSQL cluster (initdb/pg_ctl)...');
  cluster = await startCluster();
  pgUrl = cluster.url;
}
try {
  if (pgUrl) {
    results.push([
      'PostgreSQL',
      run('tests on PostgreSQL', bin('jest'), jestArgs, { TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl }),
    ]);
  } else {
    const why = 'PostgreSQL suite NOT run: TEST_DATABASE_URL is not set and initdb/pg_ctl are not on PATH.';
    console.log(`\n${why}`);
    results.push(['PostgreSQL', requirePostgres ? 1 : 0]);
  }
  if (jestArgs.length === 0) {
    const env = pgUrl ? { TEST_DATABASE_URL: pgUrl } : {};
    results.push([
      'artifact smoke test',
      run(
        'artifact smoke test (fresh copy, npm ci, npm start)',
        process.execPath,
        [join(root, 'tests/artifact/smoke.mjs')],
        env,
      ),
    ]);
  }
} finally {
  cluster?.stop();
}

console.log('\n=== summary ===');
for (const [name, status] of results) console.log(`${name}: ${status === 0 ? 'passed' : 'FAILED'}`);
process.exit(results.every(([, status]) => status === 0) ? 0 : 1);
