import type { Config } from '../shared/config';
import type { Database } from '../platform/db/client';
import type { ChangeFeed } from '../platform/db/notifications';
import type { SqlReader } from '../platform/db/sql-reader';
import type { Logger } from '../shared/logger';
import type { Storage } from '../platform/storage/storage';

/** What buildApp needs from the outside world; tests pass their own. */
export type AppDeps = {
  config: Config;
  db: Database;
  reader: SqlReader;
  /** What other connections change in the database, as they commit. */
  changes: ChangeFeed;
  storage: Storage;
  logger: Logger;
};
