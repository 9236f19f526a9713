import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Client } from 'pg';

import type { DatabaseSnapshot } from './snapshot-types';

/** Where the PostgreSQL client programs are: a folder named by the caller, else PATH, else Debian's versioned folders. */
export type PostgresTools = { binDir?: string };

/** The parameters of a connection URL that libpq (pg_dump, pg_restore) understands; others are dropped. */
const LIBPQ_PARAMS = new Set([
  'application_name',
  'channel_binding',
  'connect_timeout',
  'gssencmode',
  'keepalives',
  'keepalives_count',
  'keepalives_idle',
  'keepalives_interval',
  'options',
  'passfile',
  'service',
  'sslcert',
  'sslcrl',
  'sslkey',
  'sslmode',
  'sslpassword',
  'sslrootcert',
  'target_session_attrs',
  'tcp_user_timeout',
]);

function newestDebianBin(name: string): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions)
    if (existsSync(join(root, version, 'bin', name))) return join(root, version, 'bin', name);
  return null;
}

/** The path of a PostgreSQL client program, or an error that says what to do. */
export function findPostgresTool(name: 'pg_dump' | 'pg_restore', tools: PostgresTools): string {
  const dirs = tools.binDir ? [tools.binDir] : (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  const debian = tools.binDir ? null : newestDebianBin(name);
  if (debian) return debian;
  throw new Error(
    `${name} was not found ${tools.binDir ? `in ${tools.binDir}` : 'on PATH'}: install the PostgreSQL client ` +
      `programs of the server's major version or newer (Debian, Ubuntu: apt install postgresql-client), or name ` +
      `their folder with --pg-bin. Without them, see "PostgreSQL without pg_dump" in docs/backup.md.`,
  );
}

/** The URL for libpq without its password (which goes in PGPASSWORD, out of the process list). */
function libpqTarget(url: string): { uri: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) if (!LIBPQ_PARAMS.has(name)) parsed.searchParams.delete(name);
  return { uri: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

function run(program: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(program, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('close', (code, signal) => {
      if (code === 0) done();
      else fail(new Error(`${program} failed (${code ?? signal}): ${stderr.trim()}`));
    });
  });
}

/**
 * A repeatable-read transaction exports its snapshot; `pg_dump --snapshot` writes exactly that
 * state; the queries run in the same transaction, which ends with `close`.
 */
export async function snapshotPostgres(url: string, file: string, tools: PostgresTools): Promise<DatabaseSnapshot> {
  const pgDump = findPostgresTool('pg_dump', tools);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
    const target = libpqTarget(url);
    await run(
      pgDump,
      [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--snapshot=${rows[0].snapshot}`,
        `--file=${file}`,
        target.uri,
      ],
      target.env,
    );
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    kind: 'postgres',
    file,
    query: async <T>(sql: string) => (await client.query(sql)).rows as T[],
    async close() {
      await client.query('COMMIT').catch(() => undefined);
      await client.end();
    },
  };
}

/** Drops every table, sequence and function of the connection's schema, in one transaction. */
const CLEAR_SCHEMA = `DO $$
DECLARE item record;
BEGIN
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
  END LOOP;
  FOR item IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', item.sequencename);
  END LOOP;
  FOR item IN SELECT oid::regprocedure AS signature FROM pg_proc WHERE pronamespace = current_schema()::regnamespace LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
  END LOOP;
END $$`;

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function clearPostgres(url: string): Promise<void> {
  return withClient(url, async (client) => {
    await client.query(CLEAR_SCHEMA);
  });
}

/** The schema emptied, then `pg_restore` of the archive in one transaction, stopping at the first error. */
export async function restorePostgres(url: string, file: string, tools: PostgresTools): Promise<void> {
  const pgRestore = findPostgresTool('pg_restore', tools);
  await clearPostgres(url);
  const target = libpqTarget(url);
  await run(
    pgRestore,
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${target.uri}`, file],
    target.env,
  );
}

export function postgresTableCounts(url: string, tables: string[]): Promise<Record<string, number>> {
  return withClient(url, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      if (!/^\w+$/.test(table)) throw new Error(`not a table name: ${table}`);
      const { rows } = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
        `"${table}"`,
      ]);
      if (!rows[0].found) continue;
      counts[table] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);
    }
    return counts;
  });
}
