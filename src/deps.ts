import type { Config } from './config';
import type { Database } from './db/client';
import type { SqlReader } from './db/sql-reader';
import type { Logger } from './logger';
import type { Storage } from './storage/storage';

/** What buildApp needs from the outside world; tests pass their own. */
export type AppDeps = {
  config: Config;
  db: Database;
  reader: SqlReader;
  storage: Storage;
  logger: Logger;
};
