// The viewer's tags (a chunk loaded when a photo has some): chips; for those who may change the
// photo, each with × to take
// one off (DELETE …/tags/{tag}), and a tag typed with suggestions to add (POST …/tags). What the
// server refuses (more than 50 tags, longer than 64 characters) is said next to the input.
import { useEffect, useState } from 'preact/hooks';

import { api, messageOf, type Image } from '../api/client';
import { stylesheet } from '../stylesheet';
import { ErrorText } from './alert';
import sheet from './find.css?url';
import { TagChips, TagInput } from './tag-input';

/** Wait for it before showing the editor. */
export const ready = stylesheet(sheet);

type Props = { id: number; tags: string[]; onChanged?: (image: Image) => void };

/** Without `onChanged` (one who may not change the photo), the chips alone. */
export function TagEditor({ id, tags, onChanged }: Props) {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [id]);
  const done = ({ data, error }: { data?: Image; error?: unknown }) => {
    setError(data ? null : messageOf(error, 'The tags could not be changed.'));
    if (data) onChanged?.(data);
    return !!data;
  };
  const path = { path: { id } };
  const add = async (tag: string) =>
    done(await api.POST('/api/gallery/images/{id}/tags', { params: path, body: { tags: [tag] } }));
  const remove = async (tag: string) =>
    done(await api.DELETE('/api/gallery/images/{id}/tags/{tag}', { params: { path: { id, tag } } }));
  if (!onChanged)
    return (
      <ul class="chips" aria-label="Tags">
        {tags.map((tag) => (
          <li key={tag} class="chip">
            {tag}
          </li>
        ))}
      </ul>
    );
  return (
    <div class="tag-editor">
      <TagChips tags={tags} onRemove={remove} />
      <TagInput id="tag-add" label="Add a tag" exclude={tags} onAdd={add} />
      <ErrorText text={error} />
    </div>
  );
}
