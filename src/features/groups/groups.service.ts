import type { Database } from '../../platform/db/client';
import { databaseFailureOf } from '../../platform/db/errors';
import type { Actor } from '../../shared/actor';
import { conflict, notFound } from '../../shared/errors';
import { idPage } from '../../shared/paging';
import type { AuditLog } from '../audit';
import * as repo from './groups.repository';

export type GroupsDeps = { db: Database; audit: AuditLog };

const GROUP_NOT_FOUND = 'Group not found';
/** A burst of adds waits for a connection of the pool (each is short) rather than being turned away. */
const BURST = { maxWait: 10_000, timeout: 10_000 };
const missing = (): never => {
  throw notFound(GROUP_NOT_FOUND);
};
const nameTaken = (name: string) =>
  conflict(`A group named ${name} already exists (names are compared ignoring case).`);

const groupEvent = (actor: Actor, action: string, groupId: number, detail: string) => ({
  action,
  actor,
  target: { type: 'group', id: groupId },
  detail,
  address: actor.address,
});

/** A unique violation (the name, or a membership) or a row gone meanwhile, as the caller's error. */
function refusal(error: unknown, taken: () => Error): never {
  const failure = databaseFailureOf(error);
  if (failure === 'unique-violation') throw taken();
  if (failure === 'foreign-key' || failure === 'record-missing') throw notFound(GROUP_NOT_FOUND);
  throw error;
}

/**
 * Groups of users, made and filled by admins. A group is a member of galleries as a user is (the
 * galleries feature reads these tables in its access condition): whoever is in it has its role
 * there, from their next request on, since memberships are read by every query and kept nowhere.
 */
export function createGroupsService({ db, audit }: GroupsDeps) {
  async function get(id: number) {
    const group = await repo.findGroup(db, id);
    if (!group) throw notFound(GROUP_NOT_FOUND);
    return group;
  }

  return {
    get,
    async list(page: { limit: number; afterId?: number }) {
      return idPage(await repo.listGroups(db, page), page.limit);
    },

    async create(actor: Actor, input: { name: string; description: string }) {
      // Checked first so that a taken name needs no transaction; the unique index decides races.
      if (await repo.nameTaken(db, input.name)) throw nameTaken(input.name);
      try {
        return await audit.withEvent(
          (tx) => repo.insertGroup(tx, input),
          (group) => groupEvent(actor, 'group.create', group.id, `name=${group.name}`),
          BURST,
        );
      } catch (error) {
        refusal(error, () => nameTaken(input.name));
      }
    },

    /** Renames the group or changes its description. */
    async update(actor: Actor, id: number, input: { name?: string; description?: string }) {
      const before = await get(id);
      const changes = [
        input.name !== undefined && input.name !== before.name ? `name ${before.name} -> ${input.name}` : null,
        input.description !== undefined && input.description !== before.description ? 'description' : null,
      ].filter((change): change is string => change !== null);
      if (changes.length === 0) return before;
      if (input.name !== undefined && (await repo.nameTaken(db, input.name, id))) throw nameTaken(input.name);
      try {
        return await audit.withEvent(
          async (tx) => (await repo.updateGroup(tx, id, input)) ?? missing(),
          () => groupEvent(actor, 'group.update', id, changes.join('; ')),
        );
      } catch (error) {
        refusal(error, () => nameTaken(input.name ?? before.name));
      }
    },

    /** Deletes the group: its users lose what it gave them in every gallery at once. */
    async remove(actor: Actor, id: number) {
      const group = await get(id);
      await audit.withEvent(
        async (tx) => (await repo.deleteGroup(tx, id)) ?? missing(),
        (galleries) => groupEvent(actor, 'group.delete', id, `name=${group.name} galleries=${galleries}`),
      );
    },

    async users(id: number, page: { limit: number; afterId?: number }) {
      await get(id);
      return idPage(await repo.listGroupUsers(db, id, page), page.limit);
    },

    async addUser(actor: Actor, id: number, username: string) {
      const group = await get(id);
      const user = await repo.findActiveUser(db, username);
      if (!user) throw notFound('No active user with that username');
      const already = () => conflict(`${user.username} is already in ${group.name}.`);
      if (await repo.isInGroup(db, id, user.id)) throw already();
      try {
        return await audit.withEvent(
          (tx) => repo.insertGroupUser(tx, id, user.id),
          () => groupEvent(actor, 'group.member.add', id, `user ${user.id}`),
          BURST,
        );
      } catch (error) {
        refusal(error, already);
      }
    },

    /** Takes a user out of the group: what it gave them ends with their next request. */
    async removeUser(actor: Actor, id: number, userId: number) {
      await get(id);
      await audit.withEvent(
        async (tx) => {
          if (!(await repo.deleteGroupUser(tx, id, userId))) throw notFound('No such user in this group');
        },
        () => groupEvent(actor, 'group.member.remove', id, `user ${userId}`),
      );
    },
  };
}

export type GroupsService = ReturnType<typeof createGroupsService>;
