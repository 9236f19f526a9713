// The viewer's picture, and its zoom beyond the preview: a double click (a double tap), a pinch
// outwards or the Zoom button shows the original, when the viewer may fetch it (else the preview,
// the largest variant), at its own size or twice the fitted size, whichever is larger, in a pane
// that pans (scroll, drag with the mouse, or a finger). The preview stands in, stretched, until the
// original arrives. No library: a scrolling box and a few pointer events.
import { useLayoutEffect, useRef } from 'preact/hooks';

import { imageName } from '../helpers';
import { placeholderOf } from './justified';
import type { ViewerImage } from './viewer-info';

import './zoom.css';

/** Where to zoom: the point of the image (as fractions of its size) to keep under `at` (client px). */
export type ZoomPoint = { fx: number; fy: number; at: { x: number; y: number } | null };

const PREVIEW_SIDE = 1440;
const PINCH = 1.3;

type Props = {
  image: ViewerImage;
  /** The preview's address (a share link's own), and the original's when the viewer may fetch it. */
  src: string;
  zoom: ZoomPoint | null;
  onZoom: (zoom: ZoomPoint | null) => void;
};

export function ZoomablePicture({ image, src, zoom, onZoom }: Props) {
  const fitted = useRef<HTMLImageElement>(null);
  const pinch = usePinch(
    zoom !== null,
    (point) => onZoom(point),
    () => onZoom(null),
  );
  if (zoom) return <ZoomPane image={image} preview={src} zoom={zoom} onDone={() => onZoom(null)} {...pinch} />;
  const placeholder = placeholderOf(image.thumbhash);
  return (
    <img
      ref={fitted}
      class="zoomable"
      src={src}
      alt={imageName(image)}
      width={image.width ?? undefined}
      height={image.height ?? undefined}
      style={placeholder ? { backgroundImage: `url("${placeholder}")` } : undefined}
      onDblClick={(event) => onZoom(pointIn(fitted.current!, event.clientX, event.clientY))}
      {...pinch}
    />
  );
}

/** The point of `img` under (x, y), as fractions of its box. */
function pointIn(img: HTMLElement, x: number, y: number): ZoomPoint {
  const box = img.getBoundingClientRect();
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return { fx: clamp((x - box.left) / box.width), fy: clamp((y - box.top) / box.height), at: { x, y } };
}

/** The zoomed image's width: the file's own (the original's, or the preview's at most), or twice the fitted one. */
function zoomedWidth(image: ViewerImage, stage: DOMRect): number {
  const w = image.width ?? stage.width;
  const h = image.height ?? stage.height;
  const fitted = Math.min(stage.width, (stage.height * w) / h, w);
  const own = image.original ? w : Math.min(w, (PREVIEW_SIDE * w) / Math.max(w, h));
  return Math.round(Math.max(own, fitted * 2));
}

function ZoomPane({
  image,
  preview,
  zoom,
  onDone,
  ...touch
}: {
  image: ViewerImage;
  preview: string;
  zoom: ZoomPoint;
  onDone: () => void;
} & ReturnType<typeof usePinch>) {
  const pane = useRef<HTMLDivElement>(null);
  const img = useRef<HTMLImageElement>(null);
  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null);
  // Sized and scrolled before the first paint: the point zoomed at stays where it was.
  useLayoutEffect(() => {
    const box = pane.current!.getBoundingClientRect();
    const width = zoomedWidth(image, box);
    const height = Math.round((width * (image.height ?? box.height)) / (image.width ?? box.width));
    img.current!.style.width = `${width}px`;
    img.current!.style.height = `${height}px`;
    const at = zoom.at ?? { x: box.left + box.width / 2, y: box.top + box.height / 2 };
    pane.current!.scrollLeft = zoom.fx * width - (at.x - box.left);
    pane.current!.scrollTop = zoom.fy * height - (at.y - box.top);
  }, []);
  const onPointerDown = (event: PointerEvent) => {
    if (event.pointerType !== 'mouse' || event.button !== 0) return;
    drag.current = { x: event.clientX, y: event.clientY, moved: false };
    pane.current!.setPointerCapture(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent) => {
    const start = drag.current;
    if (!start) return;
    pane.current!.scrollLeft -= event.clientX - start.x;
    pane.current!.scrollTop -= event.clientY - start.y;
    drag.current = { x: event.clientX, y: event.clientY, moved: true };
  };
  return (
    <div
      ref={pane}
      class="zoom-pane"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => (drag.current = null)}
      onPointerCancel={() => (drag.current = null)}
      onDblClick={onDone}
      {...touch}
    >
      <img
        ref={img}
        src={image.original ?? preview}
        alt={imageName(image)}
        draggable={false}
        style={{ backgroundImage: `url("${preview}")` }}
      />
    </div>
  );
}

/**
 * Two fingers moving apart (by 30 %) zoom in at their middle; moving together zoom out. One finger
 * is left alone: it pans the zoomed pane, or swipes to the next image when not zoomed.
 */
function usePinch(zoomed: boolean, zoomIn: (point: ZoomPoint) => void, zoomOut: () => void) {
  const start = useRef<number | null>(null);
  const spread = (touches: TouchList) =>
    Math.hypot(touches[0].clientX - touches[1].clientX, touches[0].clientY - touches[1].clientY);
  const onTouchStart = (event: TouchEvent) => {
    start.current = event.touches.length === 2 ? spread(event.touches) : null;
  };
  const onTouchMove = (event: TouchEvent) => {
    if (start.current === null || event.touches.length !== 2) return;
    event.preventDefault();
    const ratio = spread(event.touches) / start.current;
    if (!zoomed && ratio > PINCH) {
      start.current = null;
      const x = (event.touches[0].clientX + event.touches[1].clientX) / 2;
      const y = (event.touches[0].clientY + event.touches[1].clientY) / 2;
      zoomIn(pointIn(event.currentTarget as HTMLElement, x, y));
    } else if (zoomed && ratio < 1 / PINCH) {
      start.current = null;
      zoomOut();
    }
  };
  return { onTouchStart, onTouchMove };
}
