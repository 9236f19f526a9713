// A justified grid: rows of thumbnails at one height each, filling the width exactly. Every box's
// size comes from the image's width and height before any file arrives, so nothing moves when the
// thumbnails load; the ThumbHash placeholder fills the box meanwhile.
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { thumbHashToDataURL } from 'thumbhash';

export type Box = { width: number; height: number };
const GAP = 6;

/** Rows of boxes for `aspects` (width / height) in `width` pixels, aiming at `target` px high. */
export function justify(aspects: number[], width: number, target: number): Box[] & { full?: number } {
  const boxes: Box[] & { full?: number } = [];
  let row: number[] = [];
  let sum = 0;
  const flush = (height: number) => {
    for (const aspect of row)
      boxes.push({ width: Math.max(1, Math.floor(aspect * height)), height: Math.round(height) });
    row = [];
    sum = 0;
  };
  for (const aspect of aspects) {
    row.push(aspect);
    sum += aspect;
    const height = (width - GAP * (row.length - 1)) / sum;
    if (height <= target) flush(Math.max(height, target * 0.5));
  }
  // How many boxes are in full rows: the last, partial row changes when more items come.
  boxes.full = boxes.length;
  if (row.length) flush(Math.min(target, (width - GAP * (row.length - 1)) / sum));
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
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
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
