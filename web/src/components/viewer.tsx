// The image viewer: a modal dialog over the gallery. ←/→ (or a swipe) move, Esc closes; a double
// click, a pinch or the Zoom button zooms beyond the preview (zoom.tsx).
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState, type MutableRef } from 'preact/hooks';

import type { Image } from '../api/client';
import { imageName } from '../helpers';
import { ImageInfo, type InfoProps, type ViewerImage } from './viewer-info';
import { StarButton } from './viewer-star';
import { ZoomablePicture, type ZoomPoint } from './zoom';

type Props<T extends ViewerImage> = {
  images: T[];
  index: number;
  canChange?: boolean;
  onMove: (index: number) => void;
  onClose: () => void;
  onChanged?: (image: Image) => void;
  onDeleted?: InfoProps['onDeleted'];
  nearEnd?: () => void;
  src?: (image: T) => string;
  /** More for the image shown, under its facts (the gallery's cover, for those who manage it). */
  actions?: (image: T) => ComponentChildren;
};

export function Viewer<T extends ViewerImage>({
  images,
  index,
  canChange = false,
  onMove,
  onClose,
  onChanged,
  onDeleted,
  nearEnd,
  src,
  actions,
}: Props<T>) {
  const image = images[index];
  const dialog = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  const [editing, setEditing] = useState(false);
  // On a phone the facts wait behind "Info", so that the image has the screen.
  const [showInfo, setShowInfo] = useState(false);
  const [zoom, setZoom] = useState<ZoomPoint | null>(null);
  const previous = index > 0 ? index - 1 : null;
  const next = index < images.length - 1 ? index + 1 : null;
  useModal(close, image.id);
  useEffect(() => {
    setEditing(false);
    setZoom(null);
    if (index >= images.length - 5) nearEnd?.();
  }, [index]);
  useViewerKeys({ previous, next, editing, dialog, onMove, onClose, cancelEdit: () => setEditing(false) });
  // Zoomed, one finger pans the picture: no swipe to the next one.
  const swipe = useSwipe(zoom ? null : previous, zoom ? null : next, onMove);

  return (
    <div
      class={showInfo ? 'viewer show-info' : 'viewer'}
      role="dialog"
      aria-modal="true"
      aria-label={`Image: ${imageName(image)}`}
      ref={dialog}
    >
      <ViewerBar
        close={close}
        onClose={onClose}
        position={`${index + 1} / ${images.length}`}
        showInfo={showInfo}
        onToggleInfo={() => setShowInfo(!showInfo)}
        zoomed={zoom !== null}
        onToggleZoom={() => setZoom(zoom ? null : { fx: 0.5, fy: 0.5, at: null })}
        star={starOf(image, onChanged)}
      />
      <div class="viewer-stage" {...swipe}>
        <ZoomablePicture
          key={image.id}
          image={image}
          src={src ? src(image) : image.preview}
          zoom={zoom}
          onZoom={setZoom}
        />
        <NavButtons index={index} previous={previous} next={next} onMove={onMove} />
      </div>
      <ViewerPanel
        {...{ image, index, canChange, editing, setEditing, onChanged, onDeleted, actions }}
        count={images.length}
      />
    </div>
  );
}

/** The star, on a photo of the user's galleries (not on a share page). */
function starOf(image: ViewerImage, onChanged?: (image: Image) => void) {
  if (!onChanged || typeof image.favorite !== 'boolean') return null;
  return <StarButton image={image as Image} onChanged={onChanged} />;
}

/** Beside the picture: its facts, what the page adds (`actions`), how to move (by keys, by touch). */
function ViewerPanel<T extends ViewerImage>({
  actions,
  ...info
}: InfoProps & { image: T; actions?: (image: T) => ComponentChildren }) {
  return (
    <aside class="viewer-info" id="viewer-info">
      <ImageInfo {...info} />
      {actions?.(info.image)}
      <p class="muted small hint-keys">← → to move, Esc to close, double-click to zoom</p>
      <p class="muted small hint-touch">Swipe left or right to move, pinch to zoom</p>
    </aside>
  );
}

/** Close; on a phone also where the image is in the list and the button that shows its facts. */
function ViewerBar(props: {
  close: MutableRef<HTMLButtonElement | null>;
  onClose: () => void;
  position: string;
  showInfo: boolean;
  onToggleInfo: () => void;
  zoomed: boolean;
  onToggleZoom: () => void;
  star: ComponentChildren;
}) {
  return (
    <div class="viewer-bar">
      <button type="button" ref={props.close} class="close" onClick={props.onClose} aria-label="Close viewer">
        ✕ Close
      </button>
      <span class="viewer-position">{props.position}</span>
      <button type="button" class="zoom-toggle" aria-pressed={props.zoomed} onClick={props.onToggleZoom}>
        Zoom
      </button>
      {props.star}
      <button
        type="button"
        class="info-toggle"
        aria-expanded={props.showInfo}
        aria-controls="viewer-info"
        onClick={props.onToggleInfo}
      >
        Info
      </button>
    </div>
  );
}

/** Previous and next, disabled at either end. */
function NavButtons(props: {
  index: number;
  previous: number | null;
  next: number | null;
  onMove: (to: number) => void;
}) {
  const { index, onMove } = props;
  return (
    <>
      <button
        type="button"
        class="nav prev"
        onClick={() => onMove(index - 1)}
        disabled={props.previous === null}
        aria-label="Previous image"
      >
        ‹
      </button>
      <button
        type="button"
        class="nav next"
        onClick={() => onMove(index + 1)}
        disabled={props.next === null}
        aria-label="Next image"
      >
        ›
      </button>
    </>
  );
}

/**
 * While open: focus on Close, the page behind does not scroll. On close, focus on the thumbnail of
 * the image shown last (the grid's link to its address, `…/images/{id}`), scrolled into view; else
 * back where it was. The close runs when the viewer goes (after the address has changed). Both run
 * as the viewer enters and leaves the page, not after the next paint, so that a key pressed the
 * moment it shows reaches it.
 */
function useModal(close: MutableRef<HTMLButtonElement | null>, shownId: number): void {
  const shown = useRef(shownId);
  shown.current = shownId;
  useLayoutEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    close.current?.focus();
    document.body.classList.add('modal-open');
    return () => {
      document.body.classList.remove('modal-open');
      const tile = document.querySelector<HTMLElement>(`.justified a[href$="/images/${shown.current}"]`);
      if (!tile) return opener?.focus();
      tile.focus({ preventScroll: true });
      const show = () => document.activeElement === tile && tile.scrollIntoView({ block: 'nearest' });
      show();
      requestAnimationFrame(show); // after the browser has put back the scroll of the entry returned to
    };
  }, []);
}

type Keys = {
  /** The index to move to with ← and →, null at either end. */
  previous: number | null;
  next: number | null;
  editing: boolean;
  dialog: MutableRef<HTMLDivElement | null>;
  onMove: (index: number) => void;
  onClose: () => void;
  cancelEdit: () => void;
};

/**
 * Esc cancels an edit or closes; ← → move (not while typing); Tab stays inside the dialog. Listening
 * from the moment the viewer is in the page (a layout effect): with an ordinary effect, keys pressed
 * before the next paint were lost, and a quick Esc left the viewer open.
 */
function useViewerKeys({ previous, next, editing, dialog, onMove, onClose, cancelEdit }: Keys): void {
  useLayoutEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        if (editing) cancelEdit();
        else onClose();
        return;
      }
      const target = event.target as HTMLElement;
      if (target.closest('input, textarea, select')) return;
      if (event.key === 'ArrowLeft' && previous !== null) onMove(previous);
      if (event.key === 'ArrowRight' && next !== null) onMove(next);
      if (event.key === 'Tab') trapFocus(event, dialog.current);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [previous, next, editing, onClose, onMove]);
}

/** A horizontal swipe of 50 px or more (one finger) moves to the next (leftwards) or previous image. */
function useSwipe(previous: number | null, next: number | null, onMove: (index: number) => void) {
  const touch = useRef<{ x: number; y: number } | null>(null);
  // One finger only: a second one makes it a pinch (the zoom's), not a swipe.
  const onTouchStart = (event: TouchEvent) => {
    const t = event.touches[0];
    touch.current = event.touches.length === 1 ? { x: t.clientX, y: t.clientY } : null;
  };
  const onTouchEnd = (event: TouchEvent) => {
    const start = touch.current;
    touch.current = null;
    const t = event.changedTouches[0];
    if (!start || !t) return;
    const dx = t.clientX - start.x;
    if (Math.abs(dx) < 50 || Math.abs(dx) < Math.abs(t.clientY - start.y)) return;
    if (dx < 0 && next !== null) onMove(next);
    if (dx > 0 && previous !== null) onMove(previous);
  };
  return { onTouchStart, onTouchEnd };
}

function trapFocus(event: KeyboardEvent, container: HTMLElement | null) {
  if (!container) return;
  const focusable = [
    ...container.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input, textarea, select'),
  ].filter((element) => element.getClientRects().length > 0); // not those hidden (the facts, on a phone)
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  } else if (!container.contains(document.activeElement)) {
    event.preventDefault();
    first.focus();
  }
}
