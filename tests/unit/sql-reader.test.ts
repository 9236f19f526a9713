import { asDate, asIsoTimestamp, pgTimestampToIso } from '../../src/platform/db/sql-reader';

describe("PostgreSQL's timestamp text", () => {
  it.each([
    ['2026-12-02 01:55:19', '2026-12-02T01:55:19.000Z'],
    ['2026-12-02 01:55:19.5', '2026-12-02T01:55:19.500Z'],
    ['2026-12-02 01:55:19.53', '2026-12-02T01:55:19.530Z'],
    ['2026-12-02 01:55:19.537', '2026-12-02T01:55:19.537Z'],
  ])('reads %s as %s, the same instant a Date would give', (text, iso) => {
    expect(pgTimestampToIso(text)).toBe(iso);
    expect(asIsoTimestamp(pgTimestampToIso(text))).toBe(iso);
    expect(asDate(pgTimestampToIso(text)).toISOString()).toBe(new Date(`${text.replace(' ', 'T')}Z`).toISOString());
  });
});
