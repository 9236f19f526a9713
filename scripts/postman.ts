// `npm run postman`: writes dist/postman.json, the Postman collection the server serves at
// GET /api/postman.json, from the OpenAPI document, with a `baseUrl` variable (default
// http://localhost:8000) and a `token` variable used by every request that needs one
// (Authorization: Token {{token}}). The build (scripts/build.mjs) runs it whenever the sources changed;
// the converter, openapi-to-postmanv2, is a dev dependency, so a production install keeps serving the
// file built before.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Converter from 'openapi-to-postmanv2';

import { POSTMAN_COLLECTION_PATH } from '../src/app/postman';
import { openApiDocument } from './web-api';

type PostmanItem = { item?: PostmanItem[]; request?: { auth?: unknown } };
type Collection = { variable?: { key: string; value: string }[]; auth?: unknown; [key: string]: unknown };

/** The collection of the OpenAPI document the server serves (web-api.ts: no database is touched). */
export async function postmanCollection(): Promise<Collection> {
  const document = { ...(await openApiDocument()), servers: [{ url: 'http://localhost:8000' }] };
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
