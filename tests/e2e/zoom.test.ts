// Zoom in the viewer beyond the 1440 px preview, in Chromium: the Zoom button, a double click and a
// pinch show the original (when the viewer may fetch it; else the preview, the largest variant) larger
// than the stage, in a pane that pans with a drag; a double click or the button goes back to the
// fitted picture, and moving to the next photo starts fitted. At desktop and phone size.
import type { Page } from 'playwright-core';

import { login } from '../helpers/server-process';
import { browserSuite, describeWeb, DESKTOP, PHONE, photo, postJson, upload } from './browser';

jest.setTimeout(90_000);

describeWeb('zoom in the viewer', () => {
  let galleryId: number;
  let shareKey: string;

  const suite = browserSuite({
    setup: async ({ server, world }) => {
      const auth = await login(server.url, world.credentials);
      galleryId = (await postJson(server.url, auth, '/api/gallery/galleries/', { name: 'Large' })).id as number;
      // Larger than the preview (1440 px on its longer side).
      await upload(server.url, auth, galleryId, 'Wide 2', await photo(2400, 1600, 2));
      await upload(server.url, auth, galleryId, 'Wide 1', await photo(2400, 1600, 1));
      shareKey = (await postJson(server.url, auth, `/api/gallery/galleries/${galleryId}/links/`, {})).key as string;
    },
  });

  /** The zoomed picture once its file has arrived: its file, natural and shown sizes, and the pane's. */
  async function zoomed(page: Page) {
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.zoom-pane img');
      return !!img?.complete && img.naturalWidth > 0;
    });
    return page.evaluate(() => {
      const pane = document.querySelector<HTMLElement>('.zoom-pane')!;
      const img = pane.querySelector('img')!;
      return {
        size: new URL(img.src).searchParams.get('size'),
        natural: img.naturalWidth,
        shown: img.getBoundingClientRect().width,
        pane: { width: pane.clientWidth, height: pane.clientHeight },
        scroll: { width: pane.scrollWidth, height: pane.scrollHeight },
      };
    });
  }

  const fitted = (page: Page) => page.locator('.viewer-stage img.zoomable').waitFor();
  const zoomButton = (page: Page) => page.getByRole('button', { name: 'Zoom' });
  const scrollOf = (page: Page) =>
    page.evaluate(() => {
      const pane = document.querySelector<HTMLElement>('.zoom-pane')!;
      return { left: pane.scrollLeft, top: pane.scrollTop };
    });

  it('shows the original at its own size with the Zoom button, pans with a drag, and fits again (desktop)', async () => {
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials);
    await page.goto(`/galleries/${galleryId}`);
    await page.locator('.justified a').first().click();
    await fitted(page);
    await zoomButton(page).click();
    expect(await zoomButton(page).getAttribute('aria-pressed')).toBe('true');
    const view = await zoomed(page);
    expect(view).toMatchObject({ size: 'original', natural: 2400, shown: 2400 });
    expect(view.scroll.width).toBeGreaterThan(view.pane.width);
    expect(view.scroll.height).toBeGreaterThan(view.pane.height);
    // A drag with the mouse pans: leftwards and upwards shows more of the right and the bottom.
    const before = await scrollOf(page);
    const box = (await page.locator('.zoom-pane').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 150, box.y + box.height / 2 - 80, { steps: 5 });
    await page.mouse.up();
    const after = await scrollOf(page);
    expect(after.left - before.left).toBeGreaterThan(120);
    expect(after.top - before.top).toBeGreaterThan(60);
    // The button again: fitted. Zoomed, then the next photo: it starts fitted.
    await zoomButton(page).click();
    await fitted(page);
    expect(await zoomButton(page).getAttribute('aria-pressed')).toBe('false');
    await zoomButton(page).click();
    await zoomed(page);
    await page.keyboard.press('ArrowRight');
    await page.getByRole('dialog', { name: 'Image: Wide 2' }).waitFor();
    await fitted(page);
    await context.close();
  });

  it('zooms at the point double-clicked, and a double click fits again (desktop)', async () => {
    const { context, page } = await suite.open(DESKTOP, suite.world.credentials);
    await page.goto(`/galleries/${galleryId}`);
    await page.locator('.justified a').first().click();
    await fitted(page);
    expect(await page.getByRole('dialog').getByText('double-click to zoom').isVisible()).toBe(true);
    const picture = (await page.locator('.viewer-stage img.zoomable').boundingBox())!;
    const at = { x: picture.x + picture.width * 0.75, y: picture.y + picture.height * 0.3 };
    await page.mouse.dblclick(at.x, at.y);
    await zoomed(page);
    // The point of the picture under the pointer is the one that was there before.
    const under = await page.evaluate(({ x, y }) => {
      const box = document.querySelector('.zoom-pane img')!.getBoundingClientRect();
      return { fx: (x - box.left) / box.width, fy: (y - box.top) / box.height };
    }, at);
    expect(Math.abs(under.fx - 0.75)).toBeLessThan(0.02);
    expect(Math.abs(under.fy - 0.3)).toBeLessThan(0.02);
    await page.mouse.dblclick(at.x, at.y);
    await fitted(page);
    await context.close();
  });

  it('zooms the preview on a share link that does not share originals', async () => {
    const { context, page } = await suite.open(DESKTOP, null);
    const originals: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('size=original')) originals.push(request.url());
    });
    await page.goto(`/share/${shareKey}`);
    await page.locator('.justified a').first().click();
    await fitted(page);
    await zoomButton(page).click();
    const view = await zoomed(page);
    expect(view).toMatchObject({ size: 'preview', natural: 1440 });
    expect(view.shown).toBeGreaterThan(view.pane.width);
    expect(originals).toEqual([]);
    await context.close();
  });

  it('zooms with a pinch on a phone, pans with a finger without moving to the next photo, and pinches back', async () => {
    const { context, page } = await suite.open(PHONE, suite.world.credentials);
    await page.goto(`/galleries/${galleryId}`);
    await page.locator('.justified a').first().click();
    await page.getByRole('dialog', { name: 'Image: Wide 1' }).waitFor();
    await fitted(page);
    // The Zoom button is on the screen, in the bar with Close.
    const button = (await zoomButton(page).boundingBox())!;
    expect(button.x).toBeGreaterThanOrEqual(0);
    expect(button.x + button.width).toBeLessThanOrEqual(PHONE.width);
    const cdp = await context.newCDPSession(page);
    const stage = (await page.locator('.viewer-stage').boundingBox())!;
    const cx = stage.x + stage.width / 2;
    const cy = stage.y + stage.height / 2;
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p, id) => ({ ...p, id })) });
    const pinch = async (from: number, to: number) => {
      await touch('touchStart', [
        { x: cx - from, y: cy },
        { x: cx + from, y: cy },
      ]);
      for (let step = 1; step <= 5; step++) {
        const d = from + ((to - from) * step) / 5;
        await touch('touchMove', [
          { x: cx - d, y: cy },
          { x: cx + d, y: cy },
        ]);
      }
      await touch('touchEnd', []);
    };
    await pinch(30, 120);
    const view = await zoomed(page);
    expect(view.size).toBe('original');
    expect(view.scroll.width).toBeGreaterThan(view.pane.width);
    // One finger across the zoomed picture pans it: the photo stays the same.
    await touch('touchStart', [{ x: cx + 100, y: cy }]);
    for (let step = 1; step <= 5; step++) await touch('touchMove', [{ x: cx + 100 - step * 30, y: cy }]);
    await touch('touchEnd', []);
    await page.waitForTimeout(300);
    expect(await page.getByRole('dialog', { name: 'Image: Wide 1' }).count()).toBe(1);
    await pinch(120, 30);
    await fitted(page);
    await context.close();
  });
});
