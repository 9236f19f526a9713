import { readFileSync } from 'node:fs';

import { COLLECTION_PATH, postmanCollection } from '../../scripts/postman';
import { startTestApp, type TestApp } from '../helpers/test-app';

type Item = { name: string; item?: Item[]; request?: { auth?: { type: string } } };
const requests = (items: Item[]): Item[] => items.flatMap((item) => (item.item ? requests(item.item) : [item]));

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the Postman collection', () => {
  it('is up to date with the API (regenerate with npm run postman)', async () => {
    const committed = JSON.parse(readFileSync(COLLECTION_PATH, 'utf8'));
    const fresh = JSON.parse(JSON.stringify(await postmanCollection()));
    const names = (c: { item: Item[] }) =>
      requests(c.item)
        .map((r) => r.name)
        .sort();
    expect(names(committed)).toEqual(names(fresh));
  });

  it('has one request per route, a token variable, and sends the token only where it is needed', () => {
    const collection = JSON.parse(readFileSync(COLLECTION_PATH, 'utf8'));
    const all = requests(collection.item);
    expect(all).toHaveLength(t.app.locals.routes.length);
    expect(collection.variable).toEqual(expect.arrayContaining([{ key: 'token', value: '' }]));
    expect(JSON.stringify(collection.auth)).toContain('Token {{token}}');
    const publicCount = t.app.locals.routes.filter((route) => route.access === 'public').length;
    expect(all.filter((r) => r.request?.auth?.type === 'noauth')).toHaveLength(publicCount);
  });
});
