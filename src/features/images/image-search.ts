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
 * On SQLite the matching ids come from the index, then the rows are joined and sorted: the cost
 * grows with the number of matches (a word in a sixth of 100,000 images: about 0.1 s). Walking the
 * list's index in order and checking each row against the search index instead was measured
 * slower (0.34 s, and 3 s with another selective filter): FTS5 reads a word's whole entry again
 * for each row checked.
 */
export function fullTextMatch(reader: Pick<SqlReader, 'dialect'>, q: string): Filter | null {
  const words = searchWords(q);
  if (words.length === 0) return null;
  if (reader.dialect === 'sqlite') {
    const query = words.map((word, n) => `"${word}"${n === words.length - 1 ? '*' : ''}`).join(' ');
    return { sql: `i.id IN (SELECT rowid FROM "ImageSearch" WHERE "ImageSearch" MATCH ?)`, params: [query] };
  }
  const query = words.map((word, n) => `${word}${n === words.length - 1 ? ':*' : ''}`).join(' & ');
  return { sql: `to_tsvector('simple', i."searchText") @@ to_tsquery('simple', ?)`, params: [query] };
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

/** The conditions of `filter` on images aliased `i`, its tags given by id (`tagIds`). */
export function imageListConditions(filter: ImageListFilter & { tagIds?: number[] }): Filter[] {
  const conditions: Filter[] = [];
  if (filter.galleryId !== undefined) conditions.push({ sql: 'i."galleryId" = ?', params: [filter.galleryId] });
  if (filter.uploaderId !== undefined) conditions.push({ sql: 'i."uploaderId" = ?', params: [filter.uploaderId] });
  for (const tagId of filter.tagIds ?? []) {
    conditions.push({
      sql: `EXISTS (SELECT 1 FROM "ImageTag" it WHERE it."imageId" = i.id AND it."tagId" = ?)`,
      params: [tagId],
    });
  }
  // Dated photos only: the empty string (undated) sorts before every date.
  if (filter.takenFrom) conditions.push({ sql: `${TAKEN} >= ?`, params: [filter.takenFrom] });
  if (filter.takenTo) conditions.push({ sql: `${TAKEN} < ? AND ${TAKEN} <> ''`, params: [justAfter(filter.takenTo)] });
  if (filter.camera) conditions.push({ sql: 'lower(i."cameraModel") = lower(?)', params: [filter.camera] });
  if (filter.favoriteOf) {
    const exists = `EXISTS (SELECT 1 FROM "Favorite" f WHERE f."imageId" = i.id AND f."userId" = ?)`;
    conditions.push({ sql: filter.favoriteOf.starred ? exists : `NOT ${exists}`, params: [filter.favoriteOf.userId] });
  }
  return conditions;
}
