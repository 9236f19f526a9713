// The form that edits a gallery's name, description and privacy (a chunk loaded when first opened:
// few ever open it).
import { useState } from 'preact/hooks';

import { api, messageOf, type Gallery } from '../api/client';
import { ErrorText } from '../components/alert';
import { field } from '../helpers';

export function GalleryForm({ gallery, onDone }: { gallery: Gallery; onDone: (g: Gallery | null) => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const { data, error } = await api.PATCH('/api/gallery/galleries/{id}', {
      params: { path: { id: gallery.id } },
      body: {
        name: field(form, 'name'),
        description: field(form, 'description'),
        visibility: form.get('private') ? 'private' : 'shared',
      },
    });
    if (!data) return setError(messageOf(error, 'Could not save.'));
    onDone(data);
  };
  return (
    <form class="panel stack" onSubmit={(e) => void submit(e)} aria-label="Edit gallery">
      <label>
        Name
        <input name="name" required defaultValue={gallery.name} autoFocus />
      </label>
      <label>
        Description
        <textarea name="description" rows={2} defaultValue={gallery.description} />
      </label>
      <label class="check">
        <input type="checkbox" name="private" defaultChecked={gallery.visibility === 'private'} /> Private
      </label>
      <ErrorText text={error} />
      <div class="row">
        <button type="submit" class="primary">
          Save
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
