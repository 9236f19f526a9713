// `npm run bench` section `scale`, its seed: N images written in bulk straight into the database
// (multi-row INSERTs in big transactions), with titles and descriptions from a word list (a few
// common words, a long tail of rare ones), about three tags each from a vocabulary where a few tags
// are frequent, capture times over ten years, in a few galleries of a few users. The rows carry
// their search text already computed and the database's search triggers are off during the seed
// (SQLite: dropped and created again, then the FTS5 index filled in one go; PostgreSQL: disabled
// and enabled again, the GIN index kept up by the inserts); then ANALYZE.
import bcrypt from 'bcrypt';
import Sqlite from 'better-sqlite3';
import { Client } from 'pg';

import { prepareAppDatabase } from '../../src/app/database';
import { sqliteFilePath } from '../../src/platform/db/client';
import { prng } from './util';

export const PASSWORD = 'bench-password';
/** Words every search finds many of; `sunset` is in about one title or description in six. */
const COMMON = `sunset beach mountain city family street portrait garden river winter summer forest lake night
  market bridge harbor snow flowers dog cat birthday wedding concert museum train road sky clouds church`.split(/\s+/);
const SYLLABLES = 'ka lo mi ra ven tu sel or pa dri ne gos bla um fi zer'.split(' ');
/** A rare word: in one image out of 9,973. */
export const RARE = 'quokka';
const RARE_EVERY = 9973;
/** The tail: 4,096 made-up words, each rare. */
const tail = (n: number) => SYLLABLES[n % 16] + SYLLABLES[(n >> 4) % 16] + SYLLABLES[(n >> 8) % 16];
const POPULAR_TAGS = 'travel family nature friends food architecture animals holiday sports art'.split(' ');
/** 300 tags, the first ones the most used (each image's picks lean to the start of the list). */
export const TAGS = [...POPULAR_TAGS, ...Array.from({ length: 290 }, (_, n) => `${tail(n * 7 + 3)}s`)];
const GALLERIES = 5;
const USERS = 3;
const TEN_YEARS_S = 10 * 365.25 * 86400;
const FIRST_TAKEN = Date.UTC(2016, 0, 1);

export type SeedRow = {
  id: number;
  galleryId: number;
  uploaderId: number;
  title: string;
  description: string;
  capturedAt: string | null;
  created: string;
  tagIds: number[];
  searchText: string;
};

/** Image number `n` (0-based) of the library; ids are n + 1, creation one second apart. */
function imageRow(n: number, next: () => number, ids: { galleries: number[]; users: number[] }, firstCreated: number) {
  const word = () => (next() < 0.7 ? COMMON[Math.floor(next() * COMMON.length)] : tail(Math.floor(next() * 4096)));
  const words = (from: number, spread: number) =>
    Array.from({ length: from + Math.floor(next() * spread) }, word).join(' ');
  const title = words(2, 3).replace(/^./, (c) => c.toUpperCase());
  const description = `${words(6, 7)}${n % RARE_EVERY === RARE_EVERY - 1 ? ` ${RARE}` : ''}`;
  const tagIds = [
    ...new Set(Array.from({ length: 2 + Math.floor(next() * 3) }, () => Math.floor(TAGS.length * next() ** 3))),
  ];
  const names = tagIds.map((t) => TAGS[t]).sort();
  const taken = next() < 0.03 ? null : new Date(FIRST_TAKEN + Math.floor(next() * TEN_YEARS_S) * 1000);
  const gallery = n % ids.galleries.length;
  return {
    id: n + 1,
    galleryId: ids.galleries[gallery],
    uploaderId: ids.users[gallery % ids.users.length],
    title,
    description,
    capturedAt: taken ? taken.toISOString().slice(0, 19) : null,
    created: new Date(firstCreated + n * 1000).toISOString(),
    tagIds: tagIds.map((t) => t + 1),
    searchText: `${title}\n${description}${names.length ? `\n${names.join(' ')}` : ''}`,
  };
}

/** The users (owner of all: the first, whose name is returned), galleries and tags, through Prisma. */
async function seedOwners(url: string) {
  const { db, close } = await prepareAppDatabase(url);
  try {
    const role = await db.role.findUniqueOrThrow({ where: { name: 'beta_player' } });
    const passwordHash = await bcrypt.hash(PASSWORD, 4);
    const users: number[] = [];
    for (let u = 0; u < USERS; u++) {
      const name = `scale${u}`;
      const email = `${name}@example.test`;
      const data = { username: name, usernameLower: name, email, emailLower: email, passwordHash, roleId: role.id };
      users.push((await db.user.create({ data })).id);
    }
    const galleries: number[] = [];
    for (let g = 0; g < GALLERIES; g++)
      galleries.push((await db.gallery.create({ data: { name: `Scale ${g}`, ownerId: users[g % USERS] } })).id);
    await db.tag.createMany({ data: TAGS.map((name, i) => ({ id: i + 1, name })) });
    return { username: 'scale0', userId: users[0], ids: { galleries, users } };
  } finally {
    await close();
  }
}

const BATCH = 500;
const TRANSACTION = 50_000;

/** Calls `write` with the rows of each batch, in transactions of TRANSACTION rows, via `begin`/`commit`. */
async function inBatches(
  count: number,
  ids: { galleries: number[]; users: number[] },
  tx: { begin(): Promise<void> | void; commit(): Promise<void> | void },
  write: (rows: SeedRow[]) => Promise<void> | void,
) {
  const next = prng(20261206);
  const firstCreated = Date.now() - count * 1000;
  for (let start = 0; start < count; start += TRANSACTION) {
    await tx.begin();
    for (let at = start; at < Math.min(count, start + TRANSACTION); at += BATCH) {
      const rows = Array.from({ length: Math.min(BATCH, count - at) }, (_, i) =>
        imageRow(at + i, next, ids, firstCreated),
      );
      await write(rows);
    }
    await tx.commit();
  }
}

const IMAGE_COLUMNS = `"id", "galleryId", "uploaderId", "title", "description", "storageKey", "mimeType", "size", "sha256",
  "width", "height", "capturedAt", "searchText", "createdAt", "updatedAt"`;
const imageValues = (r: SeedRow) => [
  r.id,
  r.galleryId,
  r.uploaderId,
  r.title,
  r.description,
  `${r.id.toString(16).padStart(32, '0')}.jpg`,
  'image/jpeg',
  123_456,
  r.id.toString(16).padStart(64, '0'),
  4000,
  3000,
  r.capturedAt,
];

const SQLITE_TRIGGERS = ['Image_searchText_insert', 'Image_search_insert', 'ImageTag_searchText_insert'];

async function seedSqlite(url: string, count: number, ids: { galleries: number[]; users: number[] }) {
  const db = new Sqlite(sqliteFilePath(url));
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const triggers = SQLITE_TRIGGERS.map(
      (name) =>
        (db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?`).get(name) as { sql: string })
          .sql,
    );
    for (const name of SQLITE_TRIGGERS) db.exec(`DROP TRIGGER "${name}"`);
    const statements = new Map<string, Sqlite.Statement>();
    /** A multi-row INSERT of `rows` rows into `into`, prepared once per size. */
    const insert = (into: string, width: number, rows: number) => {
      const key = `${into}:${rows}`;
      if (!statements.has(key))
        statements.set(
          key,
          db.prepare(
            `INSERT INTO ${into} VALUES ${Array(rows)
              .fill(`(${Array(width).fill('?').join(',')})`)
              .join(',')}`,
          ),
        );
      return statements.get(key)!;
    };
    const tx = { begin: () => void db.exec('BEGIN'), commit: () => void db.exec('COMMIT') };
    await inBatches(count, ids, tx, (rows) => {
      const dated = rows.map((r) => [...imageValues(r), r.searchText, r.created.replace('Z', '+00:00')]);
      insert(`"Image" (${IMAGE_COLUMNS})`, 15, rows.length).run(dated.flatMap((values) => [...values, values[13]]));
      const pairs = rows.flatMap((r) => r.tagIds.map((tag) => [r.id, tag]));
      insert('"ImageTag" ("imageId", "tagId")', 2, pairs.length).run(pairs.flat());
    });
    for (const sql of triggers) db.exec(sql);
    // The index is contentless (no 'rebuild'): filled in one statement from the rows, as the migration does.
    db.exec(`DELETE FROM "ImageSearch"`);
    db.exec(`INSERT INTO "ImageSearch"(rowid, "searchText") SELECT "id", "searchText" FROM "Image"`);
    db.exec('ANALYZE');
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

async function seedPostgres(url: string, count: number, ids: { galleries: number[]; users: number[] }) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ALTER TABLE "Image" DISABLE TRIGGER "Image_searchText"');
    await client.query('ALTER TABLE "ImageTag" DISABLE TRIGGER "ImageTag_searchText"');
    const types = 'int int int text text text text int text int int text text timestamp'.split(' ');
    const unnest = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
    const names = types.map((_, i) => `c${i}`);
    const insertImages = `INSERT INTO "Image" (${IMAGE_COLUMNS})
      SELECT ${names.join(', ')}, c13 FROM unnest(${unnest}) AS t(${names.join(', ')})`;
    const tx = {
      begin: async () => void (await client.query('BEGIN')),
      commit: async () => void (await client.query('COMMIT')),
    };
    await inBatches(count, ids, tx, async (rows) => {
      const values = rows.map((r) => [...imageValues(r), r.searchText, r.created.replace('Z', '')]);
      await client.query(
        insertImages,
        types.map((_, c) => values.map((row) => row[c])),
      );
      const pairs = rows.flatMap((r) => r.tagIds.map((tag) => [r.id, tag]));
      await client.query(`INSERT INTO "ImageTag" ("imageId", "tagId") SELECT * FROM unnest($1::int[], $2::int[])`, [
        pairs.map(([image]) => image),
        pairs.map(([, tag]) => tag),
      ]);
    });
    await client.query('ALTER TABLE "Image" ENABLE TRIGGER "Image_searchText"');
    await client.query('ALTER TABLE "ImageTag" ENABLE TRIGGER "ImageTag_searchText"');
    for (const table of ['Image', 'Tag'])
      await client.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT max(id) FROM "${table}"))`);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/** The library of `count` images; the name of the user who owns the first gallery (password PASSWORD). */
export async function seedScale(kind: 'sqlite' | 'postgres', url: string, count: number) {
  const owners = await seedOwners(url);
  await (kind === 'sqlite' ? seedSqlite : seedPostgres)(url, count, owners.ids);
  return { username: owners.username, userId: owners.userId };
}
