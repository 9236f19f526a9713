/** Which database the suite runs on, and where global setup left its template. */
export type TestDbKind = 'sqlite' | 'postgres';

export function testDbKind(): TestDbKind {
  const kind = process.env.TEST_DB ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`TEST_DB must be sqlite or postgres, not ${kind}`);
  return kind;
}

export function postgresBaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL (npm test starts a cluster and sets it)');
  return url;
}

/** The same server, another database name. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
