// The viewer's side panel: the image's title (or the form that edits it), its facts, the original
// for those allowed, and edit and delete for those who may change it.
import { useEffect, useState } from 'preact/hooks';

import { api, messageOf, type Image } from '../api/client';
import type { DeleteReply } from '../api/trash';
import { field, imageName } from '../helpers';
import { loadTagEditor } from '../lazy';
import { ErrorText } from './alert';
import { Later } from './later';
import { ImageFacts, type ViewerImage } from './viewer-facts';

export type { ViewerImage };

const tagEditor = () => loadTagEditor().then((m) => m.ready.then(() => m.TagEditor));

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
      <Tags image={image} canChange={canChange} onChanged={onChanged} />
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

/** The photo's tags as chips (a chunk loaded then); for those who may change it, with the editor. */
function Tags({ image, canChange, onChanged }: Pick<InfoProps, 'image' | 'canChange' | 'onChanged'>) {
  if (!image.tags?.length && !(canChange && onChanged)) return null;
  const edit = canChange ? onChanged : undefined;
  return <Later load={tagEditor} props={{ id: image.id, tags: image.tags ?? [], onChanged: edit }} fallback={null} />;
}
