import type { Filter } from '../../platform/db/keyset';
import type { SqlReader } from '../../platform/db/sql-reader';

/** What an image list may be narrowed to, besides `q` and the creation window. */
export type ImageListFilter = {
  galleryId?: number;
  uploaderId?: number;
  /** Tag names, normalised; an image must have all of them. */
  tags?: string[];
  /** Date taken from (inclusive) and to (inclusive), "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]". */
  takenFrom?: string;
  takenTo?: string;
  /** Camera make and model, compared without regard to case. */
  camera?: string;
  /** Starred (true) or not (false) by this user. */
  favoriteOf?: { userId: number; starred: boolean };
};

/** The date taken as every query sorts and compares it: undated photos as the empty string. */
export const TAKEN = `COALESCE(i."capturedAt", '')`;

/** The most words of a search that count; the rest are ignored. */
const MAX_WORDS = 10;

/** The words of a search: runs of letters and digits, NFC-normalised. */
export function searchWords(q: string): string[] {
  return (q.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_WORDS);
}

/**
 * The full-text condition for `q` on images aliased `i`: every word must be in the title, the
 * description or a tag, the last one as a prefix (search as you type). No stemming: a word
 * matches as written, case folded. Only letters and digits reach the index's query syntax, so
 * nothing a client types is read as an operator. Null when `q` has no word (nothing matches).
 *
 * On SQLite, a search with few matches reads them from the index, then joins and sorts the rows:
 * the cost grows with the number of matches (a word in a sixth of a million images: 0.6 s). A
 * `wide` one (`searchIsWide`) walks the list's own index in order and keeps the rows whose id is in
 * the set of matches, made once for the query (0.05 s for the same word). Checking each row with
 * a search of its own was measured slower still: FTS5 reads a word's whole entry for each row.
 */
export function fullTextMatch(reader: Pick<SqlReader, 'dialect'>, q: string, wide = false): Filter | null {
  const words = searchWords(q);
  if (words.length === 0) return null;
  if (reader.dialect === 'sqlite') {
    // `+`: the same test, but the matching ids do not drive the query (see `searchIsWide`).
    return { sql: `${wide ? '+' : ''}i.id IN (${SQLITE_MATCHES})`, params: [sqliteQuery(words)] };
  }
  const query = words.map((word, n) => `${word}${n === words.length - 1 ? ':*' : ''}`).join(' & ');
  return { sql: `to_tsvector('simple', i."searchText") @@ to_tsquery('simple', ?)`, params: [query] };
}

const SQLITE_MATCHES = `SELECT rowid FROM "ImageSearch" WHERE "ImageSearch" MATCH ?`;
const sqliteQuery = (words: string[]) =>
  words.map((word, n) => `"${word}"${n === words.length - 1 ? '*' : ''}`).join(' ');

/** More matches than this make a search wide (see `searchIsWide`). */
const WIDE_SEARCH = 2000;

/**
 * Whether `q` matches many images (WIDE_SEARCH or more), on SQLite. A wide search reads the
 * list's own index in order and keeps the rows whose id is among the matches (a word in a sixth
 * of a million images: 0.05 s, where reading every match and sorting them took 0.6 s); a narrow
 * one reads its matches and sorts them. At most WIDE_SEARCH matches are counted.
 */
export async function searchIsWide(reader: SqlReader, q: string): Promise<boolean> {
  const words = searchWords(q);
  if (reader.dialect !== 'sqlite' || words.length === 0) return false;
  const [row] = await reader.rows(`SELECT count(*) FROM (${SQLITE_MATCHES} LIMIT ${WIDE_SEARCH})`, [
    sqliteQuery(words),
  ]);
  return Number(row[0]) >= WIDE_SEARCH;
}

/**
 * The ids of these tag names, or null when one of them is no tag at all (nothing can match). The
 * filter then compares ids, which the planner has statistics for.
 */
export async function tagIds(reader: Pick<SqlReader, 'all'>, names: string[]): Promise<number[] | null> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return [];
  const rows = await reader.all<{ id: number }>(
    `SELECT id FROM "Tag" WHERE name IN (${unique.map(() => '?').join(', ')})`,
    unique,
  );
  return rows.length === unique.length ? rows.map((row) => Number(row.id)) : null;
}

/** The day or second after a "YYYY-MM-DD[THH:MM[:SS]]" time, in the same shape: an exclusive upper bound. */
export function justAfter(time: string): string {
  const [date, clock] = time.split('T');
  const parts = clock ? [...clock.split(':'), '00'].slice(0, 3) : ['00', '00', '00'];
  const at = new Date(`${date}T${parts.join(':')}Z`);
  if (clock) at.setUTCSeconds(at.getUTCSeconds() + (clock.split(':').length === 2 ? 60 : 1));
  else at.setUTCDate(at.getUTCDate() + 1);
  const iso = at.toISOString();
  return clock ? iso.slice(0, 19) : iso.slice(0, 10);
}

/** More photos than this in a date range make it wide (see `takenRangeIsWide`). */
const WIDE_RANGE = 2000;

/**
 * Whether the date range of `filter` holds many photos (WIDE_RANGE or more), on SQLite, which
 * plans without statistics: for a list in another order than by date taken, it then reads the
 * list's own index in order and checks each row's date (a range of 3 months of 10 years of a
 * million photos: about 40 rows read for each one shown) rather than read the whole range from
 * the date's index and sort it (0.2 s). A narrow range is still read from the date's index. At
 * most WIDE_RANGE entries of that index are counted.
 */
export async function takenRangeIsWide(reader: SqlReader, filter: ImageListFilter): Promise<boolean> {
  if (reader.dialect !== 'sqlite' || (!filter.takenFrom && !filter.takenTo)) return false;
  const range = takenConditions(filter, TAKEN);
  const [row] = await reader.rows(
    `SELECT count(*) FROM (SELECT 1 FROM "Image" i WHERE ${range.map((f) => f.sql).join(' AND ')} LIMIT ${WIDE_RANGE})`,
    range.flatMap((f) => f.params),
  );
  return Number(row[0]) >= WIDE_RANGE;
}

/** The date range's conditions on `taken` (the date taken, or `+` it: the same, but no index is used). */
function takenConditions(filter: ImageListFilter, taken: string): Filter[] {
  const conditions: Filter[] = [];
  // Dated photos only: the empty string (undated) sorts before every date.
  if (filter.takenFrom) conditions.push({ sql: `${taken} >= ?`, params: [filter.takenFrom] });
  if (filter.takenTo) conditions.push({ sql: `${taken} < ? AND ${taken} <> ''`, params: [justAfter(filter.takenTo)] });
  return conditions;
}

/**
 * The conditions of `filter` on images aliased `i`, its tags given by id (`tagIds`); the date
 * range not by its index when `wideRange` (`takenRangeIsWide`).
 */
export function imageListConditions(
  filter: ImageListFilter & { tagIds?: number[] },
  { wideRange = false }: { wideRange?: boolean } = {},
): Filter[] {
  const conditions: Filter[] = [];
  if (filter.galleryId !== undefined) conditions.push({ sql: 'i."galleryId" = ?', params: [filter.galleryId] });
  if (filter.uploaderId !== undefined) conditions.push({ sql: 'i."uploaderId" = ?', params: [filter.uploaderId] });
  for (const tagId of filter.tagIds ?? []) {
    conditions.push({
      sql: `EXISTS (SELECT 1 FROM "ImageTag" it WHERE it."imageId" = i.id AND it."tagId" = ?)`,
      params: [tagId],
    });
  }
  conditions.push(...takenConditions(filter, wideRange ? `+${TAKEN}` : TAKEN));
  if (filter.camera) conditions.push({ sql: 'lower(i."cameraModel") = lower(?)', params: [filter.camera] });
  if (filter.favoriteOf) {
    const exists = `EXISTS (SELECT 1 FROM "Favorite" f WHERE f."imageId" = i.id AND f."userId" = ?)`;
    conditions.push({ sql: filter.favoriteOf.starred ? exists : `NOT ${exists}`, params: [filter.favoriteOf.userId] });
  }
  return conditions;
}
