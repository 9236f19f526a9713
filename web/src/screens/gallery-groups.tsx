// A group as a member of a gallery: added by its name, as viewer or editor (owner and admins).
import { api, messageOf } from '../api/client';
import { field } from '../helpers';

type Props = { galleryId: number; onAdded: (text: string) => void; onRefused: (text: string) => void };

export function AddGroup({ galleryId, onAdded, onRefused }: Props) {
  const add = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const { data, error } = await api.POST('/api/gallery/galleries/{id}/members', {
      params: { path: { id: galleryId } },
      body: { group: field(form, 'group'), role: form.get('role') === 'editor' ? 'editor' : 'viewer' },
    });
    if (!data) return onRefused(messageOf(error, 'Could not add the group.'));
    formElement.reset();
    if (!('group' in data)) return onAdded('Added.');
    onAdded(data.note ?? `Everyone in ${data.group.name} is now ${data.role}.`);
  };
  return (
    <form class="row wrap" onSubmit={(e) => void add(e)} aria-label="Add a group">
      <label>
        Group
        <input name="group" required autocomplete="off" />
      </label>
      <label>
        As
        <select name="role">
          <option value="viewer">Viewer</option>
          <option value="editor">Editor</option>
        </select>
      </label>
      <button type="submit" class="primary">
        Add group
      </button>
    </form>
  );
}
