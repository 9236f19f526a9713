// Starts a throwaway PostgreSQL cluster from the machine's initdb/pg_ctl in a temporary folder,
// as an unprivileged user when run as root. Used by the test runner; also usable by hand:
//   node scripts/pg-cluster.mjs            starts one, prints its URL, stops it on Ctrl-C
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export function findPostgresBinaries() {
  const which = (name) => {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    return found.status === 0 ? found.stdout.trim() : null;
  };
  const initdb = which('initdb');
  const pgCtl = which('pg_ctl');
  return initdb && pgCtl ? { initdb, pgCtl } : null;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a cluster; resolves to { url, stop }. */
export async function startCluster() {
  const bins = findPostgresBinaries();
  if (!bins) throw new Error('initdb/pg_ctl are not on PATH');
  const isRoot = process.getuid?.() === 0;
  const runAs = isRoot ? process.env.PG_CLUSTER_USER || 'postgres' : null;
  const dir = mkdtempSync(join(tmpdir(), 'gallery-pg-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  const run = (file, args) => {
    const [cmd, argv] = runAs ? ['runuser', ['-u', runAs, '--', file, ...args]] : [file, args];
    execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
  };
  const port = await freePort();
  // Byte-order collation (fast, like C) with a UTF-8 character type, so that lower() folds non-ASCII
  // letters as on a usual server; where the C.UTF-8 locale is missing, plain C.
  const initdb = (locale) =>
    run(bins.initdb, ['-D', dataDir, '-U', 'gallery', '--auth=trust', '-E', 'UTF8', ...locale]);
  try {
    initdb(['--lc-collate=C', '--lc-ctype=C.UTF-8']);
  } catch {
    rmSync(dataDir, { recursive: true, force: true });
    initdb(['--no-locale']);
  }
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  run(bins.pgCtl, ['-D', dataDir, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run(bins.pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  return { url: `postgresql://gallery@127.0.0.1:${port}/postgres`, stop };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cluster = await startCluster();
  console.log(cluster.url);
  const shutdown = () => {
    cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  setInterval(() => {}, 1 << 30);
}
