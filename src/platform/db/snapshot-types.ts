export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * A consistent copy of the whole database, written to a file, and the same state open for reads:
 * every query sees exactly what the file holds, whatever the server commits meanwhile.
 */
export type DatabaseSnapshot = {
  kind: DatabaseKind;
  /** SQLite: a database file (the online backup API); PostgreSQL: a `pg_dump` archive in custom format. */
  file: string;
  /** Plain SQL against the snapshot's state (quoted names work on both databases). */
  query<T>(sql: string): Promise<T[]>;
  close(): Promise<void>;
};
