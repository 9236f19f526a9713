// `npm run bench` section `nodes`: the server as shipped (dist/server.js) as one and as two
// processes on one PostgreSQL database and one S3 bucket (s3rver, a local S3 emulator), behind
// nginx on loopback, loaded by autocannon from this process: the page of 50 and one image's JSON,
// through nginx to one node, to two nodes, and straight to one node (what nginx costs) — each figure
// a ratio to another measured in the same run. Then a SIGKILL of one of two nodes under load: the
// errors clients saw. On a machine with few cores every process (nodes, nginx, PostgreSQL, s3rver,
// autocannon) shares them: two nodes are not twice one here.
import { join } from 'node:path';
import autocannon from 'autocannon';

import { findNginx, startNginx, type Nginx } from '../../tests/helpers/nginx';
import { startS3Emulator } from '../../tests/helpers/s3-emulator';
import { measure, postgresDatabase, seed, startProcess, type Result } from './reads';
import { printTable, tempDir } from './util';

export type NodesOptions = { connections: number[]; duration: number; images: number };

type Node = Awaited<ReturnType<typeof startProcess>>;

/** Errors while one of two nodes is killed (SIGKILL) half-way through `duration` seconds of reads. */
async function killUnderLoad(
  nginx: Nginx,
  victim: Node,
  path: string,
  headers: Record<string, string>,
  connections: number,
  duration: number,
) {
  const timer = setTimeout(() => victim.child.kill('SIGKILL'), (duration * 1000) / 2);
  const result = await autocannon({ url: `${nginx.url}${path}`, connections, duration, headers, timeout: 20 });
  clearTimeout(timer);
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export async function runNodes(options: NodesOptions) {
  const nginxBinary = findNginx();
  if (!nginxBinary) {
    console.log('nodes: skipped — no nginx binary (install nginx-light, or set NGINX_BIN)');
    return;
  }
  const dir = tempDir('gallery-bench-nodes-');
  const postgres = await postgresDatabase();
  const s3 = await startS3Emulator('gallery-bench');
  const nodes: Node[] = [];
  let nginx: Nginx | null = null;
  try {
    process.stdout.write(`seeding ${options.images} images... `);
    const { username } = await seed(postgres.url, options.images);
    console.log('done');
    const envOf = (n: number) => ({
      NODE_ENV: 'production',
      DATABASE_URL: postgres.url,
      UPLOAD_DIR: join(dir.path, `node-${n}`),
      ...s3.env,
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_MINUTE: '1000000',
      RECONCILE_ON_START: 'off',
      TRUST_PROXY: 'true',
    });
    nodes.push(
      await startProcess(['dist/server.js'], envOf(1), '/health'),
      await startProcess(['dist/server.js'], envOf(2), '/health'),
    );
    const login = await fetch(`${nodes[0].url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'bench-password' }),
    }).then((res) => res.json() as Promise<{ token: string }>);
    const headers = { authorization: `Token ${login.token}` };
    const page = (await fetch(`${nodes[0].url}/api/gallery/images/`, { headers }).then((res) => res.json())) as {
      id: number;
    }[];
    if (page.length !== 50) throw new Error(`expected a page of 50, got ${page.length}`);
    const routes: [string, string][] = [
      ['GET /api/gallery/images/ (page of 50)', '/api/gallery/images/'],
      ['GET /api/gallery/images/{id}/', `/api/gallery/images/${page[10].id}/`],
    ];
    const maxBodyBytes = 26 * 1024 * 1024;

    const results: (Result & { setup: string })[] = [];
    const run = async (setup: string, base: string) => {
      for (const connections of options.connections) {
        for (const [name, path] of routes)
          results.push({ setup, ...(await measure(name, `${base}${path}`, connections, options.duration, headers)) });
      }
    };
    await run('1 node, direct', nodes[0].url);
    nginx = await startNginx(nginxBinary, { upstreams: [nodes[0].url], maxBodyBytes });
    await run('1 node, nginx', nginx.url);
    await nginx.stop();
    nginx = await startNginx(nginxBinary, { upstreams: nodes.map((node) => node.url), maxBodyBytes });
    await run('2 nodes, nginx', nginx.url);

    const connections = Math.max(...options.connections);
    const killed = await killUnderLoad(
      nginx,
      nodes[1],
      routes[0][1],
      headers,
      connections,
      Math.max(options.duration, 4),
    );

    console.log(
      `\nPostgreSQL + S3 (s3rver), ${options.images} images, ${options.duration} s per figure, node ${process.version}, nginx round robin\n`,
    );
    const find = (setup: string, r: Result) =>
      results.find((x) => x.setup === setup && x.name === r.name && x.connections === r.connections)!;
    printTable(
      ['route', 'setup', 'conn', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'vs 1 node nginx'],
      results.map((r) => [
        r.name,
        r.setup,
        String(r.connections),
        r.rps.toFixed(0),
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        String(r.errors),
        (r.rps / find('1 node, nginx', r).rps).toFixed(2),
      ]),
      [40, 17, 6, 9, 8, 8, 8, 17],
    );
    console.log('');
    for (const r of results.filter((x) => x.setup === '2 nodes, nginx')) {
      const one = find('1 node, nginx', r);
      const direct = find('1 node, direct', r);
      console.log(
        `${r.name}, ${r.connections} conn: two nodes / one node = ${(r.rps / one.rps).toFixed(2)}; nginx in front of one node = ${(one.rps / direct.rps).toFixed(2)} of direct`,
      );
    }
    console.log(
      `\nSIGKILL of one of two nodes half-way through ${Math.max(options.duration, 4)} s of GET page of 50 at ${connections} connections: ` +
        `${killed.requests} requests, ${killed.rps.toFixed(0)} req/s, p99 ${killed.p99.toFixed(0)} ms, ${killed.non2xx} non-2xx replies, ${killed.errors} connection errors/timeouts`,
    );
  } finally {
    await nginx?.stop();
    for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) await node.stop();
    await s3.stop();
    await postgres.drop();
    dir.remove();
  }
}
