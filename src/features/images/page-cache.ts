import type { Page } from '../../shared/paging';

/** What a page lookup found: the page, or the database's commit mark to store a new one under. */
export type PageLookup = { page: Page<string> } | { page?: undefined; mark: string };

export type PageCache = {
  /** The page stored under this key, if the database has not changed since it was read. */
  get(key: string): Promise<PageLookup>;
  /** Keeps a page read after `get` answered `mark`, unless the database changed meanwhile. */
  set(key: string, page: Page<string>, mark: string): void;
};

/**
 * Pages of images as their replies' JSON text, per process, kept while the database does not
 * change: the database's commit mark (`SqlReader.commitMark`: SQLite's data version, PostgreSQL's
 * current snapshot) is read at each lookup, and when any transaction has ended since the last one,
 * by any connection, process or node, every page goes. A page is never one change behind: the
 * mark is read before the page, and kept with it only if no lookup saw it move meanwhile. Least
 * recently used pages go first when the cache holds more than `maxBytes` of text. Null when
 * `maxBytes` is 0.
 */
export function createPageCache(readMark: () => Promise<string>, maxBytes: number): PageCache | null {
  if (maxBytes <= 0) return null;
  const entries = new Map<string, { page: Page<string>; bytes: number }>();
  let mark: string | undefined;
  let bytes = 0;

  const drop = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  };

  return {
    async get(key) {
      const now = await readMark();
      if (now !== mark) {
        mark = now;
        entries.clear();
        bytes = 0;
        return { mark: now };
      }
      const entry = entries.get(key);
      if (!entry) return { mark: now };
      // Most recently used last: the map's order is the order of eviction.
      entries.delete(key);
      entries.set(key, entry);
      return { page: entry.page };
    },
    set(key, page, readAt) {
      if (readAt !== mark) return;
      // Two bytes a character: what the strings hold in memory at most.
      let size = 2 * key.length + 64;
      for (const item of page.items) size += 2 * item.length;
      if (size > maxBytes / 8) return; // one page never takes the room of many
      drop(key);
      entries.set(key, { page, bytes: size });
      bytes += size;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        drop(oldest);
      }
    },
  };
}
