import { createHash } from 'node:crypto';
import type { Database as SqliteConnection } from 'better-sqlite3';

/**
 * SQL that writes JSON text exactly as JavaScript's JSON.stringify would write the same value read
 * by the readers (sql-reader.ts): for replies built by the database, byte for byte the replies
 * built in JavaScript. Each method takes an SQL expression and gives an SQL expression of text.
 *
 * Strings: SQLite's json_quote and PostgreSQL's to_json escape as JSON.stringify does (`"`, `\`,
 * \b \f \n \r \t, other control characters as \u00xx, nothing else); neither database stores a
 * lone surrogate, the one thing JSON.stringify escapes besides. Floating-point numbers are where the
 * databases differ from JavaScript (SQLite writes 17 digits, PostgreSQL `6.25e-05`): each has a
 * function of its own (SQLite: one in JavaScript, on the connection; PostgreSQL: one made by a
 * migration) that writes them as JavaScript does.
 */
export interface SqlJson {
  /** A text column (or null). */
  text(expression: string): string;
  /** An integer column (or null). */
  integer(expression: string): string;
  /** A floating-point column (or null). */
  number(expression: string): string;
  /** A boolean column: `true` or `false`. */
  boolean(expression: string): string;
  /** A stored time as a JSON string of its ISO-8601 UTC text (`asIsoTimestamp`). */
  timestamp(expression: string): string;
  /** A JSON array of the texts `value` takes in `fromWhere` (`FROM … WHERE …`), in code point order. */
  textArray(value: string, fromWhere: string): string;
  /** The SHA-256 of a text, as 64 hex digits (not JSON: a part of one). */
  sha256Hex(expression: string): string;
  /** A join, after a query's FROM, that computes `value` once for each row, as `alias.value`. */
  perRow(value: string, alias: string): string;
}

const SQLITE_NUMBER = 'gallery_json_number';
const SQLITE_TIMESTAMP = 'gallery_json_timestamp';
const SQLITE_SHA256 = 'gallery_sha256_hex';
const PG_NUMBER = 'gallery_json_number';

/** At most this many texts' digests are kept (the storage keys of a few hundred pages). */
const DIGESTS_KEPT = 20_000;

/**
 * The functions behind SQLite's SqlJson, on `connection`: the number as JavaScript writes it, the
 * time as `isoTimestamp` writes it, and a SHA-256 remembered for the texts asked for recently (the
 * same storage keys come back with every page).
 */
export function defineSqliteJsonFunctions(connection: SqliteConnection, isoTimestamp: (value: unknown) => string) {
  connection.function(SQLITE_NUMBER, { deterministic: true }, (value: unknown) =>
    value === null ? 'null' : JSON.stringify(value),
  );
  connection.function(SQLITE_TIMESTAMP, { deterministic: true }, (value: unknown) =>
    JSON.stringify(isoTimestamp(value)),
  );
  const digests = new Map<string, string>();
  connection.function(SQLITE_SHA256, { deterministic: true }, (value: unknown) => {
    const text = String(value);
    let digest = digests.get(text);
    if (digest === undefined) {
      if (digests.size >= DIGESTS_KEPT) digests.clear();
      digest = createHash('sha256').update(text).digest('hex');
      digests.set(text, digest);
    }
    return digest;
  });
}

export const sqliteJson: SqlJson = {
  text: (e) => `json_quote(${e})`,
  integer: (e) => `json_quote(${e})`,
  // In SQL where it can be: null; then %.15g (trailing zeros dropped) when it is the number again and
  // in fixed notation, which makes it JavaScript's shortest digits (a shorter text that is the same
  // number would round to these 15 digits) and its notation (fixed from 1e-4 on). Else the function.
  number: (e) =>
    `CASE WHEN ${e} IS NULL THEN 'null' WHEN ${e} = 0 THEN '0' WHEN instr(printf('%.15g', ${e}), 'e') = 0 AND CAST(printf('%.15g', ${e}) AS REAL) = ${e} THEN printf('%.15g', ${e}) ELSE ${SQLITE_NUMBER}(${e}) END`,
  boolean: (e) => `CASE WHEN ${e} THEN 'true' ELSE 'false' END`,
  // Prisma's fixed-width `…+00:00` rewritten in SQL; any other form by the function.
  timestamp: (e) =>
    `CASE WHEN length(${e}) = 29 AND substr(${e}, 24) = '+00:00' THEN '"' || substr(${e}, 1, 23) || 'Z"' ELSE ${SQLITE_TIMESTAMP}(${e}) END`,
  // SQLite's text order is by bytes of UTF-8: the order of code points.
  textArray: (value, fromWhere) => `(SELECT json_group_array(${value} ORDER BY ${value}) ${fromWhere})`,
  sha256Hex: (e) => `${SQLITE_SHA256}(${e})`,
  // A table-valued function of the row: one row, its value computed once.
  perRow: (value, alias) => `JOIN json_each(json_array(${value})) ${alias}`,
};

export const postgresJson: SqlJson = {
  text: (e) => `COALESCE(to_json(${e})::text, 'null')`,
  integer: (e) => `COALESCE((${e})::text, 'null')`,
  // PostgreSQL's own text where it is JavaScript's (fixed notation: no `e`), else the function.
  number: (e) =>
    `CASE WHEN ${e} IS NULL THEN 'null' WHEN ${e} = 0 THEN '0' WHEN strpos((${e})::text, 'e') = 0 THEN (${e})::text ELSE ${PG_NUMBER}(${e}) END`,
  boolean: (e) => `CASE WHEN ${e} THEN 'true' ELSE 'false' END`,
  // timestamp(3) without time zone, holding UTC.
  timestamp: (e) => `('"' || to_char(${e}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"')`,
  // The "C" collation orders UTF-8 text by bytes: the order of code points.
  textArray: (value, fromWhere) =>
    `('[' || COALESCE((SELECT string_agg(to_json(${value})::text, ',' ORDER BY ${value} COLLATE "C") ${fromWhere}), '') || ']')`,
  sha256Hex: (e) => `encode(sha256(convert_to(${e}, 'UTF8')), 'hex')`,
  perRow: (value, alias) => `CROSS JOIN LATERAL (SELECT ${value} AS value) ${alias}`,
};
