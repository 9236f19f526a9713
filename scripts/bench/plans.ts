// `npm run bench` section `plans`: the keyset query behind each list order (-created, created,
// title, -title), on page 1 and on page 200, at 10,000 and 100,000 images, on SQLite and
// PostgreSQL: the plan each database chooses (PostgreSQL: EXPLAIN (ANALYZE, BUFFERS); SQLite:
// EXPLAIN QUERY PLAN) and the median time of the query itself, page 200 against page 1.
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Client } from 'pg';

import { listImages } from '../../src/features/images/images.repository';
import { openDatabase, sqliteFilePath } from '../../src/platform/db/client';
import type { SqlReader } from '../../src/platform/db/sql-reader';
import { listOptions, SORTS, type Sort } from '../../src/shared/paging';
import { postgresDatabase, seed } from './reads';
import { percentile, tempDir, verdict } from './util';

type Captured = { sql: string; params: unknown[] };

/** A signed-in user who is not an admin: the query carries the visibility condition, as most do. */
const SIGNED_IN_VIEWER = { userId: -1, admin: false };

/** The SQL of the page `page` (1-based) of images in `sort` order, 50 a page. */
async function pageQuery(reader: SqlReader, sort: Sort, page: number): Promise<Captured> {
  let captured: Captured | null = null;
  const spy: SqlReader = { ...reader, rows: (sql, params) => ((captured = { sql, params }), reader.rows(sql, params)) };
  let cursor: string | undefined;
  for (let n = 1; n <= page; n++) {
    const result = await listImages(
      n === page ? spy : reader,
      SIGNED_IN_VIEWER,
      {},
      listOptions({ sort, count: false, limit: 50, cursor }),
    );
    cursor = result.next;
  }
  return captured!;
}

const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export async function explain(
  kind: 'sqlite' | 'postgres',
  url: string,
  query: Captured,
): Promise<{ plan: string; ms: number }> {
  const runs = 50;
  if (kind === 'sqlite') {
    const db = new Sqlite(sqliteFilePath(url), { readonly: true });
    try {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[])
        .map((row) => row.detail)
        .join('; ');
      const statement = db.prepare(query.sql).raw(true);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        statement.all(...query.params);
        times.push(performance.now() - start);
      }
      return { plan, ms: percentile(times, 50) };
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const text = numbered(query.sql);
    const plan = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, query.params)).rows
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await client.query({ name: 'plans_bench', text, values: query.params });
      times.push(performance.now() - start);
    }
    await client.query('DEALLOCATE plans_bench');
    return { plan, ms: percentile(times, 50) };
  } finally {
    await client.end();
  }
}

export async function runPlans(options: { databases: ('sqlite' | 'postgres')[]; sizes: number[] }) {
  const verdicts: string[] = [];
  for (const kind of options.databases) {
    for (const size of options.sizes) {
      const dir = tempDir('gallery-bench-plans-');
      const postgres = kind === 'postgres' ? await postgresDatabase() : null;
      const url = postgres?.url ?? `file:${join(dir.path, 'plans.db')}`;
      try {
        await seed(url, size);
        if (postgres) {
          const client = new Client({ connectionString: url });
          await client.connect();
          await client.query('ANALYZE');
          await client.end();
        }
        const { reader, close } = openDatabase(url);
        try {
          console.log(`\n${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${size} images`);
          for (const sort of SORTS) {
            const pages = [1, Math.min(200, Math.floor(size / 50))];
            const timings: number[] = [];
            for (const page of pages) {
              const { plan, ms } = await explain(kind, url, await pageQuery(reader, sort, page));
              timings.push(ms);
              console.log(`\n  sort=${sort}, page ${page}: median ${ms.toFixed(3)} ms`);
              console.log(
                plan
                  .split('\n')
                  .map((line) => `    ${line}`)
                  .join('\n'),
              );
            }
            const ratio = timings[1] / timings[0];
            verdicts.push(
              verdict(
                ratio <= 1.5,
                `${kind}, ${size} images, sort=${sort}: page ${pages[1]} query ${ratio.toFixed(2)}× page 1 (target ≤ 1.5)`,
              ),
            );
          }
        } finally {
          await close();
        }
      } finally {
        await postgres?.drop();
        dir.remove();
      }
    }
  }
  console.log(`\n${verdicts.join('\n')}`);
}
