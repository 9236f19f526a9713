import { containsPattern, encodeCursor, type ListOptions, type Page } from '../../shared/paging';
import { asDate, type SqlReader } from './sql-reader';

/**
 * The columns a list is paged over. `sortKey` is the case-insensitive sort expression, the one the
 * list's expression index is on (`lower(title)`); each query selects it as "sortKey". `taken`: the
 * expression of the date taken, for lists that sort by it (selected after it the same way).
 * `search`: the text columns `?q=` looks in; or `match`, the condition of a full-text index.
 */
export type ListColumns = {
  id: string;
  created: string;
  sortKey: string;
  taken?: string;
  search: string[];
  match?: (q: string) => Filter;
};
export type Filter = { sql: string; params: unknown[] };

/**
 * WHERE and ORDER BY for one page of a list in keyset order: the cursor is the last row's sort
 * value and id, so a page costs the same however deep it is. Plain SQL valid on both databases.
 */
export function keysetPage(reader: SqlReader, columns: ListColumns, options: ListOptions, filters: Filter[]) {
  const conditions = [...filters];
  if (options.q && columns.match) conditions.push(columns.match(options.q));
  else if (options.q) {
    const pattern = containsPattern(options.q);
    conditions.push({
      sql: `(${columns.search.map((column) => `${reader.foldCase(column)} LIKE ? ESCAPE '\\'`).join(' OR ')})`,
      params: columns.search.map(() => pattern),
    });
  }
  if (options.createdAfter)
    conditions.push({ sql: `${columns.created} > ?`, params: [reader.dateParam(options.createdAfter)] });
  if (options.createdBefore)
    conditions.push({ sql: `${columns.created} < ?`, params: [reader.dateParam(options.createdBefore)] });
  const matching = [...conditions];

  const byCreated = options.sort.endsWith('created');
  const column = byCreated ? columns.created : options.sort.endsWith('taken') ? columns.taken! : columns.sortKey;
  const direction = options.sort.startsWith('-') ? 'DESC' : 'ASC';
  if (options.after) {
    const value = byCreated ? reader.dateParam(new Date(options.after.value)) : options.after.value;
    // Spelled out rather than as a row value `(column, id) > (?, ?)`: SQLite seeks an index on an
    // expression (lower(title)) only for a plain comparison with the column, and would otherwise
    // scan from the first row to the cursor (page 200 cost 10 to 25 times page 1).
    const [inclusive, strict] = direction === 'DESC' ? ['<=', '<'] : ['>=', '>'];
    conditions.push({
      sql: `${column} ${inclusive} ? AND (${column} ${strict} ? OR ${columns.id} ${strict} ?)`,
      params: [value, value, options.after.id],
    });
  }
  const where = (list: Filter[]) => (list.length ? `WHERE ${list.map((f) => f.sql).join(' AND ')}` : '');
  return {
    where: where(conditions),
    params: conditions.flatMap((f) => f.params),
    order: `ORDER BY ${column} ${direction}, ${columns.id} ${direction}`,
    /** The same filters without the cursor, for the total count. */
    countWhere: where(matching),
    countParams: matching.flatMap((f) => f.params),
  };
}

/** Where a row stands in its list: its id, creation time and (sorting by title) sort key. */
export type Position = { id: number; createdAt: unknown; sortKey?: string };

/** Of `limit + 1` raw rows: the page, mapped, and the cursor of the next one. */
export function finishPage<R, T>(
  rows: R[],
  options: ListOptions,
  toItem: (row: R) => T,
  positionOf: (row: R) => Position,
): Page<T> {
  const items = rows.slice(0, options.limit);
  const last = rows.length > options.limit ? positionOf(items[items.length - 1]) : undefined;
  const value =
    last && (options.sort.endsWith('created') ? asDate(last.createdAt).toISOString() : (last.sortKey ?? ''));
  return { items: items.map(toItem), next: last ? encodeCursor(options.sort, value!, last.id) : undefined };
}

export async function countRows(reader: SqlReader, from: string, page: { countWhere: string; countParams: unknown[] }) {
  const [row] = await reader.all<{ n: number | string }>(
    `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM ${from} ${page.countWhere}`,
    page.countParams,
  );
  return Number(row.n);
}
