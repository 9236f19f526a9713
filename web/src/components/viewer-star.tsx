// The viewer's star: the signed-in user's own favorite (PUT or DELETE …/favorite). It changes at
// once and goes back, with a notice, when the server refuses or cannot be reached.
import { useRef } from 'preact/hooks';

import { api, messageOf, type Image } from '../api/client';
import { tell } from '../notice';

export function StarButton({ image, onChanged }: { image: Image; onChanged: (image: Image) => void }) {
  const busy = useRef(false);
  const toggle = async () => {
    if (busy.current) return;
    busy.current = true;
    const starred = !image.favorite;
    onChanged({ ...image, favorite: starred });
    const params = { params: { path: { id: image.id } } };
    const call = starred
      ? api.PUT('/api/gallery/images/{id}/favorite', params)
      : api.DELETE('/api/gallery/images/{id}/favorite', params);
    const { data, error } = await call.catch(() => ({ data: undefined, error: undefined }));
    busy.current = false;
    if (data) return onChanged(data);
    onChanged(image);
    tell(messageOf(error, 'The star could not be saved. Check your connection and try again.'), undefined, true);
  };
  return (
    <button type="button" class="star" aria-pressed={!!image.favorite} onClick={() => void toggle()}>
      <span aria-hidden="true">{image.favorite ? '★' : '☆'}</span> <span class="star-text">Star</span>
    </button>
  );
}
