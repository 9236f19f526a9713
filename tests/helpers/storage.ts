import type { TestApp } from './test-app';

/**
 * The upload folder is in step with the database: nothing in `tmp/`, every image row has its
 * original, thumbnail and preview under `images/`, and no file there lacks a row.
 */
export async function expectStorageInStep(t: TestApp) {
  const rows = await t.db.image.findMany({ select: { storageKey: true } });
  const expected = rows.flatMap(({ storageKey }) => {
    const stem = storageKey.slice(0, 32);
    return [storageKey, `${stem}.thumb.webp`, `${stem}.preview.webp`].map((key) => `images/${key.slice(0, 2)}/${key}`);
  });
  expect(t.files().sort()).toEqual(expected.sort());
}
