// A justified grid: rows of thumbnails at one height each, filling the width exactly. Every box's
// size comes from the image's width and height before any file arrives, so nothing moves when the
// thumbnails load; the ThumbHash placeholder fills the box meanwhile.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { thumbHashToDataURL } from 'thumbhash';

export type Box = { width: number; height: number };
const GAP = 6;

/**
 * Rows of boxes for `aspects` (width / height) in `width` pixels (fractional, as measured), aiming at
 * `target` px high. A full row fills the whole pixels of the width exactly, gaps included: its boxes'
 * widths are rounded by their running total, so the rounding never adds up to a row too wide (whose
 * last box would wrap) or too short (a ragged edge).
 */
export function justify(aspects: number[], width: number, target: number): Box[] & { full?: number } {
  const space = Math.floor(width);
  const boxes: Box[] & { full?: number } = [];
  let row: number[] = [];
  let sum = 0;
  const flush = (height: number, fill: boolean) => {
    const room = space - GAP * (row.length - 1);
    let before = 0;
    let edge = 0;
    for (const aspect of row) {
      before += aspect;
      const next = fill ? Math.round((room * before) / sum) : Math.floor(before * height);
      boxes.push({ width: Math.max(1, next - edge), height: Math.round(height) });
      edge = next;
    }
    row = [];
    sum = 0;
  };
  for (const aspect of aspects) {
    row.push(aspect);
    sum += aspect;
    const height = (space - GAP * (row.length - 1)) / sum;
    // A very wide image alone would make a thin row: it is kept at half the target, cropped.
    if (height <= target) flush(Math.max(height, target * 0.5), true);
  }
  // How many boxes are in full rows: the last, partial row changes when more items come.
  boxes.full = boxes.length;
  // The last row is higher than the target when stretched across: it keeps the target's height.
  if (row.length) flush(target, false);
  return boxes;
}

const placeholders = new Map<string, string>();
/** The data: URL of a base64 ThumbHash (decoded once per hash). */
export function placeholderOf(hash: string | null | undefined): string | undefined {
  if (!hash) return undefined;
  let url = placeholders.get(hash);
  if (!url) {
    try {
      const bytes = Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));
      url = thumbHashToDataURL(bytes);
    } catch {
      return undefined;
    }
    placeholders.set(hash, url);
  }
  return url;
}

type Item = { key: number; width: number | null; height: number | null };

/** `complete`: no more pages to come. Until then the last, partial row waits (it would reflow). */
export function JustifiedGrid<T extends Item>({
  items,
  target = 200,
  render,
  label,
  complete = true,
}: {
  items: T[];
  target?: number;
  render: (item: T, box: Box, index: number) => ComponentChildren;
  label: string;
  complete?: boolean;
}) {
  const ref = useRef<HTMLUListElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current!;
    // The exact width, not clientWidth: that one is rounded, and 1242 px where 1241.6 are free
    // pushes the last box of an exactly fitting row onto a line of its own.
    const measure = () => setWidth(Math.floor(element.getBoundingClientRect().width));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const rowTarget = width && width < 600 ? Math.round(target * 0.6) : target;
  const boxes = useMemo(
    () =>
      width
        ? justify(
            items.map((i) => (i.width && i.height ? i.width / i.height : 1)),
            width,
            rowTarget,
          )
        : [],
    [items, width, rowTarget],
  );
  return (
    <ul ref={ref} class="justified" aria-label={label}>
      {width > 0 &&
        (complete ? items : items.slice(0, boxes.full || items.length)).map((item, index) => (
          <li key={item.key} style={{ width: `${boxes[index].width}px`, height: `${boxes[index].height}px` }}>
            {render(item, boxes[index], index)}
          </li>
        ))}
    </ul>
  );
}

// One observer for every thumbnail: a thumbnail asks for its file (and decodes its placeholder) only
// once it comes near the viewport, so the first screen's files are fetched first and alone.
const NEAR = 150;
const nearCallbacks = new Map<Element, () => void>();
let observer: IntersectionObserver | null = null;
function whenNear(element: Element, callback: () => void): () => void {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        nearCallbacks.get(entry.target)?.();
        nearCallbacks.delete(entry.target);
        observer!.unobserve(entry.target);
      }
    },
    { rootMargin: `${NEAR}px 0px` },
  );
  nearCallbacks.set(element, callback);
  observer.observe(element);
  return () => {
    nearCallbacks.delete(element);
    observer?.unobserve(element);
  };
}

/** A thumbnail over its placeholder; the image fades in once loaded. */
export function Thumb({
  src,
  alt,
  hash,
  eager = false,
}: {
  src: string;
  alt: string;
  hash?: string | null;
  eager?: boolean;
}) {
  const [loaded, setLoaded] = useState(false);
  const [near, setNear] = useState(eager);
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    if (near || !ref.current) return;
    // On the first screen already: no need to wait for the observer's first report.
    if (ref.current.getBoundingClientRect().top < innerHeight + NEAR) return setNear(true);
    return whenNear(ref.current, () => setNear(true));
  }, [near]);
  const placeholder = near ? placeholderOf(hash) : undefined;
  return (
    <span ref={ref} class="thumb" style={placeholder ? { backgroundImage: `url("${placeholder}")` } : undefined}>
      {near && (
        <img
          src={src}
          alt={alt}
          decoding="async"
          class={loaded ? 'loaded' : undefined}
          onLoad={() => setLoaded(true)}
          onError={() => setLoaded(true)}
        />
      )}
    </span>
  );
}
