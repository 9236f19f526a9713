import type { GroupRow } from './groups.repository';

export function toGroupJson(group: GroupRow) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    memberCount: group._count.members,
    createdAt: group.createdAt.toISOString(),
  };
}

export function toGroupUserJson(member: { user: { id: number; username: string }; createdAt: Date }) {
  return { user: { id: member.user.id, username: member.user.username }, addedAt: member.createdAt.toISOString() };
}
