import { createPageCache } from '../../src/features/images/page-cache';

/** A commit mark the test moves, as commits would. */
function database() {
  let version = 1;
  return { readMark: () => Promise.resolve(String(version)), commit: () => (version += 1) };
}

const pageOf = (chars: number) => ({ items: ['x'.repeat(chars)] });

describe('the page cache', () => {
  it('is off with no room', () => {
    expect(createPageCache(database().readMark, 0)).toBeNull();
  });

  it('keeps a page until anything commits', async () => {
    const { readMark, commit } = database();
    const cache = createPageCache(readMark, 1 << 20)!;
    const miss = await cache.get('a');
    expect(miss.page).toBeUndefined();
    cache.set('a', pageOf(10), (miss as { mark: string }).mark);
    expect((await cache.get('a')).page).toEqual(pageOf(10));
    commit();
    expect((await cache.get('a')).page).toBeUndefined();
  });

  it('does not keep a page read across a commit', async () => {
    const { readMark, commit } = database();
    const cache = createPageCache(readMark, 1 << 20)!;
    const before = (await cache.get('a')) as { mark: string };
    commit();
    await cache.get('b'); // another request sees the commit
    cache.set('a', pageOf(10), before.mark);
    expect((await cache.get('a')).page).toBeUndefined();
  });

  it('drops the least recently used pages past its room, and never keeps one page too large', async () => {
    const { readMark } = database();
    const room = 8 * 1000;
    const cache = createPageCache(readMark, room)!;
    const version = ((await cache.get('none')) as { mark: string }).mark;
    for (const key of ['a', 'b', 'c']) cache.set(key, pageOf(400), version);
    expect((await cache.get('a')).page).toBeDefined(); // now the most recently used
    for (const key of ['d', 'e', 'f', 'g', 'h', 'i', 'j', 'k']) cache.set(key, pageOf(400), version);
    expect((await cache.get('a')).page).toBeDefined();
    expect((await cache.get('b')).page).toBeUndefined();
    cache.set('huge', pageOf(room), version);
    expect((await cache.get('huge')).page).toBeUndefined();
  });
});
