// Screens compared with committed baselines: each screenshot is saved under test-results/web/screens
// and compared, pixel by pixel (pixelmatch, anti-aliasing ignored), with tests/e2e/baselines/. A screen
// that differs in more than MAX_CHANGED of its pixels fails, and the run leaves the new screenshot and
// a picture of the difference beside it. Baselines change only through `npm run screenshots:update`.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pixelmatch from 'pixelmatch';
import type { Locator, Page } from 'playwright-core';
import { PNG } from 'pngjs';

const ROOT = resolve(__dirname, '../..');
export const BASELINES = join(ROOT, 'tests', 'e2e', 'baselines');
const SCREENS = join(ROOT, 'test-results', 'web', 'screens');
const DOCS_SHOTS = join(ROOT, 'docs', 'screenshots');
const truthy = (value: string | undefined) => ['1', 'true', 'yes'].includes(String(value).toLowerCase());
/** `npm run screenshots:update`: write the baselines (and the docs' screenshots) instead of comparing. */
export const UPDATING = truthy(process.env.UPDATE_SCREENSHOTS);
/** The share of a screen's pixels that may differ: a moved block or a changed colour is far more. */
const MAX_CHANGED = 0.003;

export type Compared = { screen: string; changed: number; ratio: number; baseline: 'compared' | 'written' | 'missing' };

/**
 * A screenshot of the page's viewport as `name` (the viewport's size is added to it), compared with
 * its baseline. `volatile` selects what changes from run to run (times, generated keys): each gets the
 * same text, then one colour over it. `docs` names the screenshot of the README and docs/ this screen
 * makes (written, unmasked, only by `npm run screenshots:update`). `hide` masks more, as it is: a block
 * whose inner layout depends on what a run logged (the audit log's columns).
 */
export async function compareScreen(
  page: Page,
  name: string,
  options: { volatile?: string; docs?: string; hide?: string } = {},
): Promise<Compared> {
  const { volatile, docs, hide } = options;
  const size = page.viewportSize()!;
  const screen = `${name}-${size.width}x${size.height}`;
  mkdirSync(SCREENS, { recursive: true });
  const file = join(SCREENS, `${screen}.png`);
  await settle(page);
  // The docs' screenshot as a reader would see the screen, before anything is masked.
  if (UPDATING && docs) {
    mkdirSync(DOCS_SHOTS, { recursive: true });
    await page.screenshot({ path: join(DOCS_SHOTS, docs), animations: 'disabled', caret: 'hide' });
  }
  // The same text in each volatile element, so that a table's columns keep their widths; then masked.
  if (volatile)
    await page.evaluate((selector) => {
      for (const element of document.querySelectorAll(selector)) element.textContent = '1/1/2000, 00:00';
    }, volatile);
  const mask: Locator[] = [volatile, hide].filter((selector) => !!selector).map((selector) => page.locator(selector!));
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide', mask, maskColor: '#ff00ff' });
  const baseline = join(BASELINES, `${screen}.png`);
  if (UPDATING) {
    mkdirSync(BASELINES, { recursive: true });
    copyFileSync(file, baseline);
    return { screen, changed: 0, ratio: 0, baseline: 'written' };
  }
  if (!existsSync(baseline)) return { screen, changed: 0, ratio: 1, baseline: 'missing' };
  const actual = PNG.sync.read(readFileSync(file));
  const expected = PNG.sync.read(readFileSync(baseline));
  if (actual.width !== expected.width || actual.height !== expected.height)
    return { screen, changed: actual.width * actual.height, ratio: 1, baseline: 'compared' };
  const diff = new PNG({ width: actual.width, height: actual.height });
  const changed = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, { threshold: 0.1 });
  const ratio = changed / (actual.width * actual.height);
  if (ratio > MAX_CHANGED) writeFileSync(join(SCREENS, `${screen}.diff.png`), PNG.sync.write(diff));
  return { screen, changed, ratio, baseline: 'compared' };
}

/** What a screen must be: its baseline exists and at most MAX_CHANGED of its pixels differ. */
export function expectSameAsBaseline(results: Compared[]) {
  const failing = results
    .filter((r) => r.baseline === 'missing' || r.ratio > MAX_CHANGED)
    .map((r) =>
      r.baseline === 'missing'
        ? `${r.screen}: no baseline (npm run screenshots:update writes it)`
        : `${r.screen}: ${(r.ratio * 100).toFixed(2)} % of the pixels differ (see test-results/web/screens/${r.screen}.diff.png)`,
    );
  expect(failing).toEqual([]);
}

/** Waits for the fonts, for every image in view to have loaded and been shown, and for two frames of calm. */
async function settle(page: Page) {
  await page.evaluate(async () => {
    await document.fonts.ready;
    const inView = [...document.images].filter((img) => {
      const box = img.getBoundingClientRect();
      return box.bottom > 0 && box.top < innerHeight && box.width > 0;
    });
    await Promise.all(
      inView.map(
        (img) =>
          new Promise((done) => {
            if (img.complete) return done(null);
            img.addEventListener('load', done, { once: true });
            img.addEventListener('error', done, { once: true });
          }),
      ),
    );
  });
  // A thumbnail fades in once the app has seen it load: wait for that too.
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.thumb')].every((thumb) => {
      const box = thumb.getBoundingClientRect();
      const inView = box.bottom > 0 && box.top < innerHeight && box.width > 0;
      return !inView || !!thumb.querySelector('img.loaded');
    }),
  );
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}
