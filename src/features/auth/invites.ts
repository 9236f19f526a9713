import type { Database, Transaction } from '../../platform/db/client';
import type { AccountsConfig } from '../../shared/accounts-config';
import type { Actor } from '../../shared/actor';
import { AppError, conflict, forbidden, notFound } from '../../shared/errors';
import type { RoleName } from '../../shared/permissions';
import type { AuditEvent, AuditLog } from '../audit';
import type { RolesService } from '../roles';
import * as repo from './invites.repository';
import { generateToken, hashToken, looksLikeToken } from './tokens';

export type InvitesDeps = {
  db: Database;
  audit: AuditLog;
  roles: RolesService;
  registration: AccountsConfig['registration'];
  clock: () => number;
};

/** What a registration may go on with: the role an invite gives, and the invite to mark used with the account. */
export type Admission = {
  role: RoleName | null;
  /** In the account's transaction: marks the invite used (throws when another registration took it first). */
  claim(tx: Transaction, user: { id: number; username: string }): Promise<AuditEvent[]>;
};

const invalidInvite = () =>
  new AppError('LINK_INVALID', 'This invite is unknown, already used or expired. Ask an admin for a new one.');

const stateOf = (invite: repo.InviteRow, now: number): 'pending' | 'used' | 'expired' =>
  invite.usedAt ? 'used' : invite.expiresAt.getTime() <= now ? 'expired' : 'pending';

/**
 * Who may join (REGISTRATION): anyone, nobody, or the holder of an admin's invite, a single-use
 * token that expires, stored only hashed, maybe bound to one email address; REGISTRATION_DOMAINS
 * limits the addresses of registrations not bound by their invite.
 */
export function createInvites({ db, audit, roles, registration, clock }: InvitesDeps) {
  /** Refuses a registration (audited, so that an admin sees who was turned away and why). */
  async function refuse(error: AppError, email: string, address: string | null): Promise<never> {
    const detail = `${error.message.slice(0, 80)} email=${email.slice(0, 150)}`;
    await audit.record({ action: 'register', outcome: 'failed', detail, address });
    throw error;
  }

  async function admit(input: { email: string; invite?: string }, address: string | null): Promise<Admission> {
    if (registration.mode === 'closed')
      return refuse(forbidden('Registration is closed on this server: an admin makes accounts.'), input.email, address);
    const invite = input.invite ? await validInvite(input.invite, input.email, address) : null;
    if (!invite && registration.mode === 'invite')
      return refuse(forbidden('Registration here needs an invite from an admin.'), input.email, address);
    const domain = input.email.toLowerCase().split('@').pop() ?? '';
    if (!invite?.email && registration.domains.length > 0 && !registration.domains.includes(domain)) {
      const allowed = registration.domains.join(', ');
      return refuse(forbidden(`Registration is open to addresses at ${allowed} only.`), input.email, address);
    }
    if (!invite) return { role: null, claim: () => Promise.resolve([]) };
    const role = invite.roleId === null ? null : (await repo.namesOf(db, [invite.roleId], [])).role.get(invite.roleId);
    return {
      role: (role as RoleName | undefined) ?? null,
      async claim(tx, user) {
        const { count } = await repo.claimInvite(tx, invite.id, user.id, new Date(clock()));
        if (count === 0) throw invalidInvite();
        return [{ action: 'invite.use', actor: user, target: { type: 'invite', id: invite.id }, address }];
      },
    };
  }

  async function validInvite(token: string, email: string, address: string | null) {
    const invite = looksLikeToken(token) ? await repo.findInviteByHash(db, hashToken(token)) : null;
    if (!invite || stateOf(invite, clock()) !== 'pending') return refuse(invalidInvite(), email, address);
    if (invite.email && invite.email !== email.toLowerCase())
      return refuse(forbidden('This invite is for another email address.'), email, address);
    return invite;
  }

  async function create(actor: Actor, input: { email?: string; role?: RoleName; expiresInDays?: number }) {
    const role = input.role ? await roles.find(input.role) : null;
    if (input.role && !role) throw new AppError('SERVICE_UNAVAILABLE', 'Roles are not set up yet.');
    const token = generateToken();
    const ttlMs = input.expiresInDays ? input.expiresInDays * 86_400_000 : registration.inviteTtlMs;
    const invite = await audit.withEvent(
      (tx) =>
        repo.insertInvite(tx, {
          tokenHash: hashToken(token),
          email: input.email?.toLowerCase() ?? null,
          roleId: role?.id ?? null,
          createdById: actor.id,
          expiresAt: new Date(clock() + ttlMs),
        }),
      (row) => ({
        action: 'invite.create',
        actor,
        target: { type: 'invite', id: row.id },
        detail: `role=${input.role ?? 'default'}${input.email ? ' bound to an email' : ''}`,
        address: actor.address,
      }),
    );
    return { token, invite: (await describe([invite]))[0] };
  }

  /** Invites with their role's and user's names and their state, for the admin's list. */
  async function describe(invites: repo.InviteRow[]) {
    const names = await repo.namesOf(
      db,
      invites.flatMap((invite) => (invite.roleId === null ? [] : [invite.roleId])),
      invites.flatMap((invite) => (invite.usedById === null ? [] : [invite.usedById])),
    );
    const now = clock();
    return invites.map((invite) => ({
      ...invite,
      role: invite.roleId === null ? null : (names.role.get(invite.roleId) ?? null),
      usedBy:
        invite.usedById === null
          ? null
          : { id: invite.usedById, username: names.user.get(invite.usedById) ?? '(deleted)' },
      state: stateOf(invite, now),
    }));
  }

  async function revoke(actor: Actor, id: number) {
    await audit.withEvent(
      async (tx) => {
        if ((await repo.deleteUnusedInvite(tx, id)).count > 0) return;
        if (await repo.findInvite(tx, id)) throw conflict('This invite was used already; it stays as a record.');
        throw notFound('Invite not found');
      },
      () => ({ action: 'invite.revoke', actor, target: { type: 'invite', id }, address: actor.address }),
    );
  }

  return {
    mode: registration.mode,
    admit,
    create,
    list: async () => describe(await repo.listInvites(db, 200)),
    revoke,
  };
}

export type Invites = ReturnType<typeof createInvites>;
