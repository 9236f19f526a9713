// The viewer's side panel: the image's title (or the form that edits it), its facts, the original
// for those allowed, and edit and delete for those who may change it.
import { useEffect, useState } from 'preact/hooks';

import { api, messageOf, type Image } from '../api/client';
import type { DeleteReply } from '../api/trash';
import { field, formatBytes, imageName } from '../helpers';
import { ErrorText } from './alert';

/** What the viewer shows: an image of a gallery, or one seen through a share link. */
export type ViewerImage = {
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
  createdAt?: string;
};

export type InfoProps = {
  image: ViewerImage;
  /** Where the image is in the list (from 0), and the list's length. */
  index: number;
  count: number;
  canChange: boolean;
  editing: boolean;
  setEditing: (editing: boolean) => void;
  onChanged?: (image: Image) => void;
  /** `reply`: the server's, which says whether the image went to the trash. */
  onDeleted?: (id: number, reply?: DeleteReply) => void;
};

export function ImageInfo({ image, index, count, canChange, editing, setEditing, onChanged, onDeleted }: InfoProps) {
  const [error, setError] = useState<string | null>(null);
  // A failure is about the image it happened to, not the next one.
  useEffect(() => setError(null), [index]);
  const remove = async () => {
    if (!confirm(`Delete "${image.title}"?`)) return;
    const { data, error } = await api.DELETE('/api/gallery/images/{id}', { params: { path: { id: image.id } } });
    if (error) return setError(messageOf(error));
    onDeleted?.(image.id, data);
  };
  const saved = (changed: Image) => {
    setEditing(false);
    onChanged?.(changed);
  };
  return (
    <>
      {editing ? (
        <EditImage image={image} onSaved={saved} onRefused={setError} onCancel={() => setEditing(false)} />
      ) : (
        <>
          <h2>{imageName(image)}</h2>
          {image.description && <p>{image.description}</p>}
        </>
      )}
      <ImageFacts image={image} index={index} count={count} />
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
    </>
  );
}

type EditProps = {
  image: ViewerImage;
  onSaved: (image: Image) => void;
  onRefused: (text: string) => void;
  onCancel: () => void;
};

function EditImage({ image, onSaved, onRefused, onCancel }: EditProps) {
  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const { data, error } = await api.PATCH('/api/gallery/images/{id}', {
      params: { path: { id: image.id } },
      body: { title: field(form, 'title'), description: field(form, 'description') },
    });
    if (!data) return onRefused(messageOf(error, 'Could not save.'));
    onSaved(data);
  };
  return (
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
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ImageFacts({ image, index, count }: { image: ViewerImage; index: number; count: number }) {
  return (
    <dl class="facts">
      <dt>Position</dt>
      <dd>
        {index + 1} of {count}
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
          <dd>
            <time dateTime={image.capturedAt}>{formatTaken(image.capturedAt)}</time>
          </dd>
        </>
      )}
      {(image.createdAt || image.uploader) && (
        <>
          <dt>Uploaded</dt>
          <dd>
            {image.createdAt && <time dateTime={image.createdAt}>{formatMoment(image.createdAt)}</time>}
            {image.createdAt && image.uploader && ' by '}
            {image.uploader?.username}
          </dd>
        </>
      )}
    </dl>
  );
}

/** A day and a time in the reader's language: "May 1, 2024, 12:34 PM", "01.05.2024, 12:34". */
const DAY_AND_TIME: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' };

/** A moment (the server's ISO time) in the reader's language and time zone. */
function formatMoment(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(undefined, DAY_AND_TIME).format(date);
}

/** `2024-05-01T12:34:56`, with `+02:00` when the camera recorded its offset from UTC. */
const CAMERA_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?([+-]\d{2}:\d{2})?$/;

/**
 * When a photo was taken, as its camera's clock read where it was taken (not moved to the reader's
 * time zone: a sunset at 8 PM stays at 8 PM), with the camera's UTC offset when it wrote one.
 */
function formatTaken(value: string): string {
  const parts = CAMERA_TIME.exec(value);
  if (!parts) return value;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map((part) => Number(part ?? 0));
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const text = new Intl.DateTimeFormat(undefined, { ...DAY_AND_TIME, timeZone: 'UTC' }).format(wall);
  return parts[7] ? `${text} (UTC${parts[7]})` : text;
}
