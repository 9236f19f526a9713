// `npm run postman`: writes dist/postman.json, the Postman collection the server serves at
// GET /api/postman.json, from the OpenAPI document, with a `baseUrl` variable (default
// http://localhost:8000) and a `token` variable used by every request that needs one
// (Authorization: Token {{token}}). The build (scripts/build.mjs) runs it whenever the sources changed;
// the converter, openapi-to-postmanv2, is a dev dependency, so a production install keeps serving the
// file built before.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Converter from 'openapi-to-postmanv2';

import { version } from '../package.json';
import { buildApp } from '../src/app/app';
import { POSTMAN_COLLECTION_PATH } from '../src/app/postman';
import { buildOpenApiDocument } from '../src/http/openapi';
import { openDatabase } from '../src/platform/db/client';
import { createDiskStorage } from '../src/platform/storage/disk-storage';
import { loadConfig } from '../src/shared/config';
import { createLogger } from '../src/shared/logger';

type PostmanItem = { item?: PostmanItem[]; request?: { auth?: unknown } };
type Collection = { variable?: { key: string; value: string }[]; auth?: unknown; [key: string]: unknown };

/** The route table of an app that is built but never started: no database is touched. */
export async function postmanCollection(): Promise<Collection> {
  const dir = mkdtempSync(join(tmpdir(), 'gallery-postman-'));
  const url = `file:${join(dir, 'unused.db')}`;
  const { db, reader, changes, close } = openDatabase(url);
  try {
    const config = loadConfig({ DATABASE_URL: url, UPLOAD_DIR: join(dir, 'uploads'), LOG_LEVEL: 'silent' });
    const app = buildApp({
      config,
      db,
      reader,
      changes,
      storage: await createDiskStorage(config.uploadDir),
      logger: createLogger('silent'),
    });
    const document = {
      ...buildOpenApiDocument(app.locals.routes, { title: 'Gallery Server', version }),
      servers: [{ url: 'http://localhost:8000' }],
    };
    const collection = await new Promise<Collection>((resolve, reject) => {
      Converter.convert(
        { type: 'json', data: document },
        { folderStrategy: 'Tags', requestNameSource: 'Fallback' },
        (error, result) => {
          if (error) return reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          if (!result?.result || !result.output?.[0]) return reject(new Error(result?.reason ?? 'conversion failed'));
          resolve(result.output[0].data as Collection);
        },
      );
    });
    // Secured requests inherit the collection's `Token {{token}}`; public ones send no credentials.
    const visit = (items: PostmanItem[]) => {
      for (const item of items) {
        if (item.item) visit(item.item);
        else if (item.request) {
          if (item.request.auth) delete item.request.auth;
          else item.request.auth = { type: 'noauth' };
        }
      }
    };
    visit(collection.item as PostmanItem[]);
    collection.variable = [
      { key: 'baseUrl', value: 'http://localhost:8000' },
      { key: 'token', value: '' },
    ];
    collection.auth = {
      type: 'apikey',
      apikey: [
        { key: 'key', value: 'Authorization', type: 'string' },
        { key: 'value', value: 'Token {{token}}', type: 'string' },
        { key: 'in', value: 'header', type: 'string' },
      ],
    };
    return collection;
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  postmanCollection().then(
    (collection) => {
      // Whole or not at all: a server may be reading it (a test run, a server started meanwhile).
      mkdirSync(join(POSTMAN_COLLECTION_PATH, '..'), { recursive: true });
      writeFileSync(`${POSTMAN_COLLECTION_PATH}.tmp`, `${JSON.stringify(collection, null, 2)}\n`);
      renameSync(`${POSTMAN_COLLECTION_PATH}.tmp`, POSTMAN_COLLECTION_PATH);
      console.log(`wrote ${POSTMAN_COLLECTION_PATH}`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
