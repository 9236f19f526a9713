// Measures taken in the page: what sticks out of the viewport, and the rows of the justified grid.
import type { Page } from 'playwright-core';

/**
 * How wide the page is (its scroll width) and the visible controls that lie outside the viewport's
 * `viewport` pixels, wholly or partly (the skip link, off-screen until focused, aside). The width is
 * given: a phone's browser zooms a page too wide out, and then innerWidth is the page's.
 */
export function overflowOf(page: Page, viewport: number): Promise<{ width: number; outside: string[] }> {
  return page.evaluate((innerWidth) => {
    const outside: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>('a, button, input, select, textarea')) {
      const box = element.getBoundingClientRect();
      if (box.width <= 1 || box.height <= 1 || element.classList.contains('skip')) continue;
      if (box.left < -0.5 || box.right > innerWidth + 0.5) {
        const name = element.getAttribute('aria-label') ?? element.textContent?.trim() ?? element.getAttribute('name');
        outside.push(`<${element.tagName.toLowerCase()}> ${name} (${Math.round(box.left)}–${Math.round(box.right)})`);
      }
    }
    return { width: document.documentElement.scrollWidth, outside };
  }, viewport);
}

/** The grid's width and its rows (tiles on one line): each row's width and how many tile heights it has. */
export function rowsOf(
  page: Page,
): Promise<{ container: number; rows: { tiles: number; width: number; heights: number }[] }> {
  return page.evaluate(() => {
    const grid = document.querySelector('.justified')!;
    const lines = new Map<number, DOMRect[]>();
    for (const li of grid.querySelectorAll('li')) {
      const box = li.getBoundingClientRect();
      const top = Math.round(box.top);
      lines.set(top, [...(lines.get(top) ?? []), box]);
    }
    const rows = [...lines.keys()]
      .sort((a, b) => a - b)
      .map((top) => {
        const boxes = lines.get(top)!;
        return {
          tiles: boxes.length,
          width: Math.max(...boxes.map((b) => b.right)) - Math.min(...boxes.map((b) => b.left)),
          heights: new Set(boxes.map((b) => Math.round(b.height))).size,
        };
      });
    return { container: grid.getBoundingClientRect().width, rows };
  });
}
