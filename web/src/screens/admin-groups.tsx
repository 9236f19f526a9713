// Groups of users (admins): make, rename, describe and delete them, put users in and take them out.
// A group is a member of galleries as a user is: that is done on each gallery's members screen.
import { useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { NoticeText, type Notice } from '../components/alert';
import { useConfirm } from '../components/confirm';
import { TableHead } from '../components/table-head';
import { field, formatDate } from '../helpers';
import { MoreSentinel, usePaged } from '../paging';

type Group = NonNullable<Awaited<ReturnType<typeof groupsPage>>['data']>[number];
type GroupUser = NonNullable<Awaited<ReturnType<typeof usersPage>>['data']>[number];
const groupsPage = (cursor: string | undefined, signal: AbortSignal) =>
  api.GET('/api/admin/groups', { params: { query: { cursor, limit: 50 } }, signal });
const usersPage = (id: number, cursor: string | undefined, signal: AbortSignal) =>
  api.GET('/api/admin/groups/{id}/members', { params: { path: { id }, query: { cursor, limit: 50 } }, signal });

export function Groups() {
  const { items, setItems, loading, hasMore, more } = usePaged<Group>(groupsPage, []);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const say = (text: string, error = false) => setNotice({ text, error });
  const replace = (group: Group) => setItems((all) => all.map((g) => (g.id === group.id ? group : g)));

  const create = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const body = { name: field(form, 'name'), description: field(form, 'description') };
    const { data, error } = await api.POST('/api/admin/groups', { body });
    if (!data) return say(messageOf(error, 'Could not create the group.'), true);
    formElement.reset();
    setItems((all) => [...all, data]);
    setOpen(data.id);
    say(`Group ${data.name} created.`);
  };

  return (
    <>
      <form class="row wrap" onSubmit={(e) => void create(e)} aria-label="New group">
        <label>
          Name
          <input name="name" required maxLength={100} autocomplete="off" />
        </label>
        <label>
          Description
          <input name="description" maxLength={1000} />
        </label>
        <button type="submit" class="primary">
          Create group
        </button>
      </form>
      <NoticeText notice={notice} />
      <table>
        <TableHead columns={['Group', 'Description', 'Members']} actions />
        <tbody>
          {items.map((group) => (
            <tr key={group.id}>
              <td data-label="Group">{group.name}</td>
              <td data-label="Description">{group.description}</td>
              <td data-label="Members">{group.memberCount}</td>
              <td>
                <button
                  type="button"
                  aria-expanded={open === group.id}
                  onClick={() => setOpen(open === group.id ? null : group.id)}
                >
                  Manage <span class="visually-hidden">{group.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MoreSentinel hasMore={hasMore} loading={loading} onVisible={more} label="Loading more groups" />
      {items
        .filter((group) => group.id === open)
        .map((group) => (
          <GroupPanel
            key={group.id}
            group={group}
            onChanged={replace}
            onDeleted={() => {
              setItems((all) => all.filter((g) => g.id !== group.id));
              setOpen(null);
            }}
            say={say}
          />
        ))}
    </>
  );
}

type PanelProps = {
  group: Group;
  onChanged: (group: Group) => void;
  onDeleted: () => void;
  say: (text: string, error?: boolean) => void;
};

function GroupPanel({ group, onChanged, onDeleted, say }: PanelProps) {
  const users = usePaged<GroupUser>((cursor, signal) => usersPage(group.id, cursor, signal), [group.id]);
  const confirm = useConfirm();
  const counted = (delta: number) => onChanged({ ...group, memberCount: group.memberCount + delta });

  const rename = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const body = { name: field(form, 'name'), description: field(form, 'description') };
    const { data, error } = await api.PATCH('/api/admin/groups/{id}', { params: { path: { id: group.id } }, body });
    if (!data) return say(messageOf(error, 'Could not save.'), true);
    onChanged(data);
    say(`Group ${data.name} saved.`);
  };
  const addUser = async (event: Event) => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const username = field(new FormData(formElement), 'username');
    const path = { id: group.id };
    const { data, error } = await api.POST('/api/admin/groups/{id}/members', { params: { path }, body: { username } });
    if (!data) return say(messageOf(error, 'Could not add the user.'), true);
    formElement.reset();
    users.setItems((all) => [...all, data]);
    counted(1);
    say(`${data.user.username} added to ${group.name}.`);
  };
  const removeUser = async (member: GroupUser) => {
    const path = { id: group.id, userId: member.user.id };
    const { error } = await api.DELETE('/api/admin/groups/{id}/members/{userId}', { params: { path } });
    if (error) return say(messageOf(error), true);
    users.setItems((all) => all.filter((m) => m.user.id !== member.user.id));
    counted(-1);
    say(`${member.user.username} removed from ${group.name}.`);
  };
  const remove = async () => {
    const yes = await confirm.ask({
      title: `Delete the group ${group.name}?`,
      detail: `Its ${group.memberCount} users lose at once what the group gave them in every gallery it is a member of.`,
      action: 'Delete group',
      danger: true,
    });
    if (!yes) return;
    const { error } = await api.DELETE('/api/admin/groups/{id}', { params: { path: { id: group.id } } });
    if (error) return say(messageOf(error), true);
    onDeleted();
    say(`Group ${group.name} deleted.`);
  };

  return (
    <section class="panel" aria-labelledby="group-title">
      <h2 id="group-title">{group.name}</h2>
      <form class="row wrap" onSubmit={(e) => void rename(e)} aria-label={`Rename ${group.name}`}>
        <label>
          Name
          <input name="name" required maxLength={100} defaultValue={group.name} />
        </label>
        <label>
          Description
          <input name="description" maxLength={1000} defaultValue={group.description} />
        </label>
        <button type="submit">Save</button>
      </form>
      <table>
        <TableHead columns={['User', 'Added']} actions />
        <tbody>
          {users.items.map((member) => (
            <tr key={member.user.id}>
              <td data-label="User">{member.user.username}</td>
              <td data-label="Added">{formatDate(member.addedAt)}</td>
              <td>
                <button type="button" class="danger" onClick={() => void removeUser(member)}>
                  Remove <span class="visually-hidden">{member.user.username}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <MoreSentinel hasMore={users.hasMore} loading={users.loading} onVisible={users.more} label="Loading more users" />
      <form class="row wrap" onSubmit={(e) => void addUser(e)} aria-label={`Add a user to ${group.name}`}>
        <label>
          Username
          <input name="username" required autocomplete="off" />
        </label>
        <button type="submit" class="primary">
          Add user
        </button>
      </form>
      <button type="button" class="danger" onClick={() => void remove()}>
        Delete group
      </button>
      {confirm.dialog}
    </section>
  );
}
