// "Use as cover" in the viewer, for those who manage the gallery: the image its card shows in the
// list of galleries. The chosen cover says so, and may be let go (back to the most recent image).
import { useState } from 'preact/hooks';

import { api, messageOf, type Gallery } from '../api/client';
import { ErrorText } from '../components/alert';

import './covers.css';

/** Keyed by the image (a new one starts afresh: no error of the one before). */
export function CoverChoice({
  gallery,
  imageId,
  onSaved,
}: {
  gallery: Gallery;
  imageId: number;
  onSaved: (gallery: Gallery) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = gallery.cover?.chosen && gallery.cover.id === imageId;
  const save = async (coverImage: number | null) => {
    setBusy(true);
    const { data, error } = await api.PATCH('/api/gallery/galleries/{id}', {
      params: { path: { id: gallery.id } },
      body: { coverImage },
    });
    setBusy(false);
    setError(data ? null : messageOf(error, 'Could not change the cover.'));
    if (data) onSaved(data);
  };
  return (
    <div class="row cover-choice">
      {chosen && <span class="badge muted">Gallery cover</span>}
      <button type="button" disabled={busy} onClick={() => void save(chosen ? null : imageId)}>
        {chosen ? 'Reset cover' : 'Use as cover'}
      </button>
      <ErrorText text={error} />
    </div>
  );
}
