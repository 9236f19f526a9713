import { existsSync, readFileSync } from 'node:fs';

import { packagePath } from '../shared/assets';
import { AppError } from '../shared/errors';

/**
 * The Postman collection of this API, made from the OpenAPI document by the build (scripts/postman.ts,
 * run by scripts/build.mjs whenever the sources changed): the converter is a dev dependency, so a
 * production install serves the file built before, like the rest of dist/.
 */
export const POSTMAN_COLLECTION_PATH = packagePath('dist', 'postman.json');

let collection: unknown;

/** The built collection, read on first use; 404 when this server runs without one (not built). */
export function builtPostmanCollection(): unknown {
  if (collection === undefined) {
    if (!existsSync(POSTMAN_COLLECTION_PATH)) {
      throw new AppError('NOT_FOUND', 'The Postman collection has not been built: run npm run build.');
    }
    collection = JSON.parse(readFileSync(POSTMAN_COLLECTION_PATH, 'utf8')) as unknown;
  }
  return collection;
}
