import { createHash, randomBytes, randomInt } from 'node:crypto';
import bcrypt from 'bcrypt';

import type { Database } from '../../platform/db/client';
import { AppError } from '../../shared/errors';
import type { OidcConfig } from '../../shared/oidc-config';
import type { RoleName } from '../../shared/permissions';
import type { AuditLog } from '../audit';
import type { RolesService } from '../roles';
import { NOT_IN_USERNAMES } from './auth.schemas';
import { SsoError, type OidcClaims } from './oidc-client';
import * as repo from './oidc.repository';

type Deps = {
  db: Database;
  audit: AuditLog;
  roles: RolesService;
  config: OidcConfig;
  bcryptCost: number;
  /** After a role change: the user's tokens are read again (their permissions come with them). */
  forgetUser: (userId: number) => void;
};

/** Of a claim that may be one value or a list: its string values. */
function stringsOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

/** The role OIDC_ROLE_MAP gives for these claims: the first pair whose value the claim holds, or null. */
export function mappedRole(claims: OidcClaims, config: OidcConfig): RoleName | null {
  const values = new Set(stringsOf(claims[config.roleClaim]));
  return config.roleMap.find((pair) => values.has(pair.value))?.role ?? null;
}

/**
 * A username by the rules of registration (letters, digits and @ . + - _, at most 150) made from
 * the claim: accents dropped, spaces as dots, other characters left out. Null when nothing is left.
 */
export function usernameOf(claim: unknown): string | null {
  if (typeof claim !== 'string') return null;
  const clean = claim
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .replace(/\s+/g, '.')
    .replace(NOT_IN_USERNAMES, '')
    .slice(0, 140);
  return clean || null;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

/**
 * The accounts that single sign-on signs in to: the one already tied to the identity (issuer and
 * subject), else one with the same email when OIDC_LINK_BY_EMAIL is on and the provider says the
 * address is verified, else a new one. With OIDC_ROLE_MAP, the role is set again at each sign-in.
 */
export function createOidcAccounts({ db, audit, roles, config, bcryptCost, forgetUser }: Deps) {
  async function roleId(name: RoleName) {
    const role = await roles.find(name);
    if (!role) throw new AppError('SERVICE_UNAVAILABLE', 'Roles are not set up yet.');
    return role.id;
  }

  /** The account whose email the provider verified, now tied to the identity; null when none may be. */
  async function linkByEmail(claims: OidcClaims, address: string | null) {
    if (!config.linkByEmail || claims.email_verified !== true || typeof claims.email !== 'string') return null;
    const account = await repo.findByEmail(db, claims.email);
    if (!account) return null;
    if (!account.isActive) throw new SsoError('SSO_ACCOUNT_DISABLED', `the account ${account.username} is deactivated`);
    await audit.withEvent(
      (tx) => repo.insertIdentity(tx, account.id, claims.iss, claims.sub),
      () => ({
        action: 'oidc.link',
        actor: account,
        target: { type: 'user', id: account.id },
        detail: `issuer=${claims.iss} by verified email`,
        address,
      }),
    );
    return account;
  }

  /**
   * The first free username of `name`, `name-2` … `name-20` (SSO_USERNAME_TAKEN when all are); after
   * a race for it lost to another first sign-in (`retry`), `name-<random number>`, so that the racers
   * do not meet again.
   */
  async function freeUsername(name: string, retry: number) {
    const numbers = retry === 0 ? Array.from({ length: 20 }, (_, i) => i + 1) : [randomInt(21, 1_000_000)];
    for (const n of numbers) {
      const candidate = n === 1 ? name : `${name}-${n}`;
      if (!(await repo.usernameTaken(db, candidate))) return candidate;
    }
    throw new SsoError('SSO_USERNAME_TAKEN', `the usernames ${name} to ${name}-20 are all taken`);
  }

  /** The account's email: the provider's (unless another account has it), or a placeholder. */
  async function emailFor(claims: OidcClaims) {
    const email = typeof claims.email === 'string' && EMAIL.test(claims.email) ? claims.email : null;
    if (!email)
      return `${createHash('sha256').update(`${claims.iss} ${claims.sub}`).digest('hex').slice(0, 24)}@sso.invalid`;
    if (await repo.emailTaken(db, email))
      throw new SsoError(
        'SSO_EMAIL_TAKEN',
        `another account has the email ${email} (linking by email is off or it is not verified)`,
      );
    return email;
  }

  async function create(claims: OidcClaims, address: string | null, retry: number) {
    const name = usernameOf(claims[config.usernameClaim]);
    if (!name) throw new SsoError('SSO_NO_USERNAME', `the provider sent no usable ${config.usernameClaim} claim`);
    const [username, email] = [await freeUsername(name, retry), await emailFor(claims)];
    const role = mappedRole(claims, config) ?? config.defaultRole;
    // A password nobody knows: with OIDC_PASSWORD_SIGN_IN on, the person may set one by a reset link.
    const passwordHash = await bcrypt.hash(randomBytes(32).toString('base64url'), bcryptCost);
    const data = { username, email, passwordHash, roleId: await roleId(role), passwordSignIn: config.passwordSignIn };
    return audit.withEvent(
      async (tx) => {
        const account = await repo.insertAccount(tx, data);
        await repo.insertIdentity(tx, account.id, claims.iss, claims.sub);
        return account;
      },
      (account) => ({
        action: 'oidc.create',
        actor: account,
        target: { type: 'user', id: account.id },
        detail: `issuer=${claims.iss} role=${role}`,
        address,
      }),
    );
  }

  /**
   * A new account for the identity; when that fails (a username or email taken meanwhile, the
   * identity's unique key) because of first sign-ins of one identity at once: the account another
   * one made; because another identity took the same username at the same time: another username.
   */
  async function createOnce(claims: OidcClaims, address: string | null, retry = 0): Promise<repo.OidcAccount> {
    try {
      return await create(claims, address, retry);
    } catch (error) {
      const made = await repo.findByIdentity(db, claims.iss, claims.sub);
      if (made) return made;
      if (retry < 3 && !(error instanceof SsoError)) return createOnce(claims, address, retry + 1);
      throw error;
    }
  }

  /** With OIDC_ROLE_MAP: the mapped role, or OIDC_DEFAULT_ROLE when no value maps. */
  async function applyRoleMap(account: repo.OidcAccount, claims: OidcClaims, address: string | null) {
    if (config.roleMap.length === 0) return account;
    const wanted = mappedRole(claims, config) ?? config.defaultRole;
    const before = account.role?.name ?? null;
    if (before === wanted) return account;
    const changed = await audit.withEvent(
      async (tx) => repo.setRole(tx, account.id, await roleId(wanted)),
      () => ({
        action: 'oidc.role',
        actor: account,
        target: { type: 'user', id: account.id },
        detail: `role=${before ?? 'none'}->${wanted} (${config.roleClaim})`,
        address,
      }),
    );
    forgetUser(account.id);
    return changed;
  }

  /** The account these claims sign in to, made or linked if need be; whether it was made now. */
  async function accountFor(claims: OidcClaims, address: string | null) {
    const known = (await repo.findByIdentity(db, claims.iss, claims.sub)) ?? (await linkByEmail(claims, address));
    const account = known ?? (await createOnce(claims, address));
    if (!account.isActive) throw new SsoError('SSO_ACCOUNT_DISABLED', `the account ${account.username} is deactivated`);
    return { account: known ? await applyRoleMap(account, claims, address) : account, created: !known };
  }

  return { accountFor };
}
