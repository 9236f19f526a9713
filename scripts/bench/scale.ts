// `npm run bench` section `scale`: the image list at scale. BENCH_SCALE_IMAGES images (1,000,000 by
// default) seeded in bulk (scale-seed.ts), then on each database the list route of dist/server.js
// (its own process), each case asked 50 times one after another: page 1 and page 2000 of each sort
// (page 2000 straight from a cursor made from the row before it), and searches and filters (a
// common word, a rare word, a 3-letter prefix, a tag, a date range, a filter with a search). Per
// case p50 and p99, the page 2000 / page 1 ratio, and the plan of the query behind it (SQLite:
// EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)), against p50 ≤ 30 ms and page 2000
// ≤ 1.5 × page 1.
import { join } from 'node:path';

import type { ImageListFilter } from '../../src/features/images/image-search';
import { listImages } from '../../src/features/images/images.repository';
import { openDatabase } from '../../src/platform/db/client';
import { asDate, type SqlReader } from '../../src/platform/db/sql-reader';
import { encodeCursor, listOptions, SORTS, type Sort } from '../../src/shared/paging';
import { explain } from './plans';
import { benchServerEnv, postgresDatabase, startProcess } from './reads';
import { PASSWORD, RARE, seedScale, TAGS } from './scale-seed';
import { percentile, printTable, tempDir, verdict } from './util';

const PAGE_SIZE = 50;
const DEEP_PAGE = 2000;
const REQUESTS = 50;
const TARGET_P50_MS = 30;
const TARGET_RATIO = 1.5;

type Case = {
  name: string;
  sort: Sort;
  page: number;
  filter: ImageListFilter & { q?: string };
};

const RANGE = { takenFrom: '2019-03-01', takenTo: '2019-05-31' };
const SEARCHES: Case[] = [
  { name: 'q=sunset (common word)', sort: '-created', page: 1, filter: { q: 'sunset' } },
  { name: `q=${RARE} (rare word)`, sort: '-created', page: 1, filter: { q: RARE } },
  { name: 'q=mou (3-letter prefix)', sort: '-created', page: 1, filter: { q: 'mou' } },
  { name: `tag=${TAGS[0]}`, sort: '-created', page: 1, filter: { tags: [TAGS[0]] } },
  { name: 'takenFrom/takenTo (3 months)', sort: '-created', page: 1, filter: RANGE },
  { name: 'takenFrom/takenTo, sort=-taken', sort: '-taken', page: 1, filter: RANGE },
  {
    name: `tag=${TAGS[1]} + takenFrom 2018 + q=sunset`,
    sort: '-created',
    page: 1,
    filter: { tags: [TAGS[1]], takenFrom: '2018-01-01', q: 'sunset' },
  },
];

/** The cursor that opens page `page` of `sort`: made from the last row of the page before it. */
async function cursorOf(reader: SqlReader, sort: Sort, page: number): Promise<string | undefined> {
  if (page === 1) return undefined;
  const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
  const column = sort.endsWith('created')
    ? '"createdAt"'
    : sort.endsWith('taken')
      ? `COALESCE("capturedAt", '')`
      : 'lower(title)';
  const [row] = await reader.all<{ id: number; value: unknown }>(
    `SELECT id, ${column} AS value FROM "Image" ORDER BY ${column} ${direction}, id ${direction} LIMIT 1 OFFSET ?`,
    [(page - 1) * PAGE_SIZE - 1],
  );
  const value = sort.endsWith('created') ? asDate(row.value).toISOString() : String(row.value);
  return encodeCursor(sort, value, row.id);
}

function query(test: Case, cursor: string | undefined): string {
  const params = new URLSearchParams({ sort: test.sort, limit: String(PAGE_SIZE) });
  const { q, tags, takenFrom, takenTo } = test.filter;
  if (q) params.set('q', q);
  for (const tag of tags ?? []) params.append('tag', tag);
  if (takenFrom) params.set('takenFrom', takenFrom);
  if (takenTo) params.set('takenTo', takenTo);
  if (cursor) params.set('cursor', cursor);
  return `/api/gallery/images/?${params.toString()}`;
}

/** The SQL listImages runs for this case, as the signed-in owner. */
async function sqlOf(reader: SqlReader, userId: number, test: Case, cursor: string | undefined) {
  let captured = { sql: '', params: [] as unknown[] };
  const spy: SqlReader = { ...reader, rows: (sql, params) => ((captured = { sql, params }), reader.rows(sql, params)) };
  const { q, ...filter } = test.filter;
  await listImages(
    spy,
    { userId, admin: false },
    filter,
    listOptions({ q, sort: test.sort, count: false, limit: PAGE_SIZE, cursor }),
  );
  return captured;
}

/** p50 and p99 of REQUESTS sequential requests (after 5 to warm up); fails on anything but a full 200. */
async function time(url: string, headers: Record<string, string>) {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < REQUESTS + 5; i++) {
    const start = performance.now();
    // A kept-alive socket the server closed while the previous case's plan was taken fails once.
    const res = await fetch(url, { headers }).catch(() => fetch(url, { headers }));
    const body = await res.text();
    if (i >= 5) times.push(performance.now() - start);
    if (!res.ok) throw new Error(`${url}: ${res.status} ${body.slice(0, 300)}`);
    items = (JSON.parse(body) as unknown[]).length;
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), items };
}

type Measured = Case & { p50: number; p99: number; items: number; plan: string };

async function measureAll(
  kind: 'sqlite' | 'postgres',
  url: string,
  size: number,
  seeded: { username: string; userId: number },
) {
  const dir = tempDir('gallery-bench-scale-up-');
  // No page kept in memory: each of the repeated requests is answered by the database.
  const env = { ...benchServerEnv(url, dir.path), PAGE_CACHE_MB: '0' };
  const server = await startProcess(['dist/server.js'], env, '/health');
  const { reader, close } = openDatabase(url);
  try {
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: seeded.username, password: PASSWORD }),
    }).then((res) => res.json() as Promise<{ token: string }>);
    const headers = { authorization: `Token ${login.token}` };
    const deep = Math.min(DEEP_PAGE, Math.floor(size / PAGE_SIZE));
    const cases: Case[] = [
      ...SORTS.flatMap((sort) =>
        [1, deep].map((page) => ({ name: `sort=${sort} page ${page}`, sort, page, filter: {} })),
      ),
      ...SEARCHES,
    ];
    const results: Measured[] = [];
    for (const test of cases) {
      const cursor = await cursorOf(reader, test.sort, test.page);
      const timing = await time(`${server.url}${query(test, cursor)}`, headers);
      const { plan } = await explain(kind, url, await sqlOf(reader, seeded.userId, test, cursor));
      results.push({ ...test, ...timing, plan });
    }
    return results;
  } finally {
    await close();
    await server.stop();
    dir.remove();
  }
}

function report(kind: 'sqlite' | 'postgres', size: number, results: Measured[]): string[] {
  const label = `${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${size} images`;
  console.log(`\n${label}: GET /api/gallery/images/ as the owner of one gallery of five, ${REQUESTS} requests each\n`);
  printTable(
    ['case', 'items', 'p50 ms', 'p99 ms'],
    results.map((r) => [r.name, String(r.items), r.p50.toFixed(1), r.p99.toFixed(1)]),
    [50, 7, 9, 9],
  );
  for (const r of results) {
    console.log(`\n  ${r.name}:`);
    console.log(r.plan.replace(/^/gm, '    '));
  }
  const verdicts = results.map((r) =>
    verdict(r.p50 <= TARGET_P50_MS, `${label}, ${r.name}: p50 ${r.p50.toFixed(1)} ms (target ≤ ${TARGET_P50_MS})`),
  );
  for (const sort of SORTS) {
    const [first, deep] = results.filter((r) => r.sort === sort && r.name.startsWith('sort='));
    const ratio = deep.p50 / first.p50;
    verdicts.push(
      verdict(
        ratio <= TARGET_RATIO,
        `${label}, sort=${sort}: page ${deep.page} p50 ${ratio.toFixed(2)}× page 1 (target ≤ ${TARGET_RATIO})`,
      ),
    );
  }
  return verdicts;
}

export async function runScale(options: { databases: ('sqlite' | 'postgres')[]; images: number }) {
  const verdicts: string[] = [];
  for (const kind of options.databases) {
    const dir = tempDir('gallery-bench-scale-');
    const postgres = kind === 'postgres' ? await postgresDatabase() : null;
    const url = postgres?.url ?? `file:${join(dir.path, 'scale.db')}`;
    try {
      process.stdout.write(`${kind}: seeding ${options.images} images... `);
      const start = performance.now();
      const seeded = await seedScale(kind, url, options.images);
      console.log(`${((performance.now() - start) / 1000).toFixed(0)} s`);
      verdicts.push(...report(kind, options.images, await measureAll(kind, url, options.images, seeded)));
    } finally {
      await postgres?.drop();
      dir.remove();
    }
  }
  console.log(`\n${verdicts.join('\n')}`);
}
