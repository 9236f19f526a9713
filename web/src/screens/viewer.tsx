// The image viewer: a modal dialog over the gallery. ←/→ (or a swipe) move, Esc closes.
import { field } from '../forms';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, messageOf, type Image } from '../api/client';
import { placeholderOf } from '../components/justified';
import { ErrorText } from '../components/alert';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What the viewer shows: an image of a gallery, or one seen through a share link. */
type ViewerImage = {
  id: number;
  title: string;
  description: string;
  preview: string;
  original: string | null;
  width: number | null;
  height: number | null;
  size: number;
  mimeType: string;
  capturedAt?: string | null;
  cameraModel?: string | null;
  thumbhash?: string | null;
  uploader?: { id: number; username: string };
};

type Props<T extends ViewerImage> = {
  images: T[];
  index: number;
  canChange?: boolean;
  onMove: (index: number) => void;
  onClose: () => void;
  onChanged?: (image: Image) => void;
  onDeleted?: (id: number) => void;
  nearEnd?: () => void;
  src?: (image: T) => string;
};

export function Viewer<T extends ViewerImage>({ images, index, canChange = false, onMove, onClose, onChanged, onDeleted, nearEnd, src }: Props<T>) {
  const image = images[index];
  const dialog = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  const touch = useRef<{ x: number; y: number } | null>(null);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hasPrev = index > 0;
  const hasNext = index < images.length - 1;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    close.current?.focus();
    document.body.classList.add('modal-open');
    return () => {
      document.body.classList.remove('modal-open');
      opener?.focus();
    };
  }, []);
  useEffect(() => {
    setEditing(false);
    setError(null);
    if (index >= images.length - 5) nearEnd?.();
  }, [index]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        if (editing) setEditing(false);
        else onClose();
        return;
      }
      const target = event.target as HTMLElement;
      if (target.closest('input, textarea, select')) return;
      if (event.key === 'ArrowLeft' && hasPrev) onMove(index - 1);
      if (event.key === 'ArrowRight' && hasNext) onMove(index + 1);
      if (event.key === 'Tab') trapFocus(event, dialog.current);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [index, hasPrev, hasNext, editing, onClose, onMove]);

  const onTouchStart = (event: TouchEvent) => {
    const t = event.touches[0];
    touch.current = { x: t.clientX, y: t.clientY };
  };
  const onTouchEnd = (event: TouchEvent) => {
    const start = touch.current;
    touch.current = null;
    const t = event.changedTouches[0];
    if (!start || !t) return;
    const dx = t.clientX - start.x;
    if (Math.abs(dx) < 50 || Math.abs(dx) < Math.abs(t.clientY - start.y)) return;
    if (dx < 0 && hasNext) onMove(index + 1);
    if (dx > 0 && hasPrev) onMove(index - 1);
  };

  const remove = async () => {
    if (!confirm(`Delete "${image.title}"?`)) return;
    const { error } = await api.DELETE('/api/gallery/images/{id}', { params: { path: { id: image.id } } });
    if (error) return setError(messageOf(error));
    onDeleted?.(image.id);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const { data, error } = await api.PATCH('/api/gallery/images/{id}', {
      params: { path: { id: image.id } },
      body: { title: field(form, 'title'), description: field(form, 'description') },
    });
    if (!data) return setError(messageOf(error, 'Could not save.'));
    setEditing(false);
    onChanged?.(data);
  };

  const placeholder = placeholderOf(image.thumbhash);
  const title = image.title || `Image ${image.id}`;
  return (
    <div class="viewer" role="dialog" aria-modal="true" aria-label={`Image: ${title}`} ref={dialog}>
      <div class="viewer-stage" onTouchStart={onTouchStart} onTouchEnd={onTouchEnd}>
        <img
          key={image.id}
          src={src ? src(image) : image.preview}
          alt={title}
          width={image.width ?? undefined}
          height={image.height ?? undefined}
          style={placeholder ? { backgroundImage: `url("${placeholder}")` } : undefined}
        />
        <button type="button" class="nav prev" onClick={() => onMove(index - 1)} disabled={!hasPrev} aria-label="Previous image">
          ‹
        </button>
        <button type="button" class="nav next" onClick={() => onMove(index + 1)} disabled={!hasNext} aria-label="Next image">
          ›
        </button>
      </div>
      <aside class="viewer-info">
        <button type="button" ref={close} class="close" onClick={onClose} aria-label="Close viewer">
          ✕ Close
        </button>
        {editing ? (
          <form class="stack" onSubmit={(e) => void save(e)} aria-label="Edit image">
            <label>
              Title
              <input name="title" defaultValue={image.title} required maxLength={200} autoFocus />
            </label>
            <label>
              Description
              <textarea name="description" rows={3} defaultValue={image.description} />
            </label>
            <div class="row">
              <button type="submit" class="primary">
                Save
              </button>
              <button type="button" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <>
            <h2>{title}</h2>
            {image.description && <p>{image.description}</p>}
          </>
        )}
        <dl class="facts">
          <dt>Position</dt>
          <dd>
            {index + 1} of {images.length}
          </dd>
          <dt>Size</dt>
          <dd>
            {image.width && image.height ? `${image.width} × ${image.height} px, ` : ''}
            {formatBytes(image.size)}
          </dd>
          <dt>Type</dt>
          <dd>{image.mimeType}</dd>
          {image.cameraModel && (
            <>
              <dt>Camera</dt>
              <dd>{image.cameraModel}</dd>
            </>
          )}
          {image.capturedAt && (
            <>
              <dt>Taken</dt>
              <dd>{image.capturedAt.replace('T', ' ')}</dd>
            </>
          )}
          {image.uploader && (
            <>
              <dt>Uploaded by</dt>
              <dd>{image.uploader.username}</dd>
            </>
          )}
        </dl>
        {image.original && (
          <p>
            <a href={image.original} target="_blank" rel="noopener">
              Open the original
            </a>
          </p>
        )}
        <ErrorText text={error} />
        {canChange && !editing && (
          <div class="row">
            <button type="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            <button type="button" class="danger" onClick={() => void remove()}>
              Delete
            </button>
          </div>
        )}
        <p class="muted small">← → to move, Esc to close</p>
      </aside>
    </div>
  );
}

function trapFocus(event: KeyboardEvent, container: HTMLElement | null) {
  if (!container) return;
  const focusable = [...container.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input, textarea, select')];
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
