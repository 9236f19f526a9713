import Database from 'better-sqlite3';

import { visibleGalleries, type Viewer } from '../../src/features/galleries/galleries.access';
import { canModifyGallery, canWriteToGallery } from '../../src/features/galleries/galleries.policy';
import { quotaBytesOf, quotaRefusal } from '../../src/features/images/image-quota';
import { canSeeOriginal, canTakeOut } from '../../src/features/images/images.policy';
import { databaseFailureOf } from '../../src/platform/db/errors';
import { finishPage, keysetPage, type ListColumns } from '../../src/platform/db/keyset';
import { sqliteJson } from '../../src/platform/db/sql-json';
import type { SqlReader } from '../../src/platform/db/sql-reader';
import type { Actor } from '../../src/shared/actor';
import { listOptions, SORTS, type Sort } from '../../src/shared/paging';

/*
 * The rules that are pure decisions, tested without a server: who may do what to an image and a
 * gallery, the quota, the visibility condition and the keyset cursor (on an in-memory SQLite
 * table, through the same SQL the repositories send).
 */

const actor = (id: number, role: string | null = 'beta_player'): Actor => ({
  id,
  username: `user${id}`,
  email: `user${id}@example.test`,
  role,
  permissions: new Set(),
  tokenId: 1,
  scope: 'read-write',
  address: null,
  account: { isActive: true, storageQuotaMb: null, createdAt: new Date(), lastLoginAt: null },
});

describe('who may do what to an image', () => {
  // Alice (1) owns the gallery, Bob (2) uploaded the image, Carol (3) is anyone else, Dan (4) an admin.
  const image = { uploaderId: 2, gallery: { ownerId: 1 } };
  it.each([
    ['the gallery owner', actor(1), true],
    ['the uploader', actor(2), true],
    ['an admin', actor(4, 'admin'), true],
    ['anyone else, an editor of the gallery included', actor(3), false],
  ])('%s: take it out of its gallery and see its original → %s', (_who, who, allowed) => {
    expect(canTakeOut(who, image)).toBe(allowed);
    expect(canSeeOriginal(who, image, 'owners')).toBe(allowed);
    expect(canSeeOriginal(who, image, 'everyone')).toBe(true);
  });
});

describe('who may manage and fill a gallery', () => {
  const gallery = (memberRole: 'viewer' | 'editor' | null) => ({ ownerId: 1, memberRole });
  it.each([
    ['its owner', actor(1), null, true, true],
    ['an admin', actor(4, 'admin'), null, true, true],
    ['an editor', actor(3), 'editor', false, true],
    ['a viewer', actor(3), 'viewer', false, false],
    ['anyone else', actor(3), null, false, false],
  ] as const)('%s: manage → %s, add and change images → %s', (_who, who, role, manage, write) => {
    expect(canModifyGallery(who, gallery(role))).toBe(manage);
    expect(canWriteToGallery(who, gallery(role))).toBe(write);
  });
});

describe('the storage quota', () => {
  const MIB = 1024 * 1024;
  it('lets a file in that fills the quota exactly, and refuses one byte more, saying by how much', () => {
    expect(quotaRefusal(MIB / 2, MIB, MIB / 2)).toBeNull();
    expect(quotaRefusal(MIB / 2, MIB, MIB / 2 + 1)).toBe(
      'Storage quota exceeded: 0.5 MiB of 1.0 MiB used; this file needs 0.5 MiB.',
    );
  });
  it('counts what a new file replaces as freed', () => {
    expect(quotaRefusal(MIB, MIB, MIB / 4)).not.toBeNull();
    expect(quotaRefusal(MIB, MIB, MIB / 4, MIB / 4)).toBeNull();
  });
  it("takes a user's own quota over the server's default", () => {
    expect(quotaBytesOf(null, 5 * MIB)).toBe(5 * MIB);
    expect(quotaBytesOf(2, 5 * MIB)).toBe(2 * MIB);
    expect(quotaBytesOf(0, 5 * MIB)).toBe(0);
  });
});

/** An in-memory SQLite behind the reader interface the repositories use. */
function memoryReader(db: Database.Database): SqlReader {
  return {
    all: <T>(sql: string, params: unknown[]) => Promise.resolve(db.prepare(sql).all(...params) as T[]),
    rows: (sql: string, params: unknown[]) =>
      Promise.resolve(
        db
          .prepare(sql)
          .raw(true)
          .all(...params) as unknown[][],
      ),
    dateParam: (date: Date) => date.toISOString(),
    foldCase: (expression: string) => `lower(${expression})`,
    dialect: 'sqlite',
    json: sqliteJson,
    commitMark: () => Promise.resolve(String(db.pragma('data_version', { simple: true }))),
  };
}

describe('the visibility condition', () => {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE "Gallery" (id INTEGER PRIMARY KEY, "ownerId" INTEGER, "visibility" TEXT);
           CREATE TABLE "GalleryMember" ("galleryId" INTEGER, "userId" INTEGER, role TEXT);
           INSERT INTO "Gallery" VALUES (1, 1, 'shared'), (2, 1, 'private'), (3, 2, 'private'), (4, 3, 'private');
           CREATE TABLE "GroupMember" ("groupId" INTEGER, "userId" INTEGER);
           CREATE TABLE "GalleryGroupMember" ("galleryId" INTEGER, "groupId" INTEGER, role TEXT);
           INSERT INTO "GalleryMember" VALUES (2, 2, 'viewer'), (4, 2, 'editor');
           INSERT INTO "GroupMember" VALUES (7, 5), (8, 6);
           INSERT INTO "GalleryGroupMember" VALUES (3, 7, 'viewer');`);
  const visibleTo = (viewer: Viewer) => {
    const condition = visibleGalleries(viewer, 'g');
    const where = condition ? `WHERE ${condition.sql}` : '';
    const rows = db.prepare(`SELECT g.id FROM "Gallery" g ${where} ORDER BY g.id`).all(...(condition?.params ?? []));
    return (rows as { id: number }[]).map((row) => row.id);
  };
  afterAll(() => db.close());

  it.each([
    ['the owner of two', { userId: 1, admin: false }, [1, 2]],
    ['a member of two, owner of one', { userId: 2, admin: false }, [1, 2, 3, 4]],
    ['the owner of one only', { userId: 3, admin: false }, [1, 4]],
    ['a stranger', { userId: 9, admin: false }, [1]],
    ['a member of a group that is a member of one', { userId: 5, admin: false }, [1, 3]],
    ['a member of a group that is a member of none', { userId: 6, admin: false }, [1]],
    ['an admin', { userId: 9, admin: true }, [1, 2, 3, 4]],
    ['anyone (a share link names its gallery)', 'anyone', [1, 2, 3, 4]],
  ] as [string, Viewer, number[]][])('keeps for %s the galleries %j', (_who, viewer, expected) => {
    expect(visibleTo(viewer)).toEqual(expected);
  });
});

describe('the keyset cursor', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE item (id INTEGER PRIMARY KEY, title TEXT, created TEXT, taken TEXT)');
  // Titles and times repeat, so that the id has to break ties; some items have no date taken.
  const insert = db.prepare('INSERT INTO item (id, title, created, taken) VALUES (?, ?, ?, ?)');
  for (let id = 1; id <= 40; id++) {
    insert.run(
      id,
      ['Beta', 'alpha', 'Gamma', 'delta'][id % 4],
      new Date(Date.UTC(2026, 0, 1 + (id % 7))).toISOString(),
      id % 5 === 0 ? null : `2024-0${1 + (id % 3)}-01T10:00:00`,
    );
  }
  const TAKEN = "COALESCE(taken, '')";
  const reader = memoryReader(db);
  const columns: ListColumns = {
    id: 'id',
    created: 'created',
    sortKey: 'lower(title)',
    taken: TAKEN,
    search: ['title'],
  };
  const keyOf = (sort: Sort) =>
    sort.endsWith('created') ? 'created' : sort.endsWith('taken') ? TAKEN : 'lower(title)';
  afterAll(() => db.close());

  async function walk(sort: Sort, limit: number) {
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const options = listOptions({ sort, count: false, limit, cursor });
      const page = keysetPage(reader, columns, options, []);
      const rows = await reader.rows(
        `SELECT id, created, ${keyOf(sort)} FROM item ${page.where} ${page.order} LIMIT ?`,
        [...page.params, limit + 1],
      );
      const result = finishPage(
        rows,
        options,
        (row) => row[0] as number,
        (row) => ({
          id: row[0] as number,
          createdAt: row[1],
          sortKey: row[2] as string,
        }),
      );
      seen.push(...result.items);
      cursor = result.next;
    } while (cursor);
    return seen;
  }

  it.each(SORTS)('walks every row once, in order, page by page, sorted by %s', async (sort) => {
    const order = `${keyOf(sort)} ${sort.startsWith('-') ? 'DESC' : 'ASC'}`;
    const expected = (
      db.prepare(`SELECT id FROM item ORDER BY ${order}, id ${sort.startsWith('-') ? 'DESC' : 'ASC'}`).all() as {
        id: number;
      }[]
    ).map((row) => row.id);
    for (const limit of [1, 7, 40, 100]) expect(await walk(sort, limit)).toEqual(expected);
  });

  it('refuses a cursor made for another order, and one that was tampered with', () => {
    const options = listOptions({ sort: 'title', count: false, limit: 5 });
    const page = keysetPage(reader, columns, options, []);
    expect(page.where).toBe('');
    const cursor = Buffer.from(JSON.stringify({ s: 'title', v: 'beta', id: 3 })).toString('base64url');
    expect(() => listOptions({ sort: '-created', count: false, limit: 5, cursor })).toThrow(/another sort order/);
    expect(() => listOptions({ sort: 'title', count: false, limit: 5, cursor: `${cursor}x` })).toThrow(
      /Invalid cursor/,
    );
  });
});

describe('database failures worth trying again', () => {
  it('are "unavailable" (503): a busy pool, a deadlock, a serialization failure, a lock timeout', () => {
    const driver = (originalCode: string, originalMessage = '') => ({
      name: 'DriverAdapterError',
      message: 'x',
      meta: { driverAdapterError: { cause: { originalCode, originalMessage } } },
    });
    expect(
      databaseFailureOf({
        name: 'PrismaClientKnownRequestError',
        code: 'P2028',
        message: 'Transaction already closed',
      }),
    ).toBe('unavailable');
    expect(databaseFailureOf(driver('40P01', 'deadlock detected'))).toBe('unavailable');
    expect(databaseFailureOf(driver('40001'))).toBe('unavailable');
    expect(databaseFailureOf(driver('55P03'))).toBe('unavailable');
    expect(databaseFailureOf({ name: 'PrismaClientKnownRequestError', code: 'P2002', message: 'unique' })).toBe(
      'unique-violation',
    );
    expect(databaseFailureOf(driver('42601', 'syntax error'))).toBeNull();
  });
});
