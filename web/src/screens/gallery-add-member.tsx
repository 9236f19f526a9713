// Adding a member to a gallery (owner and admins): a user by username, or a group by its name,
// as viewer or editor.
import { api, messageOf } from '../api/client';
import { field } from '../helpers';

type Props = {
  galleryId: number;
  /** Who is added: a user (by username) or a group (by name). */
  by: 'username' | 'group';
  onAdded: (text: string) => void;
  onRefused: (text: string) => void;
};

const TEXTS = {
  username: { label: 'Username', form: 'Add a member', button: 'Add member', refused: 'Could not add the member.' },
  group: { label: 'Group', form: 'Add a group', button: 'Add group', refused: 'Could not add the group.' },
};

export function AddMember({ galleryId, by, onAdded, onRefused }: Props) {
  const texts = TEXTS[by];
  const add = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const role = form.get('role') === 'editor' ? 'editor' : 'viewer';
    const { data, error } = await api.POST('/api/gallery/galleries/{id}/members', {
      params: { path: { id: galleryId } },
      body: by === 'group' ? { group: field(form, 'group'), role } : { username: field(form, 'username'), role },
    });
    if (!data) return onRefused(messageOf(error, texts.refused));
    formElement.reset();
    if ('note' in data && data.note) return onAdded(data.note);
    if ('group' in data) return onAdded(`Everyone in ${data.group.name} is now ${data.role}.`);
    onAdded('user' in data ? `${data.user.username} added.` : 'Added.');
  };
  return (
    <form class="row wrap" onSubmit={(e) => void add(e)} aria-label={texts.form}>
      <label>
        {texts.label}
        <input name={by} required autocomplete={by === 'group' ? 'off' : undefined} />
      </label>
      <label>
        As
        <select name="role">
          <option value="viewer">Viewer</option>
          <option value="editor">Editor</option>
        </select>
      </label>
      <button type="submit" class="primary">
        {texts.button}
      </button>
    </form>
  );
}
